import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { App, Aspects, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  ALL_RULES,
  enforceGuardrails,
  formatFinding,
  GuardrailAspect,
  PolicyPack,
  reportPasses,
  suppress,
} from '../../lib/policy';
import { loadEnvironments } from '../../lib/config';
import { createEnvironmentStacks } from '../../stacks/environment-stacks';
import { envDir } from '../support/env-dir';

function tmpApp(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bg-pack-')) });
}

/** A stack with a bare bucket and an SSH-from-anywhere security group, inside a `team` construct. */
function insecureStack(app: App): { stack: TerraformStack; team: Construct; bucket: S3Bucket; sg: SecurityGroup } {
  const stack = new TerraformStack(app, 'demo-shared');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const team = new Construct(stack, 'team');
  const bucket = new S3Bucket(team, 'data', { bucket: 'demo-data' });
  const sg = new SecurityGroup(stack, 'ssh', {
    ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }],
  });
  return { stack, team, bucket, sg };
}

describe('PolicyPack', () => {
  test('has unique kebab-case ids, an explanation and a fix on every rule', () => {
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    for (const r of ALL_RULES) {
      expect(r.explanation).not.toMatch(/\n/);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(r.resourceTypes.length).toBeGreaterThan(0);
    }
  });

  test('fails a pack with the same rule twice', () => {
    expect(() => new PolicyPack([ALL_RULES[0], ALL_RULES[0]])).toThrow(/appears twice/);
  });

  test('reports violations with stack, construct path, rule id and fix, without writing anything', () => {
    const app = tmpApp();
    insecureStack(app);
    const report = new PolicyPack().checkApp(app);
    expect(reportPasses(report)).toBe(false);
    const ids = report.violations.map((f) => `${f.path} ${f.ruleId}`).sort();
    expect(ids).toEqual([
      'demo-shared/ssh sg-no-public-admin-ports',
      'demo-shared/team/data s3-access-logging',
      'demo-shared/team/data s3-kms-encryption',
      'demo-shared/team/data s3-public-access-block',
      'demo-shared/team/data s3-tls-only',
      'demo-shared/team/data s3-versioning',
      'demo-shared/team/data stateful-prevent-destroy',
    ]);
    const ssh = report.violations.find((f) => f.ruleId === 'sg-no-public-admin-ports')!;
    expect(ssh.checkovId).toBe('CKV_AWS_24, CKV_AWS_25');
    expect(formatFinding(ssh)).toMatch(
      /^demo-shared demo-shared\/ssh sg-no-public-admin-ports: security group allows SSH or RDP from anywhere \(port 22 open to 0\.0\.0\.0\/0\)\. Fix: /,
    );
    expect(fs.readdirSync(path.join(app.outdir, 'stacks'))).toEqual([]);
  });

  test('a suppression on a parent construct covers its resources and is recorded in the JSON', () => {
    const app = tmpApp();
    const { team, sg } = insecureStack(app);
    for (const id of [
      's3-access-logging',
      's3-kms-encryption',
      's3-public-access-block',
      's3-tls-only',
      's3-versioning',
      'stateful-prevent-destroy',
    ]) {
      suppress(team, id, 'scratch bucket for a throwaway demo stack');
    }
    suppress(sg, 'sg-no-public-admin-ports', 'honeypot: SSH is meant to be reachable');
    const report = new PolicyPack().checkApp(app);
    expect(report.violations).toEqual([]);
    expect(report.suppressed.map((f) => f.ruleId).sort()).toEqual([
      's3-access-logging',
      's3-kms-encryption',
      's3-public-access-block',
      's3-tls-only',
      's3-versioning',
      'sg-no-public-admin-ports',
      'stateful-prevent-destroy',
    ]);
    app.synth();
    const tf = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks/demo-shared/cdk.tf.json'), 'utf8'));
    const sgJson = Object.values(tf.resource.aws_security_group)[0] as {
      '//': { guardrails: { suppressions: unknown } };
    };
    expect(sgJson['//'].guardrails.suppressions).toEqual([
      { id: 'sg-no-public-admin-ports', reason: 'honeypot: SSH is meant to be reachable' },
    ]);
  });

  test('fails a suppression that names an unknown rule', () => {
    const app = tmpApp();
    const { sg } = insecureStack(app);
    suppress(sg, 'sg-no-public-ssh', 'typo in the rule id must not hide anything');
    const report = new PolicyPack().checkApp(app);
    expect(reportPasses(report)).toBe(false);
    expect(report.unknownSuppressions).toEqual([
      { stack: 'demo-shared', path: 'demo-shared/ssh', ruleId: 'sg-no-public-ssh' },
    ]);
  });

  test('fails a suppression without a reason or with a malformed id', () => {
    const app = tmpApp();
    const { sg } = insecureStack(app);
    expect(() => suppress(sg, 'sg-no-public-admin-ports', '')).toThrow(/reason of at least 10 characters/);
    expect(() => suppress(sg, 'CKV_AWS_24', 'checkov ids are not rule ids')).toThrow(/not a rule id/);
  });

  test('enforceGuardrails fails and removes the empty output directory', () => {
    const app = tmpApp();
    insecureStack(app);
    let out = '';
    expect(enforceGuardrails(app, { write: (t) => (out += t) })).toBe(false);
    expect(out).toContain('guardrails: ');
    expect(out).toContain('Nothing was synthesized');
    expect(fs.existsSync(app.outdir)).toBe(false);
  });

  test('GuardrailAspect turns violations into error annotations that stop app.synth()', () => {
    const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    try {
      const app = tmpApp();
      const { stack } = insecureStack(app);
      Aspects.of(stack).add(new GuardrailAspect());
      expect(() => app.synth()).toThrow(/sg-no-public-admin-ports/);
    } finally {
      if (saved !== undefined) process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
    }
  });
});

describe('the shipped environments', () => {
  const app = tmpApp();
  for (const config of loadEnvironments({ dir: envDir() })) createEnvironmentStacks(app, config);
  const report = new PolicyPack().checkApp(app);

  test('pass every guardrail', () => {
    expect(report.violations.map(formatFinding)).toEqual([]);
    expect(report.unknownSuppressions).toEqual([]);
    expect(report.stacks.length).toBeGreaterThanOrEqual(12);
  });

  test('give every suppression a reason', () => {
    for (const f of report.suppressed) expect(f.suppressedBecause!.length).toBeGreaterThanOrEqual(10);
  });
});
