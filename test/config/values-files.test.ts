// The small traps of values files (issue #18 item 7): `.yml` is read like `.yaml` everywhere; a problem in the
// shared defaults is reported once; YAML syntax errors carry a code frame at yaml's position, once; a value YAML
// typed as a number or boolean where a string belongs says to quote it, as written; every values example in the
// README validates when copied.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ConfigError, formatIssue, listEnvironments, loadEnvironments, overlay } from '../../lib/config';
import { cutoverMain } from '../../lib/commands/cutover';
import { configProblems as problems } from '../support/config-problems';
import { envDir, REPO, shipped, withValue } from '../support/env-dir';

/** Runs the cutover CLI, capturing output. */
function cutoverCli(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = cutoverMain(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('values files may end in .yml', () => {
  test('an environment in qa.yml (and the defaults in defaults.yml) loads like one in .yaml', () => {
    const dir = envDir({
      'staging.yaml': null,
      'defaults.yaml': null,
      'qa.yml': shipped('staging.yaml').replace('name: staging', 'name: qa'),
      'defaults.yml': shipped('defaults.yaml'),
    });
    expect(listEnvironments(dir)).toEqual(['dev', 'prod', 'qa']);
    const qa = loadEnvironments({ dir, only: ['qa'] })[0];
    expect(qa.name).toBe('qa');
    expect(qa.app.name).toBe('shop'); // from defaults.yml
  });

  test('problems in a .yml file name that file', () => {
    const dir = envDir({
      'staging.yaml': null,
      'qa.yml': withValue('staging.yaml', ['name'], 'qa').replace(/^traffic:\n  blue: 100/m, 'traffic:\n  blue: 150'),
    });
    expect(problems(dir).join('\n')).toMatch(/^environments\/qa\.yml: traffic\.blue: weights range from 0 to 100/m);
  });

  test('fails when one environment has both a .yaml and a .yml file, naming both', () => {
    const dir = envDir({ 'prod.yml': shipped('prod.yaml') });
    expect(problems(dir)).toEqual([
      'environments/prod.yml: prod.yaml exists too; keep one of them (both would define the same prod values)',
    ]);
  });

  test('the cutover command edits qa.yml in place (and writes no qa.yaml)', () => {
    const dir = envDir({
      'staging.yaml': null,
      'qa.yml': shipped('staging.yaml').replace('name: staging', 'name: qa'),
    });
    const { code, out, err } = cutoverCli(['qa', 'green', '--dir', dir]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain(`wrote ${path.join(dir, 'qa.yml')}`);
    expect(fs.existsSync(path.join(dir, 'qa.yaml'))).toBe(false);
    expect(parse(fs.readFileSync(path.join(dir, 'qa.yml'), 'utf8')).traffic).toMatchObject({ blue: 0, green: 100 });
  });
});

describe('a problem in the shared defaults is reported once', () => {
  test('one typo in defaults.yaml: one problem naming defaults.yaml, not one per environment', () => {
    const dir = envDir({ 'defaults.yaml': withValue('defaults.yaml', ['app', 'prot'], 8080) });
    let error: unknown;
    try {
      loadEnvironments({ dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(
      (error as ConfigError).issues.map(formatIssue).map((l) => l.replace(path.dirname(dir) + path.sep, '')),
    ).toEqual([expect.stringMatching(/^environments\/defaults\.yaml: app\.prot: unknown key \(allowed keys: /)]);
    expect((error as ConfigError).message).toMatch(/^invalid environment values \(1 problem\):/);
  });
});

describe('YAML syntax errors', () => {
  test('give the position once and a code frame with a caret under the column', () => {
    const dir = envDir({ 'prod.yaml': 'name: prod\ncloud: aws\napp:\n  port: 80\n   name: x\n' });
    const [line, ...rest] = problems(dir);
    expect(rest).toEqual([]); // yaml's second error at the same position is a consequence, not another problem
    expect(line).toBe(
      [
        'environments/prod.yaml: invalid YAML at line 4, column 9: Nested mappings are not allowed in compact mappings',
        '    3 | app:',
        '    4 |   port: 80',
        '      |         ^',
        '    5 |    name: x',
      ].join('\n'),
    );
    expect(line.match(/line 4/g)).toHaveLength(1);
  });

  test('keep tabs in the caret line, so the caret stays under the column', () => {
    const dir = envDir({ 'prod.yaml': 'name: prod\ntags: {\towner: [a, }\n' });
    const [line] = problems(dir);
    const frame = line.split('\n');
    const caretLine = frame.find((l) => l.trimEnd().endsWith('^'))!;
    const sourceLine = frame[frame.indexOf(caretLine) - 1];
    const column = Number(/column (\d+)/.exec(frame[0])![1]);
    expect(caretLine.indexOf('^')).toBe(sourceLine.indexOf('| ') + 2 + column - 1);
    expect(caretLine).toContain('\t');
  });
});

describe('a number or boolean where a string belongs says to quote it', () => {
  test('version: 1.5', () => {
    const dir = envDir({ 'prod.yaml': shipped('prod.yaml').replace('      version: 1.5.0', '      version: 1.5') });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: colors.green.release.version: expected string, got number 1.5; quote it: version: "1.5"',
    ]);
  });

  test('an unquoted account id with a leading zero: YAML drops the zero, so the hint quotes it as written', () => {
    const dir = envDir({
      'prod.yaml': shipped('prod.yaml').replace(
        'allowedAccountIds: ["111111111111"]',
        'allowedAccountIds: [012345678901]',
      ),
    });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: allowedAccountIds[0]: expected string, got number 12345678901: YAML read 012345678901 as the number 12345678901 and dropped the leading zero; quote it: "012345678901"',
    ]);
  });

  test('a value set in defaults.yaml is quoted as written there', () => {
    const dir = envDir({
      'defaults.yaml': shipped('defaults.yaml').replace('  healthCheckPath: /health', '  healthCheckPath: 1.10'),
    });
    expect(problems(dir)).toEqual([
      'environments/defaults.yaml: app.healthCheckPath: expected string, got number 1.1: YAML read 1.10 as the number 1.1; quote it: healthCheckPath: "1.10"',
    ]);
  });

  test('each hint, applied as written, is accepted', () => {
    const edited = shipped('prod.yaml').replace(
      'allowedAccountIds: ["111111111111"]',
      'allowedAccountIds: [111111111111]',
    );
    const [line] = problems(envDir({ 'prod.yaml': edited }));
    const quoted = /quote it: (.*)$/.exec(line)![1];
    expect(quoted).toBe('"111111111111"');
    expect(() =>
      loadEnvironments({ dir: envDir({ 'prod.yaml': edited.replace('[111111111111]', `[${quoted}]`) }) }),
    ).not.toThrow();
  });
});

/**
 * The README's values examples: every ```yaml block follows a marker saying what it is, either a whole file
 * (`<!-- values-example: file environments/staging.yaml -->`, replacing the shipped one) or a part of one
 * (`<!-- values-example: merge environments/prod.yaml -->`, overlaid on the shipped file by the overlay rule).
 */
function readmeValuesExamples(readme: string): Array<{ line: number; mode: string; file: string; text: string }> {
  // a consumer-step file block (the quick start's environment) is a whole file too
  const blocks = [
    ...readme.matchAll(
      /(?:<!-- (?:values-example|consumer-step): (file|merge) environments\/([\w.-]+) -->\n)?```ya?ml\n([\s\S]*?)```/g,
    ),
  ];
  return blocks.map((m) => {
    const line = readme.slice(0, m.index).split('\n').length;
    if (!m[1])
      throw new Error(
        `README.md line ${line}: a yaml block without a <!-- values-example: file|merge environments/<file> --> marker`,
      );
    return { line, mode: m[1], file: m[2], text: m[3] };
  });
}

/** A copy of the shipped environments with one README example put in place. */
function withExample(example: { mode: string; file: string; text: string }): string {
  const text =
    example.mode === 'file' ? example.text : JSON.stringify(overlay(parse(shipped(example.file)), parse(example.text)));
  return envDir({ [example.file]: text });
}

describe('README values examples validate when copied', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const examples = readmeValuesExamples(readme);

  test('there are examples (whole files and parts), every yaml block marked', () => {
    expect(examples.map((e) => e.mode)).toEqual(expect.arrayContaining(['file', 'merge']));
  });

  test.each(examples.map((e) => [`line ${e.line} (${e.mode} environments/${e.file})`, e] as const))(
    'README %s',
    (_where, example) => {
      const dir = withExample(example);
      let lines: string[] = [];
      try {
        loadEnvironments({ dir });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        lines = e.issues.map(formatIssue);
      }
      expect(lines).toEqual([]);
    },
  );

  test('the staging example without its certificate would fail (the check can fail)', () => {
    const staging = examples.find((e) => e.mode === 'file' && e.file === 'staging.yaml')!;
    const withoutCertificate = staging.text.replace(/^  certificate:.*\n(?:    .*\n)+/m, '');
    expect(withoutCertificate).not.toBe(staging.text);
    expect(problems(withExample({ ...staging, text: withoutCertificate })).join('\n')).toMatch(
      /staging\.yaml: loadBalancer\.certificate/,
    );
  });
});
