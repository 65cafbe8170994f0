// Invalid values under the real cdktf CLI (`cdktf synth`, cdktf-cli 0.21): the CLI echoes the app's stderr live and,
// when the app exits non-zero, prints all of it again in its failure summary ("Command output on stderr"), so every
// problem used to appear twice. main.ts now stops with no manifest instead (exit 0 under the CLI only); the CLI then
// fails on the missing manifest. These tests run the real CLI and count the lines.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { envDir, REPO, withValue } from '../support/env-dir';

const CDKTF = path.join(REPO, 'node_modules/.bin/cdktf');

/** A temporary project: the shipped environments (with edits) and a cdktf.json pointing at this repo's app. */
function project(edits: Record<string, string | null>): string {
  const root = path.dirname(envDir(edits));
  const app = `node --require ${path.join(REPO, 'bin/register.js')} ${path.join(REPO, 'main.ts')}`;
  fs.writeFileSync(
    path.join(root, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app, sendCrashReports: 'false' }),
  );
  fs.writeFileSync(path.join(root, 'terraform.rc'), '');
  return root;
}

function cdktfSynth(cwd: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: path.join(cwd, 'terraform.rc'),
    FORCE_COLOR: '0',
  };
  for (const k of Object.keys(env)) if (/^(CDKTF_|SYNTH_ENVS$)/.test(k)) delete env[k];
  const r = spawnSync(CDKTF, ['synth'], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const count = (text: string, line: string) => text.split(line).length - 1;

describe('invalid values under the cdktf CLI', () => {
  test('a typo in defaults.yaml is printed once (one problem, naming the shared file), and the CLI exits 1', () => {
    const cwd = project({ 'defaults.yaml': withValue('defaults.yaml', ['app', 'port'], 99999) });
    const run = cdktfSynth(cwd);
    expect(run.status).toBe(1);
    expect(count(run.output, 'environments/defaults.yaml: app.port: number must be less than or equal to 65535')).toBe(
      1,
    );
    expect(count(run.output, 'invalid environment values (1 problem)')).toBe(1);
    expect(run.output).not.toContain('Command output on stderr');
  }, 120_000);

  test('a stale cdktf.out from an earlier synth never passes for the refused one', () => {
    const cwd = project({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'blue'], 50) });
    fs.mkdirSync(path.join(cwd, 'cdktf.out/stacks/prod-cutover'), { recursive: true });
    fs.writeFileSync(
      path.join(cwd, 'cdktf.out/manifest.json'),
      JSON.stringify({
        version: '0.21.0',
        stacks: {
          'prod-cutover': {
            name: 'prod-cutover',
            synthesizedStackPath: 'stacks/prod-cutover/cdk.tf.json',
            workingDirectory: 'stacks/prod-cutover',
            annotations: [],
            dependencies: [],
          },
        },
      }),
    );
    const run = cdktfSynth(cwd);
    expect(run.status).toBe(1);
    expect(count(run.output, 'environments/prod.yaml: traffic.green: weights must sum to 100 (got 150)')).toBe(1);
    expect(fs.existsSync(path.join(cwd, 'cdktf.out/manifest.json'))).toBe(false);
  }, 120_000);
});
