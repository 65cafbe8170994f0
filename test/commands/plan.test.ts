import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  classifyTerraformError,
  cloudsOf,
  findExecutable,
  missingCredentials,
  PLAN_EXIT,
  planMain,
  statefulDeletes,
} from '../../lib/commands/plan';
import { diffSynth } from '../../lib/commands/diff';
import { readSynthOutput } from '../../lib/commands/synth-output';
import { ALL_RULES } from '../../lib/policy';
import { REPO } from '../support/env-dir';

const DIFF = path.join(REPO, 'test/fixtures/diff');

/** A copy of a fixture output tree (terraform writes into stack directories). */
function copyOut(src: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-plan-'));
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

function run(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = planMain(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: REPO, env });
  return { code, stdout, stderr };
}

/** An environment without terraform on PATH and without any cloud credentials. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-home-'));
  return { PATH: path.dirname(process.execPath), HOME: home, ...extra };
}

describe('npm run plan without Terraform or credentials', () => {
  test('says terraform is missing, after the offline checks passed, with exit 4', () => {
    const out = copyOut(path.join(DIFF, 'no-op'));
    const r = run(['--out', out, 'prod-cutover'], bareEnv());
    expect(r.code).toBe(PLAN_EXIT.noTerraform);
    expect(r.stderr).toContain(`plan: offline check: guardrails (${ALL_RULES.length} rules): 0 violation(s)`);
    expect(r.stderr).toContain('plan: offline checks passed');
    expect(r.stderr).toMatch(/plan: terraform not found on PATH; cannot make plans \(the offline checks passed\)/);
    expect(r.stderr.indexOf('offline checks passed')).toBeLessThan(r.stderr.indexOf('terraform not found'));
  });

  test('says which credentials are missing with exit 5 when terraform is there', () => {
    const out = copyOut(path.join(DIFF, 'no-op'));
    const terraform = findExecutable('terraform', process.env.PATH);
    expect(terraform).toBeDefined();
    const r = run(['--out', out, 'prod-cutover'], bareEnv({ TERRAFORM_BIN: terraform }));
    expect(r.code).toBe(PLAN_EXIT.noCredentials);
    expect(r.stderr).toContain('plan: no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE');
    expect(fs.existsSync(path.join(out, 'stacks/prod-cutover/.terraform'))).toBe(false);
  });

  test('--changed plans only the stacks that differ from the base', () => {
    const out = copyOut(path.join(DIFF, 'traffic-change'));
    const r = run(['--changed', '--base-out', path.join(DIFF, 'base'), '--out', out], bareEnv());
    expect(r.stderr).toContain('plan: 1 stack(s) to plan (changed since the base): prod-cutover');
    expect(r.code).toBe(PLAN_EXIT.noTerraform);
  });

  test('--changed --diff-json reuses the report of an earlier diff', () => {
    const out = copyOut(path.join(DIFF, 'traffic-change'));
    const report = path.join(out, 'diff.json');
    fs.writeFileSync(report, JSON.stringify(diffSynth(readSynthOutput(path.join(DIFF, 'base')), readSynthOutput(out))));
    const r = run(['--changed', '--diff-json', report, '--out', out], bareEnv());
    expect(r.stderr).toContain('plan: 1 stack(s) to plan (changed since the base): prod-cutover');
    expect(r.code).toBe(PLAN_EXIT.noTerraform);
  });

  test('fails on a diff report that is not one, with exit 1', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-plan-')), 'diff.json');
    fs.writeFileSync(file, '{"hello": 1}');
    const r = run(['--changed', '--diff-json', file, '--out', path.join(DIFF, 'no-op')], bareEnv());
    expect(r.code).toBe(PLAN_EXIT.failed);
    expect(r.stderr).toContain('not a diff report');
  });

  test('fails on a stateful removal since the base before any terraform step, with exit 1', () => {
    const out = copyOut(path.join(DIFF, 'stateful-removal'));
    const r = run(['--changed', '--base-out', path.join(DIFF, 'base'), '--out', out], bareEnv());
    expect(r.code).toBe(PLAN_EXIT.failed);
    expect(r.stderr).toContain('prod-shared prod-shared/archive/bucket stateful-removal: aws_s3_bucket is removed');
    expect(r.stderr).toContain('cannot make plans (the offline checks failed (above))');
  });

  test('fails on a guardrail violation in a selected stack', () => {
    const out = copyOut(path.join(DIFF, 'new-suppression'));
    const file = path.join(out, 'stacks/prod-shared/cdk.tf.json');
    const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete tf.resource.aws_cloudwatch_log_group.logs_app_6F['//'].guardrails;
    fs.writeFileSync(file, JSON.stringify(tf));
    const r = run(['--out', out, 'prod-shared'], bareEnv());
    expect(r.code).toBe(PLAN_EXIT.failed);
    expect(r.stderr).toContain('prod-shared prod-shared/logs/app log-group-retention: log group keeps logs forever');
  });

  test('fails on an unknown stack name or --changed without a base, with exit 2', () => {
    expect(run(['--out', path.join(DIFF, 'no-op'), 'prod-nope'], bareEnv()).stderr).toContain(
      'no synthesized stack named prod-nope',
    );
    expect(run(['--changed', '--out', path.join(DIFF, 'no-op')], bareEnv()).code).toBe(PLAN_EXIT.usage);
  });
});

describe('plan helpers', () => {
  test('statefulDeletes finds deletes and replacements of stateful types only', () => {
    const planJson = {
      resource_changes: [
        {
          address: 'aws_s3_bucket.archive',
          type: 'aws_s3_bucket',
          mode: 'managed',
          change: { actions: ['delete', 'create'] },
        },
        {
          address: 'aws_cloudwatch_log_group.app',
          type: 'aws_cloudwatch_log_group',
          mode: 'managed',
          change: { actions: ['delete'] },
        },
        {
          address: 'aws_launch_template.fleet',
          type: 'aws_launch_template',
          mode: 'managed',
          change: { actions: ['delete'] },
        },
        { address: 'aws_s3_bucket.logs', type: 'aws_s3_bucket', mode: 'managed', change: { actions: ['update'] } },
      ],
    };
    expect(statefulDeletes(planJson).map((d) => d.address)).toEqual([
      'aws_s3_bucket.archive',
      'aws_cloudwatch_log_group.app',
    ]);
  });

  test('cloudsOf counts an S3 backend as AWS', () => {
    expect(cloudsOf({ provider: { digitalocean: [{}] }, terraform: { backend: { s3: {} } } })).toEqual([
      'aws',
      'digitalocean',
    ]);
    expect(cloudsOf({ terraform: { backend: { local: {} } } })).toEqual([]);
  });

  test('missingCredentials accepts keys, profiles, web identity and credential files', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-home-'));
    expect(missingCredentials('aws', { HOME: home })).toMatch(/^no AWS credentials/);
    expect(
      missingCredentials('aws', { HOME: home, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }),
    ).toBeUndefined();
    expect(
      missingCredentials('aws', { HOME: home, AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn' }),
    ).toBeUndefined();
    fs.mkdirSync(path.join(home, '.aws'));
    fs.writeFileSync(path.join(home, '.aws/credentials'), '[default]\n');
    expect(missingCredentials('aws', { HOME: home })).toBeUndefined();
    expect(missingCredentials('digitalocean', {})).toMatch(/DIGITALOCEAN_TOKEN/);
  });

  test('classifyTerraformError tells registry, credential and other failures apart', () => {
    expect(
      classifyTerraformError(
        'Error: Failed to query available provider packages\ncould not connect to registry.terraform.io',
      ).code,
    ).toBe(PLAN_EXIT.registryUnreachable);
    expect(
      classifyTerraformError(
        'Error: validating provider credentials: retrieving caller identity from STS: no such host',
      ).code,
    ).toBe(PLAN_EXIT.noCredentials);
    expect(classifyTerraformError('Error: Unsupported argument').code).toBe(PLAN_EXIT.failed);
  });
});
