// The GitHub workflows: parsed as YAML, every npm script and flag they use exists, and the jq filter that picks
// the touched environments is run by the real jq on a real diff report.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { diffSynth } from '../../lib/commands/diff';
import { DIAGRAM_HELP } from '../../lib/commands/diagram';
import { DIFF_HELP } from '../../lib/commands/diff';
import { PLAN_HELP } from '../../lib/commands/plan';
import { readSynthOutput } from '../../lib/commands/synth-output';
import { REPO } from '../support/env-dir';

type Step = { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { steps: Step[]; environment?: string; needs?: string; outputs?: Record<string, string> };
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };

const load = (name: string) => parse(fs.readFileSync(path.join(REPO, '.github/workflows', name), 'utf8')) as Workflow;
const scripts = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const runs = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? '')).join('\n');
const HELP: Record<string, string> = { diff: DIFF_HELP, plan: PLAN_HELP, diagram: DIAGRAM_HELP };

describe.each(['pr.yml', 'deploy.yml'])('%s', (file) => {
  const w = load(file);

  test('runs only npm scripts that exist, with flags their --help documents', () => {
    for (const m of runs(w).matchAll(/npm run (?:--silent )?([a-z-]+)(?: -- ([^\n]*))?/g)) {
      expect(scripts).toHaveProperty(m[1]);
      for (const flag of (m[2] ?? '').match(/--[a-z-]+/g) ?? []) {
        if (HELP[m[1]] && flag !== '--auto-approve') expect(HELP[m[1]]).toContain(flag);
      }
    }
  });

  test('requests an OIDC token and no write access to contents', () => {
    expect(w.permissions['id-token']).toBe('write');
    expect(w.permissions.contents).toBe('read');
  });
});

describe('pr.yml', () => {
  const w = load('pr.yml');
  const steps = w.jobs.check.steps;

  test('runs on pull requests: install, test, synth, diff, diagrams, plan, comment, in that order', () => {
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    const order = ['npm ci', 'npm test', 'npx cdktf synth', 'npm run --silent diff', 'npm run --silent diagram', 'npm run --silent plan'];
    const at = order.map((cmd) => steps.findIndex((s) => (s.run ?? '').includes(cmd)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(steps.findIndex((s) => s.uses?.startsWith('actions/github-script'))).toBeGreaterThan(at[at.length - 1]);
  });

  test('assumes the plan role from a repository variable', () => {
    const creds = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(creds.with!['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    expect(w.permissions['pull-requests']).toBe('write');
  });

  test('the jq filter names the environments a diff touches (real jq)', () => {
    const fixtures = path.join(REPO, 'test/fixtures/diff');
    const report = diffSynth(readSynthOutput(path.join(fixtures, 'base')), readSynthOutput(path.join(fixtures, 'traffic-change')));
    const filter = /jq -r '([^']+)' diff\.json/.exec(runs(w))![1];
    const jq = spawnSync('jq', ['-r', filter], { input: JSON.stringify(report), encoding: 'utf8' });
    expect(jq.stderr).toBe('');
    expect(jq.stdout.trim()).toBe('prod');
  });
});

describe('deploy.yml', () => {
  const w = load('deploy.yml');

  test('deploys one stack on manual dispatch, behind the environment named after it', () => {
    expect(Object.keys(w.on)).toEqual(['workflow_dispatch']);
    expect((w.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> }).inputs.stack.required).toBe(true);
    expect(w.jobs.deploy.needs).toBe('plan');
    expect(w.jobs.deploy.environment).toBe('${{ needs.plan.outputs.environment }}');
    expect(runs(w)).toContain('npm run --silent deploy -- "${{ inputs.stack }}"');
  });

  test('the stack-name check accepts <env>-<role> and extracts the environment (real bash)', () => {
    const check = w.jobs.plan.steps.find((s) => s.name === 'Check the stack name')!.run!;
    const run = (stack: string) => {
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-wf-')), 'out');
      const r = spawnSync('bash', ['-c', check], { env: { PATH: process.env.PATH, STACK: stack, GITHUB_OUTPUT: out }, encoding: 'utf8' });
      return { status: r.status, output: fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '', stdout: r.stdout };
    };
    expect(run('prod-green')).toMatchObject({ status: 0, output: 'environment=prod\n' });
    expect(run('eu-prod-cutover').output).toBe('environment=eu-prod\n');
    const bad = run('prod-purple');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain('stack must be <env>-<shared|blue|green|cutover>');
  });
});
