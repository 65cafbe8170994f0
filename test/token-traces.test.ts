import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO } from './support/env-dir';

// Runs in a child process: installing the hook changes Error.prepareStackTrace for the whole process.
function run(code: string, env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, ['--require', path.join(REPO, 'bin/register.js'), '-e', code], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
}

const PROBE = `
  const { skipTokenCreationTraces } = require('./lib/token-traces');
  const installed = skipTokenCreationTraces();
  const intrinsic = require('cdktf/lib/tokens/private/intrinsic');
  const trace = new intrinsic.Intrinsic(1).creationStack;
  function thrower() { throw new Error('boom'); }
  let stack = '';
  try { thrower(); } catch (e) { stack = e.stack; }
  process.stdout.write(JSON.stringify({ installed, traceLength: trace.length, stack }));
`;

describe('skipTokenCreationTraces', () => {
  test('cdktf token creation traces are empty; real errors keep their stack', () => {
    const out = run(PROBE);
    expect(out.installed).toBe(true);
    expect(out.traceLength).toBe(0);
    expect(out.stack).toMatch(/^Error: boom\n\s+at thrower /);
  });

  test('CDKTF_TOKEN_TRACES=1 keeps the traces for debugging', () => {
    const out = run(PROBE, { CDKTF_TOKEN_TRACES: '1' });
    expect(out.installed).toBe(false);
    expect(out.traceLength).toBeGreaterThan(0);
  });
});
