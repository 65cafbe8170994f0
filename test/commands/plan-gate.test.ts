import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { plan, PLAN_EXIT, planMain, sharedChangesInPlan, MIN_ALLOWANCE_REASON_LENGTH } from '../../lib/commands/plan';
import { REPO } from '../support/env-dir';

const DIFF = path.join(REPO, 'test/fixtures/diff');

/** The no-op fixture with the archive bucket's versioning resource pointed at another bucket: a stateless replacement in prod-shared. */
function sharedReplacement(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-gate-'));
  fs.cpSync(path.join(DIFF, 'no-op'), dir, { recursive: true });
  const file = path.join(dir, 'stacks/prod-shared/cdk.tf.json');
  const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
  tf.resource.aws_s3_bucket_versioning.archive_versioning_2B.bucket = 'shop-prod-archive-v2';
  fs.writeFileSync(file, JSON.stringify(tf));
  return dir;
}

function run(argv: string[]) {
  let stderr = '';
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-home-'));
  const code = planMain(argv, {
    stdout: () => {},
    stderr: (t) => (stderr += t),
    cwd: REPO,
    env: { PATH: path.dirname(process.execPath), HOME: home },
  });
  return { code, stderr };
}

describe('the shared-stack gate of npm run plan (offline, from the diff)', () => {
  test('fails on a replacement of a stateless resource in <env>-shared, naming it and the flag, with exit 1', () => {
    const out = sharedReplacement();
    const r = run(['--changed', '--base-out', path.join(DIFF, 'base'), '--out', out]);
    expect(r.code).toBe(PLAN_EXIT.failed);
    expect(r.stderr).toContain('plan: offline check: replaces or deletes in shared stacks since the base: 1');
    expect(r.stderr).toContain(
      'prod-shared aws_s3_bucket_versioning.archive_versioning_2B: replace (forced by bucket) in the shared stack',
    );
    expect(r.stderr).toContain('--allow-shared-replace "<reason>"');
  });

  test('lets it through with --allow-shared-replace and a written reason, which the result keeps', () => {
    const out = sharedReplacement();
    const reason = 'archive versioning moves to the v2 bucket; deploy prod-shared only';
    const r = run(['--changed', '--base-out', path.join(DIFF, 'base'), '--out', out, '--allow-shared-replace', reason]);
    expect(r.stderr).toContain(
      `allowed (--allow-shared-replace "${reason}"): prod-shared aws_s3_bucket_versioning.archive_versioning_2B: replace`,
    );
    expect(r.stderr).not.toContain('it reaches every stack of the environment');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-home-'));
    const result = plan({
      changed: true,
      baseOut: path.join(DIFF, 'base'),
      out,
      projectDir: REPO,
      allowSharedReplace: reason,
      env: { PATH: path.dirname(process.execPath), HOME: home },
      log: () => {},
    });
    expect(result.allowance).toEqual({
      reason,
      changes: [
        {
          stack: 'prod-shared',
          address: 'aws_s3_bucket_versioning.archive_versioning_2B',
          action: 'replace',
          because: 'forced by bucket',
        },
      ],
    });
    expect(result.problems.filter((p) => p.includes('shared stack'))).toEqual([]);
  });

  test('refuses a reason that says nothing, with exit 2', () => {
    const r = run([
      '--changed',
      '--base-out',
      path.join(DIFF, 'base'),
      '--out',
      sharedReplacement(),
      '--allow-shared-replace',
      'ok',
    ]);
    expect(r.code).toBe(PLAN_EXIT.usage);
    expect(r.stderr).toContain(
      `--allow-shared-replace needs a written reason (at least ${MIN_ALLOWANCE_REASON_LENGTH} characters`,
    );
  });

  test('a change that replaces nothing in the shared stack passes the gate', () => {
    const r = run(['--changed', '--base-out', path.join(DIFF, 'base'), '--out', path.join(DIFF, 'traffic-change')]);
    expect(r.stderr).toContain('plan: offline check: replaces or deletes in shared stacks since the base: 0');
    expect(r.code).toBe(PLAN_EXIT.noTerraform);
  });
});

describe('sharedChangesInPlan', () => {
  const planJson = {
    resource_changes: [
      {
        address: 'aws_lb_target_group.blue',
        type: 'aws_lb_target_group',
        mode: 'managed',
        change: { actions: ['delete', 'create'], replace_paths: [['port']] },
      },
      { address: 'aws_route.nat', type: 'aws_route', mode: 'managed', change: { actions: ['delete'] } },
      { address: 'aws_lb.alb', type: 'aws_lb', mode: 'managed', change: { actions: ['update'] } },
      { address: 'data.aws_ami.x', type: 'aws_ami', mode: 'data', change: { actions: ['delete'] } },
    ],
  };

  test('finds every replace and delete (any type) of a shared stack, with the forcing paths', () => {
    expect(sharedChangesInPlan('prod-shared', planJson)).toEqual([
      { stack: 'prod-shared', address: 'aws_lb_target_group.blue', action: 'replace', because: 'forced by port' },
      { stack: 'prod-shared', address: 'aws_route.nat', action: 'delete' },
    ]);
  });

  test('ignores the other stacks', () => {
    expect(sharedChangesInPlan('prod-blue', planJson)).toEqual([]);
  });
});
