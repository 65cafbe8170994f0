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
import { summarizePlan } from '../../lib/commands/plan-summary';
import { readSynthOutput } from '../../lib/commands/synth-output';
import { REPO } from '../support/env-dir';

type Step = {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Job = {
  steps: Step[];
  environment?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  permissions?: Record<string, string>;
};
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };

const load = (name: string) => parse(fs.readFileSync(path.join(REPO, '.github/workflows', name), 'utf8')) as Workflow;
const scripts = (
  JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const runs = (w: Workflow) =>
  Object.values(w.jobs)
    .flatMap((j) => j.steps.map((s) => s.run ?? ''))
    .join('\n');
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

  test('no job can write to contents, and only jobs that assume a cloud role get an OIDC token', () => {
    for (const [name, job] of Object.entries(w.jobs)) {
      const permissions = { ...w.permissions, ...job.permissions };
      expect({ name, contents: permissions.contents ?? 'none' }).not.toEqual({ name, contents: 'write' });
      const assumes = job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect({ name, idToken: permissions['id-token'] === 'write' }).toEqual({ name, idToken: assumes });
    }
  });

  test('uploads no binary plan, no terraform show -json and no state (only the redacted plan-summary.json)', () => {
    const uploads = Object.values(w.jobs).flatMap((j) =>
      j.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')),
    );
    for (const s of uploads)
      expect(String(s.with!.path)).not.toMatch(
        /plan\.json|\.tfplan|tfstate|cdktf\.out\/stacks\/\*\/?$|cdktf\.out\/?$/m,
      );
    expect(runs(w)).not.toMatch(/terraform show(?! -json)/); // human show prints values Terraform does not mark sensitive
  });
});

describe('pr.yml', () => {
  const w = load('pr.yml');
  const { build, plan, comment } = w.jobs;
  const runsOf = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

  test('runs on pull requests: build (install, test, synth, checkov, diff, diagrams), then plan, then the comment', () => {
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    const order = [
      'npm ci',
      'npm test',
      'npx cdktf synth',
      'npm run --silent checkov',
      'npm run --silent diff',
      'npm run --silent diagram',
    ];
    const at = order.map((cmd) => build.steps.findIndex((s) => (s.run ?? '').includes(cmd)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(plan.needs).toBe('build');
    expect(runsOf(plan)).toContain('npm run --silent plan -- --changed --diff-json pr/diff.json --out pr/cdktf.out');
    expect(comment.needs).toEqual(['build', 'plan']);
    expect(comment.steps.some((s) => s.uses?.startsWith('actions/github-script'))).toBe(true);
  });

  test('the job that runs the PR code holds no credentials: no OIDC token, no secrets, no token left in the checkout', () => {
    expect(w.permissions).toEqual({});
    expect(build.permissions).toEqual({ contents: 'read' });
    expect(JSON.stringify(build)).not.toMatch(/secrets\.|configure-aws-credentials|id-token/);
    expect(build.steps.find((s) => s.uses?.startsWith('actions/checkout'))!.with!['persist-credentials']).toBe(false);
  });

  test('the plan job waits for approval and runs only trusted code: the base branch, and the PR only as data', () => {
    expect(plan.environment).toBe('pr-plan');
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const checkout = plan.steps.find((s) => s.uses?.startsWith('actions/checkout'))!;
    expect(checkout.with!.ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect(runsOf(plan)).not.toMatch(/npm test|cdktf synth|npm run --silent (diff|diagram|checkov)/);
    const download = plan.steps.findIndex((s) => s.uses?.startsWith('actions/download-artifact'));
    const creds = plan.steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(download).toBeGreaterThan(0);
    expect(creds).toBeGreaterThan(download);
    expect(plan.steps[creds].with!['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
  });

  test('the comment job checks nothing out and only it may write to the pull request', () => {
    expect(comment.permissions).toEqual({ 'pull-requests': 'write' });
    expect(comment.steps.some((s) => s.uses?.startsWith('actions/checkout'))).toBe(false);
    expect(build.permissions!['pull-requests']).toBeUndefined();
    expect(plan.permissions!['pull-requests']).toBeUndefined();
  });

  test('the jq filter names the environments a diff touches (real jq)', () => {
    const fixtures = path.join(REPO, 'test/fixtures/diff');
    const report = diffSynth(
      readSynthOutput(path.join(fixtures, 'base')),
      readSynthOutput(path.join(fixtures, 'traffic-change')),
    );
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
    expect((w.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> }).inputs.stack.required).toBe(
      true,
    );
    expect(w.jobs.deploy.needs).toBe('plan');
    expect(w.jobs.deploy.environment).toBe('${{ needs.plan.outputs.environment }}');
    expect(runs(w)).toContain('npm run --silent deploy -- "${{ inputs.stack }}"');
  });

  test('the run summary renders the redacted plan-summary.json (real jq on a real summary)', () => {
    const step = w.jobs.plan.steps.find((s) => (s.run ?? '').includes('GITHUB_STEP_SUMMARY'))!.run!;
    const filter = /jq -r '([^']+)'/.exec(step)![1];
    const summary = summarizePlan({
      resource_changes: [
        {
          address: 'aws_lb_listener.https',
          type: 'aws_lb_listener',
          mode: 'managed',
          change: {
            actions: ['update'],
            before: { port: 443, ssl_policy: 'a' },
            after: { port: 443, ssl_policy: 'b' },
          },
        },
        {
          address: 'aws_s3_bucket.logs',
          type: 'aws_s3_bucket',
          mode: 'managed',
          change: { actions: ['no-op'], before: {}, after: {} },
        },
      ],
    });
    const jq = spawnSync('jq', ['-r', filter], { input: JSON.stringify(summary), encoding: 'utf8' });
    expect(jq.stderr).toBe('');
    expect(jq.stdout).toBe('update aws_lb_listener.https ssl_policy\n');
  });

  test('the stack-name check accepts <env>-<role> and extracts the environment (real bash)', () => {
    const check = w.jobs.plan.steps.find((s) => s.name === 'Check the stack name')!.run!;
    const run = (stack: string) => {
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-wf-')), 'out');
      const r = spawnSync('bash', ['-c', check], {
        env: { PATH: process.env.PATH, STACK: stack, GITHUB_OUTPUT: out },
        encoding: 'utf8',
      });
      return { status: r.status, output: fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '', stdout: r.stdout };
    };
    expect(run('prod-green')).toMatchObject({ status: 0, output: 'environment=prod\n' });
    expect(run('eu-prod-cutover').output).toBe('environment=eu-prod\n');
    const bad = run('prod-purple');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain('stack must be <env>-<shared|blue|green|cutover>');
  });
});
