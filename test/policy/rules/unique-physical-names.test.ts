import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ReleaseRegistry } from '../../../lib/aws/release-registry';
import { AppView, outcomeOf, PolicyPack, StackView, uniquePhysicalNames } from '../../../lib/policy';
import { loadEnvironments } from '../../../lib/config';
import { createEnvironmentStacks } from '../../../stacks/environment-stacks';
import { envDir, withValue } from '../../support/env-dir';
import { stackJson, TestResource } from '../../support/policy';

/** A stack's JSON: its resources and an `aws` provider block in `region` limited to `accounts` (none: any account). */
function stack(name: string, resources: TestResource[], region = 'eu-west-1', accounts?: string[]): StackView {
  return new StackView(
    name,
    stackJson(resources, { provider: { aws: [{ region, ...(accounts ? { allowed_account_ids: accounts } : {}) }] } }),
    false,
  );
}

/** The verdict of the rule on the resource `name` of the first stack, with every stack in view. */
function judge(stacks: StackView[], name: string) {
  const app = new AppView(stacks);
  const resource = stacks[0].resources.find((r) => r.name === name)!;
  return outcomeOf(uniquePhysicalNames.evaluate(resource, stacks[0], app));
}

const alias = (id: string, name: string): TestResource => ({
  type: 'aws_kms_alias',
  name: id,
  config: { name, target_key_id: 'k' },
});
const bucket = (id: string, name: string): TestResource => ({
  type: 'aws_s3_bucket',
  name: id,
  config: { bucket: name },
});
const role = (id: string, name: string): TestResource => ({
  type: 'aws_iam_role',
  name: id,
  config: { name, assume_role_policy: '{}' },
});

describe('unique-physical-names', () => {
  test('passes resources of one kind with different names', () => {
    expect(
      judge([stack('a', [alias('x', 'alias/shop-prod-logs'), alias('y', 'alias/shop-prod-log-store')])], 'x')
        .compliance,
    ).toBe('compliant');
  });

  test('fails two KMS aliases with one name in one stack, naming the other construct', () => {
    const outcome = judge(
      [stack('prod-shared', [alias('x', 'alias/shop-prod-logs'), alias('y', 'alias/shop-prod-logs')])],
      'x',
    );
    expect(outcome).toEqual({
      compliance: 'non-compliant',
      detail: 'aws_kms_alias "alias/shop-prod-logs" is also prod-shared aws_kms_alias.y',
    });
  });

  test('fails the same name in two stacks of one account and region (allowed_account_ids overlap)', () => {
    const stacks = [
      stack('prod-shared', [alias('x', 'alias/ecr-shop')], 'eu-west-1', ['111111111111']),
      stack('staging-shared', [alias('z', 'alias/ecr-shop')], 'eu-west-1', ['111111111111', '222222222222']),
    ];
    expect(judge(stacks, 'x')).toEqual({
      compliance: 'non-compliant',
      detail: 'aws_kms_alias "alias/ecr-shop" is also staging-shared aws_kms_alias.z',
    });
  });

  test('fails the same name when either stack has no allowed_account_ids (it may run in any account)', () => {
    const stacks = [
      stack('a', [alias('x', 'alias/n')], 'eu-west-1', ['111111111111']),
      stack('b', [alias('z', 'alias/n')]),
    ];
    expect(judge(stacks, 'x').compliance).toBe('non-compliant');
  });

  test('passes the same regional name in disjoint accounts, or in another region', () => {
    expect(
      judge(
        [
          stack('a', [alias('x', 'alias/n')], 'eu-west-1', ['111111111111']),
          stack('b', [alias('z', 'alias/n')], 'eu-west-1', ['222222222222']),
        ],
        'x',
      ).compliance,
    ).toBe('compliant');
    expect(
      judge([stack('a', [alias('x', 'alias/n')], 'eu-west-1'), stack('b', [alias('z', 'alias/n')], 'us-east-1')], 'x')
        .compliance,
    ).toBe('compliant');
  });

  test('fails IAM names across regions of one account (IAM is global)', () => {
    expect(
      judge(
        [
          stack('a', [role('x', 'shop-blue-instance')], 'eu-west-1'),
          stack('b', [role('z', 'shop-blue-instance')], 'us-east-1'),
        ],
        'x',
      ).compliance,
    ).toBe('non-compliant');
    expect(
      judge([stack('a', [role('x', 'r')], 'eu-west-1', ['1']), stack('b', [role('z', 'r')], 'us-east-1', ['2'])], 'x')
        .compliance,
    ).toBe('compliant');
  });

  test('fails an S3 bucket name used in another account (bucket names are global)', () => {
    const stacks = [
      stack('a', [bucket('x', 'shop-logs')], 'eu-west-1', ['111111111111']),
      stack('b', [bucket('z', 'shop-logs')], 'us-east-1', ['222222222222']),
    ];
    expect(judge(stacks, 'x').compliance).toBe('non-compliant');
  });

  test('compares aws_lb with aws_alb (one API) and each provider alias by its own region', () => {
    const a = new StackView(
      'a',
      stackJson(
        [
          { type: 'aws_lb', name: 'x', config: { name: 'shop' } },
          { type: 'aws_alb', name: 'y', config: { name: 'shop', provider: 'aws.use1' } },
        ],
        {
          provider: { aws: [{ region: 'eu-west-1' }, { region: 'us-east-1', alias: 'use1' }] },
        },
      ),
      false,
    );
    expect(judge([a], 'x').compliance).toBe('compliant');
    const b = new StackView(
      'b',
      stackJson([{ type: 'aws_alb', name: 'z', config: { name: 'shop' } }], {
        provider: { aws: [{ region: 'eu-west-1' }] },
      }),
      false,
    );
    expect(judge([a, b], 'x').compliance).toBe('non-compliant');
  });

  test('does not apply to a name Terraform computes (a reference)', () => {
    expect(
      judge([stack('a', [alias('x', '${aws_kms_key.k.key_id}'), alias('y', '${aws_kms_key.k.key_id}')])], 'x')
        .compliance,
    ).toBe('not-applicable');
  });

  test('fails synth through PolicyPack.checkApp, reporting both construct paths', () => {
    const app = Testing.app();
    for (const env of ['prod', 'staging']) {
      const s = new TerraformStack(app, `${env}-shared`);
      new AwsProvider(s, 'aws', { region: 'eu-west-1', allowedAccountIds: ['111111111111'] });
      new ReleaseRegistry(s, 'registry', { repositoryName: 'shop' });
    }
    const found = new PolicyPack().checkApp(app).violations.filter((v) => v.ruleId === 'unique-physical-names');
    expect(found.map((v) => `${v.stack} ${v.path}: ${v.detail}`).sort()).toEqual([
      'prod-shared prod-shared/registry/alias: aws_kms_alias "alias/ecr-shop" is also staging-shared staging-shared/registry/alias',
      'prod-shared prod-shared/registry/repository: aws_ecr_repository "shop" is also staging-shared staging-shared/registry/repository',
      'staging-shared staging-shared/registry/alias: aws_kms_alias "alias/ecr-shop" is also prod-shared prod-shared/registry/alias',
      'staging-shared staging-shared/registry/repository: aws_ecr_repository "shop" is also prod-shared prod-shared/registry/repository',
    ]);
  });

  test('the shipped environments pass, even with staging moved into the prod account', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['allowedAccountIds'], ['111111111111']) });
    const app = Testing.app();
    for (const config of loadEnvironments({ dir })) createEnvironmentStacks(app, config);
    const report = new PolicyPack([uniquePhysicalNames]).checkApp(app);
    expect(report.stacks).toContain('staging-shared');
    expect(report.violations).toEqual([]);
  });
});
