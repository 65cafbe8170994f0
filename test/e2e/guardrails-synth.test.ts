// The guardrail step of synth, end to end: a real app process with an insecure override fails with the rule id
// and writes nothing; with a suppression it synthesizes and lists the suppression.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { envDir, REPO } from '../support/env-dir';

function runFixture(env: Record<string, string> = {}) {
  const cwd = path.dirname(envDir());
  const run = spawnSync(
    'node',
    ['--require', path.join(REPO, 'bin/register.js'), path.join(REPO, 'test/fixtures/insecure-app.ts')],
    {
      cwd,
      env: { ...process.env, SYNTH_ENVS: 'staging', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { ...run, cwd };
}

describe('guardrails at synth', () => {
  test('fails synth on SSH from anywhere, naming stack, construct path, rule id and fix, and writes nothing', () => {
    // The cdktf CLI sets this; the guardrail step must not depend on error annotations.
    const run = runFixture({ CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'staging-shared staging-shared/debug-ssh sg-no-public-admin-ports: security group allows SSH or RDP from anywhere (port 22 open to 0.0.0.0/0). Fix: restrict the ingress source',
    );
    expect(run.stderr).toContain('Nothing was synthesized');
    expect(fs.existsSync(path.join(run.cwd, 'cdktf.out'))).toBe(false);
  });

  test('fails `cdktf synth` (the CLI) the same way, leaving no cdktf.out', () => {
    const cwd = path.dirname(envDir());
    const app = `node --require ${path.join(REPO, 'bin/register.js')} ${path.join(REPO, 'test/fixtures/insecure-app.ts')}`;
    fs.writeFileSync(
      path.join(cwd, 'cdktf.json'),
      JSON.stringify({ language: 'typescript', app, sendCrashReports: 'false' }),
    );
    const run = spawnSync(path.join(REPO, 'node_modules/.bin/cdktf'), ['synth'], {
      cwd,
      env: { ...process.env, SYNTH_ENVS: 'staging', CI: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain('staging-shared staging-shared/debug-ssh sg-no-public-admin-ports');
    expect(fs.existsSync(path.join(cwd, 'cdktf.out', 'stacks', 'staging-shared'))).toBe(false);
  });

  test('a suppression with a reason lets synth go ahead and is listed in the output and the stack JSON', () => {
    const run = runFixture({ INSECURE_SUPPRESS: 'break-glass access for incident 42, removed after the review' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'staging-shared staging-shared/debug-ssh sg-no-public-admin-ports suppressed: break-glass access for incident 42',
    );
    const listed = JSON.parse(fs.readFileSync(path.join(run.cwd, 'cdktf.out/guardrails.json'), 'utf8'));
    expect(listed.violations).toBe(0);
    expect(listed.suppressed).toContainEqual({
      stack: 'staging-shared',
      path: 'staging-shared/debug-ssh',
      rule: 'sg-no-public-admin-ports',
      reason: 'break-glass access for incident 42, removed after the review',
    });
    const tf = JSON.parse(fs.readFileSync(path.join(run.cwd, 'cdktf.out/stacks/staging-shared/cdk.tf.json'), 'utf8'));
    const sg = Object.values(tf.resource.aws_security_group as Record<string, { '//': { guardrails: unknown } }>).find(
      (r) => JSON.stringify(r).includes('debug-ssh'),
    );
    expect(sg?.['//'].guardrails).toEqual({
      suppressions: [
        { id: 'sg-no-public-admin-ports', reason: 'break-glass access for incident 42, removed after the review' },
      ],
    });
  });
});
