// The README's props tables come from the TSDoc of every exported construct (bin/readme-props.ts).
import * as fs from 'fs';
import * as path from 'path';
import { BEGIN, ConstructDoc, constructDocs, END, renderProps, replaceGenerated } from '../../bin/readme-props';

const ROOT = path.resolve(__dirname, '../..');

describe('props tables generated from the exported constructs', () => {
  let docs: ConstructDoc[];
  beforeAll(() => {
    docs = constructDocs(ROOT);
  });

  test('finds the constructs with their import path, required props and @default values', () => {
    const logBucket = docs.find((d) => d.name === 'LogBucket')!;
    expect(logBucket).toMatchObject({ importPath: 'cdktf-bluegreen/aws', propsName: 'LogBucketProps' });
    expect(logBucket.summary).toMatch(/^A bucket that receives access logs/);
    expect(logBucket.props.find((p) => p.name === 'bucketName')).toMatchObject({ required: true, type: 'string' });
    expect(logBucket.props.find((p) => p.name === 'retentionDays')).toMatchObject({
      required: false,
      defaultValue: '365',
    });
    expect(docs.find((d) => d.name === 'AwsSharedStack')).toMatchObject({ importPath: 'cdktf-bluegreen' });
    expect(docs.map((d) => d.name)).not.toContain('EnvironmentStack'); // abstract: not constructed by users
  });

  test('README.md has a section for every exported construct and a row for each of its props', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const generated = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
    const missing: string[] = [];
    for (const doc of docs) {
      const start = generated.indexOf(`\n#### ${doc.name}\n`);
      if (start < 0) {
        missing.push(doc.name);
        continue;
      }
      const next = generated.indexOf('\n#### ', start + 1);
      const section = generated.slice(start, next < 0 ? undefined : next);
      for (const p of doc.props) if (!section.includes(`\n| \`${p.name}\` |`)) missing.push(`${doc.name}.${p.name}`);
    }
    expect(missing.length === 0 ? '' : `README.md lacks ${missing.join(', ')}: run \`npm run readme-props\``).toBe('');
  });

  test('renders one table per construct, marking required props, escaping pipes, links as code', () => {
    const text = renderProps([
      {
        name: 'Thing',
        importPath: 'cdktf-bluegreen/aws',
        summary: 'A thing.',
        propsName: 'ThingProps',
        props: [
          { name: 'mode', type: "'a' | 'b'", required: false, defaultValue: "'a'", description: 'Mode: a | b.' },
          {
            name: 'name',
            type: 'string',
            required: true,
            description: 'Name, see {@link Thing.mode } and {@link Other | the other}.',
          },
        ],
      },
    ]);
    expect(text.split('\n')).toEqual([
      BEGIN,
      '',
      '### `cdktf-bluegreen/aws`',
      '',
      '#### Thing',
      '',
      'A thing.',
      '',
      'Props (`ThingProps`):',
      '',
      '| prop | type | default | description |',
      '| --- | --- | --- | --- |',
      "| `mode` | `'a' \\| 'b'` | 'a' | Mode: a \\| b. |",
      '| `name` | `string` | *required* | Name, see `Thing.mode` and the other. |',
      '',
      END,
    ]);
  });

  test('fails with the markers to add when README.md has no generated part', () => {
    expect(() => replaceGenerated('# Title\n', 'x')).toThrow(
      /no generated props part: add the lines\n<!-- props:begin/,
    );
    expect(replaceGenerated(`a\n${BEGIN}\nold\n${END}\nb`, 'NEW')).toBe('a\nNEW\nb');
  });
});
