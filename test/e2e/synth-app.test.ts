import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { envDir, REPO, withValue } from '../support/env-dir';
import { readTree } from '../support/tree';

/** A temporary project: the shipped environments (with edits) and a cdktf.json pointing at this repo's app. */
function project(edits: Record<string, string | null> = {}): string {
  const root = path.dirname(envDir(edits));
  const app = `node --require ${path.join(REPO, 'bin/register.js')} ${path.join(REPO, 'main.ts')}`;
  fs.writeFileSync(
    path.join(root, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app, sendCrashReports: 'false' }),
  );
  return root;
}

function runApp(cwd: string, env: Record<string, string> = {}) {
  const [cmd, ...args] = ['node', '--require', path.join(REPO, 'bin/register.js'), path.join(REPO, 'main.ts')];
  return spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('the app (main.ts)', () => {
  test('synthesizes every environment into cdktf.out/', () => {
    const cwd = project();
    const run = runApp(cwd);
    expect(run.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(cwd, 'cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toHaveLength(12);
  });

  test('SYNTH_ENVS limits synthesis to the named environments', () => {
    const cwd = project();
    const run = runApp(cwd, { SYNTH_ENVS: 'prod,staging' });
    expect(run.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(cwd, 'cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(
      ['prod', 'staging'].flatMap((e) => ['blue', 'cutover', 'green', 'shared'].map((r) => `${e}-${r}`)),
    );
  });

  test('fails on invalid values with the message, a non-zero exit and no cdktf.out', () => {
    const cwd = project({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'blue'], 50) });
    const run = runApp(cwd);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('environments/prod.yaml: traffic.green: weights must sum to 100 (got 150)');
    expect(run.stderr).toContain('Nothing was synthesized.');
    expect(fs.existsSync(path.join(cwd, 'cdktf.out'))).toBe(false);
  });

  test('fails on invalid values without touching an existing cdktf.out (even for valid environments)', () => {
    const cwd = project();
    expect(runApp(cwd).status).toBe(0);
    const before = readTree(path.join(cwd, 'cdktf.out'));
    fs.writeFileSync(
      path.join(cwd, 'environments/staging.yaml'),
      withValue('staging.yaml', ['colors', 'green', 'release', 'artifact'], 'shop:latest'),
    );
    fs.writeFileSync(
      path.join(cwd, 'environments/prod.yaml'),
      withValue('prod.yaml', ['app', 'instanceType'], 'm6i.xlarge'),
    );
    const run = runApp(cwd);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'environments/staging.yaml: colors.green.release.artifact: "shop:latest" is a mutable reference',
    );
    expect(readTree(path.join(cwd, 'cdktf.out'))).toEqual(before);
  });

  test('through `cdktf synth`: invalid values exit non-zero and create no cdktf.out', () => {
    const cwd = project({ 'dev.yaml': withValue('dev.yaml', ['network', 'vpcCidr'], '10.10.0.1/20') });
    const cli = path.join(REPO, 'node_modules/.bin/cdktf');
    const run = spawnSync(cli, ['synth'], {
      cwd,
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0' },
    });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(
      'environments/dev.yaml: network.vpcCidr: "10.10.0.1/20" has host bits set; did you mean 10.10.0.0/20?',
    );
    expect(fs.existsSync(path.join(cwd, 'cdktf.out'))).toBe(false);
  });
});
