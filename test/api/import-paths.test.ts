// The migration seam: every import of cdktf and of the provider packages is a literal, deep-path import that a
// mechanical rename (cdktf -> cdktn, @cdktf/provider-* -> @cdktn/provider-*) can move, and nothing re-exports
// them under another name. Also: the repo's own app uses the library through its public index, like a consumer.
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { specifiers, tsFiles } from '../support/module-specifiers';

const ROOT = path.resolve(__dirname, '../..');
const DIRS = ['lib', 'stacks', 'bin', 'test', 'bench'];
const CDKTF_SPEC = /^(cdktf|constructs|@cdktf\/.*)(\/|$)/;
/** The forms allowed: the cdktf root (small), cdktf internals by path, provider classes by their own file. */
const ALLOWED = [
  /^cdktf$/,
  /^cdktf\/lib\/[\w/-]+$/,
  /^constructs$/,
  /^@cdktf\/provider-(aws|digitalocean)\/lib\/[a-z0-9-]+$/,
];

/** Problems with the cdktf-family imports of one file, as `<file>:<line>: <reason>`. */
function importProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { spec, reexport, line } of specifiers(file, text)) {
    const at = `${file}:${line}`;
    if (spec === null) {
      if (/cdktf/.test(text.split('\n')[line - 1] ?? ''))
        problems.push(`${at}: module name is not a string literal; a rename cannot find it`);
      continue;
    }
    if (!CDKTF_SPEC.test(spec)) continue;
    if (reexport)
      problems.push(`${at}: re-exports "${spec}"; import it where it is used instead, so a rename moves every use`);
    else if (!ALLOWED.some((re) => re.test(spec))) {
      problems.push(
        `${at}: imports "${spec}"; import provider classes by deep path, e.g. "@cdktf/provider-aws/lib/s3-bucket"`,
      );
    }
  }
  return problems;
}

const FILES = [path.join(ROOT, 'main.ts'), ...DIRS.flatMap((d) => tsFiles(path.join(ROOT, d)))];

describe('imports of cdktf and the providers', () => {
  test('scans the sources', () => {
    expect(FILES.length).toBeGreaterThan(10);
    expect(FILES).toContain(path.join(ROOT, 'lib/aws/log-bucket.ts'));
  });

  test('no file imports a provider package root or re-exports cdktf, constructs or a provider', () => {
    const problems = FILES.flatMap((f) => importProblems(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
    expect(problems.join('\n')).toBe('');
  });

  test('fails on a provider package-root import, a namespace lib import, a re-export and a computed require', () => {
    const text = [
      "import { S3Bucket } from '@cdktf/provider-aws';",
      "import * as aws from '@cdktf/provider-aws/lib';",
      "export { App } from 'cdktf';",
      "const m = require('cdktf' + '');",
      "import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';",
    ].join('\n');
    const problems = importProblems('bad.ts', text);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^bad\.ts:1: imports "@cdktf\/provider-aws"; import provider classes by deep path/);
    expect(problems[1]).toMatch(/^bad\.ts:2: /);
    expect(problems[2]).toMatch(/^bad\.ts:3: re-exports "cdktf"/);
    expect(problems[3]).toMatch(/^bad\.ts:4: module name is not a string literal/);
  });
});

describe('what the package needs at run time', () => {
  test('lib/ and stacks/ import only Node built-ins, dependencies and peer dependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const undeclared: string[] = [];
    for (const file of FILES.filter((f) => /^(lib|stacks)\//.test(path.relative(ROOT, f)))) {
      for (const { spec, line } of specifiers(file, fs.readFileSync(file, 'utf8'))) {
        if (!spec || spec.startsWith('.')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!declared.has(name) && !builtins.has(name.replace(/^node:/, ''))) {
          undeclared.push(
            `${path.relative(ROOT, file)}:${line}: "${spec}" is not in dependencies or peerDependencies; consumers will not have it`,
          );
        }
      }
    }
    expect(undeclared.join('\n')).toBe('');
  });
});

describe('the repo app uses the library like a consumer', () => {
  test('main.ts imports only cdktf, Node built-ins and the public index ./lib', () => {
    const specs = specifiers('main.ts', fs.readFileSync(path.join(ROOT, 'main.ts'), 'utf8')).map((s) => s.spec);
    expect(specs).toContain('./lib');
    const builtins = new Set(require('module').builtinModules as string[]);
    expect(
      specs.filter((s) => s !== './lib' && s !== 'cdktf' && !builtins.has((s ?? '').replace(/^node:/, ''))),
    ).toEqual([]);
  });
});
