import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { envDir, REPO } from '../support/env-dir';
import { readTree } from '../support/tree';

// `node --require ./bin/register.js <entry>.ts` runs the entry from one cached esbuild bundle (bin/app-bundle.js);
// CDKTF_BLUEGREEN_BUNDLE=0 runs it module by module, CDKTF_BLUEGREEN_BUNDLE=debug says which happened.

function run(entry: string, cwd: string, bundle: 'debug' | '0' = 'debug', env: Record<string, string> = {}) {
  return spawnSync('node', ['--require', path.join(REPO, 'bin/register.js'), entry], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...env, CDKTF_BLUEGREEN_BUNDLE: bundle },
    encoding: 'utf8',
    timeout: 90_000,
  });
}

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A temporary directory holding the given files (removed after the tests: its bundle is pruned on the next build). */
function sources(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-bundle-'));
  temporary.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the app run from its bundle (bin/app-bundle.js)', () => {
  test('writes the same cdktf.out as the app run module by module, from the bundle and then its code cache', () => {
    const cwd = path.dirname(envDir());
    const main = path.join(REPO, 'main.ts');
    const plain = run(main, cwd, '0');
    expect(plain.status).toBe(0);
    expect(plain.stderr).not.toContain('cdktf-bluegreen bundle');
    const expected = readTree(path.join(cwd, 'cdktf.out'));
    fs.rmSync(path.join(cwd, 'cdktf.out'), { recursive: true });

    const first = run(main, cwd);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain(`${main}: running from `);
    expect(readTree(path.join(cwd, 'cdktf.out'))).toEqual(expected);
    fs.rmSync(path.join(cwd, 'cdktf.out'), { recursive: true });

    const second = run(main, cwd);
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('with its code cache');
    expect(second.stderr).not.toContain(': bundled ');
    expect(readTree(path.join(cwd, 'cdktf.out'))).toEqual(expected);
  });

  test('a changed input file rebuilds the bundle; an unchanged one does not', () => {
    const dir = sources({
      'main.ts': "import { value } from './dep';\nconsole.log(value);\n",
      'dep.ts': "export const value: string = 'one';\n",
    });
    const main = path.join(dir, 'main.ts');
    const first = run(main, dir);
    expect([first.status, first.stdout.trim()]).toEqual([0, 'one']);
    expect(first.stderr).toMatch(/main\.ts: bundled 2 files in \d+ ms/);

    const again = run(main, dir);
    expect([again.status, again.stdout.trim()]).toEqual([0, 'one']);
    expect(again.stderr).not.toContain(': bundled ');

    fs.writeFileSync(path.join(dir, 'dep.ts'), "export const value: string = 'two';\n");
    const changed = run(main, dir);
    expect([changed.status, changed.stdout.trim()]).toEqual([0, 'two']);
    expect(changed.stderr).toContain(': bundled ');
  });

  test('a run under other V8 flags (the cdktf CLI sets NODE_OPTIONS) keeps its own code cache, not the other’s', () => {
    const dir = sources({ 'main.ts': "console.log('ok');\n" });
    const main = path.join(dir, 'main.ts');
    const cli = { NODE_OPTIONS: '--max-old-space-size=4096' };
    const cached = (r: ReturnType<typeof run>) => [r.stdout.trim(), r.stderr.includes('with its code cache')];
    expect(cached(run(main, dir))).toEqual(['ok', false]); // builds the bundle and the plain run's cache
    expect(cached(run(main, dir))).toEqual(['ok', true]);
    expect(cached(run(main, dir, 'debug', cli))).toEqual(['ok', false]); // V8 would refuse the plain run's cache
    expect(cached(run(main, dir, 'debug', cli))).toEqual(['ok', true]);
    expect(cached(run(main, dir))).toEqual(['ok', true]); // and the plain run's is still there
  });

  test('__dirname and __filename are each module’s own, as module by module', () => {
    const dir = sources({
      'main.ts': "import { where } from './sub/where';\nconsole.log(JSON.stringify([__filename, where]));\n",
      'sub/where.ts': 'export const where = [__dirname, __filename];\n',
    });
    const main = path.join(dir, 'main.ts');
    const bundled = run(main, dir);
    expect(bundled.stderr).toContain('running from');
    const expected = [main, [path.join(dir, 'sub'), path.join(dir, 'sub/where.ts')]];
    expect(JSON.parse(bundled.stdout)).toEqual(expected);
    expect(JSON.parse(run(main, dir, '0').stdout)).toEqual(expected);
  });

  test('an unexpected error prints its stack at the TypeScript lines, not the bundle’s', () => {
    const dir = sources({
      'main.ts': "import { explode } from './boom';\n\nexplode();\n",
      'boom.ts': "export function explode(): never {\n  const why: string = 'boom';\n  throw new Error(why);\n}\n",
    });
    const result = run(path.join(dir, 'main.ts'), dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('running from');
    expect(result.stderr).toContain('Error: boom');
    expect(result.stderr).toContain(`${path.join(dir, 'boom.ts')}:3:`);
    expect(result.stderr).toContain(`${path.join(dir, 'main.ts')}:3:`);
    expect(result.stderr).not.toMatch(/cdktf-bluegreen-app\/\w+\.js:\d+/);
  });

  test('a file esbuild cannot parse runs module by module, which reports the syntax error with its file', () => {
    const dir = sources({ 'main.ts': 'const broken = ;\n' });
    const result = run(path.join(dir, 'main.ts'), dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('bundling failed');
    expect(result.stderr).toContain('running module by module');
    expect(result.stderr).toContain(path.join(dir, 'main.ts'));
  });
});
