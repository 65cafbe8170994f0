// A prop mistake, end to end: a real app process (`node --require ./bin/register.js <app>.ts`) prints the construct's
// ConstructPropsError as one line (construct path, value, fix), no stack trace, exits non-zero and writes no stack JSON.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../support/env-dir';

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function runFixture(badProp: string) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-props-'));
  temporary.push(cwd);
  const run = spawnSync(
    'node',
    ['--require', path.join(REPO, 'bin/register.js'), path.join(REPO, 'test/fixtures/bad-props-app.ts')],
    { cwd, env: { ...process.env, BAD_PROP: badProp }, encoding: 'utf8', timeout: 90_000 },
  );
  return { ...run, cwd };
}

describe('a prop mistake in a real app process', () => {
  test.each([
    [
      'a construct check (ReleaseRegistry keepImages 0)',
      'keepImages',
      'prod-shared/registry: keepImages must be a whole number >= 1, got 0. Fix: ',
    ],
    [
      "a renderer's check reached through its construct (LogStore indexRetentionDays 0)",
      'indexRetentionDays',
      'prod-shared/log-store: log store: retentionDays 0 must be a whole number of days between 1 and 3650. Fix: ',
    ],
  ])('%s prints one line with the construct path and the fix, no stack, exits 1, writes nothing', (_n, bad, start) => {
    const run = runFixture(bad);
    expect(run.status).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('prod-shared/'))).toHaveLength(1);
    expect(lines[0].startsWith(start)).toBe(true);
    expect(lines.filter((l) => l.startsWith('    at '))).toEqual([]);
    expect(lines).toEqual([lines[0], 'Nothing was synthesized.']);
    // `new App()` creates the empty cdktf.out/stacks; nothing is written into it.
    expect(fs.existsSync(path.join(run.cwd, 'cdktf.out/manifest.json'))).toBe(false);
    expect(fs.readdirSync(path.join(run.cwd, 'cdktf.out/stacks'))).toEqual([]);
  });
});
