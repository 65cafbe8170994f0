import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ArchiveBucket } from '../../lib/aws/archive-bucket';
import {
  AWS_NAME_RULES,
  AwsNameError,
  AwsNameRule,
  fitName,
  loadBalancerName,
  nameProblems,
  openSearchDomainName,
  targetGroupName,
  validateAwsName,
} from '../../lib/aws/aws-names';
import { ColorFleet } from '../../lib/aws/color-fleet';
import { LogBucket } from '../../lib/aws/log-bucket';
import { LogEncryptionKey } from '../../lib/aws/log-encryption-key';
import { LogStore } from '../../lib/aws/log-store';
import { Network } from '../../lib/aws/network';
import { ReleaseParameter } from '../../lib/aws/release-parameter';
import { ReleaseRegistry } from '../../lib/aws/release-registry';
import { loadEnvironments } from '../../lib/config';
import { PHYSICAL_NAMES, StackView } from '../../lib/policy';
import { createEnvironmentStacks } from '../../stacks/environment-stacks';
import { envDir } from '../support/env-dir';
import { colorFleetProps, lbFixture, logStoreProps } from '../support/aws-fixture';
import { findProviderMirror, offlineTerraformEnv, writeCliConfig } from '../support/terraform';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}

/** The message `build` throws; fails the test when it throws nothing or something other than an AwsNameError. */
function thrown(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsNameError);
    const message = (e as Error).message;
    expect(message).not.toMatch(/\n\s*at /); // a user's mistake reads as one sentence, never a stack trace
    expect((e as Error).stack).not.toMatch(/\n\s*at /); // not even when nobody catches it
    return message;
  }
  throw new Error('expected the construct to refuse the name');
}

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111';

/** Per kind: the rule, names it accepts, and names it refuses with the reason. */
const CASES: Array<[string, AwsNameRule, string[], Array<[string, RegExp]>]> = [
  [
    'load balancer',
    AWS_NAME_RULES.loadBalancer,
    ['shop-prod', 'a'.repeat(40)],
    [
      ['internal-shop', /must not begin with "internal-"/],
      ['shop-', /begin or end with a hyphen/],
      ['shop_prod', /only letters, digits and hyphens/],
    ],
  ],
  [
    'target group',
    AWS_NAME_RULES.targetGroup,
    ['shop-prod-blue', 'internal-x'],
    [
      ['-shop', /begin or end with a hyphen/],
      ['shop.prod', /only letters, digits and hyphens/],
    ],
  ],
  [
    'IAM role',
    AWS_NAME_RULES.iamRole,
    ['shop-prod-green-instance', 'a+b=c,d.e@f_g'],
    [
      ['r'.repeat(65), /at most 64 characters \(has 65\)/],
      ['a b', /only letters, digits and _\+=,\.@-/],
      ['', /at least 1/],
    ],
  ],
  [
    'IAM policy',
    AWS_NAME_RULES.iamPolicy,
    ['p'.repeat(128)],
    [
      ['p'.repeat(129), /at most 128/],
      ['a/b', /only letters/],
    ],
  ],
  [
    'S3 bucket',
    AWS_NAME_RULES.s3Bucket,
    ['shop-prod-access-logs', 'a.b-c'],
    [
      ['ab', /at least 3/],
      ['b'.repeat(64), /at most 63/],
      ['Shop', /lowercase/],
      ['-shop', /begin and end with a letter or digit/],
      ['a..b', /two adjacent dots/],
      ['192.168.5.4', /IP address/],
      ['xn--a', /reserved prefix "xn--"/],
      ['sthree-a', /reserved prefix "sthree-"/],
      ['amzn-s3-demo-a', /reserved prefix "amzn-s3-demo-"/],
      ['a-s3alias', /reserved suffix "-s3alias"/],
      ['a--ol-s3', /reserved suffix "--ol-s3"/],
      ['a.mrap', /reserved suffix "\.mrap"/],
      ['a--x-s3', /reserved suffix "--x-s3"/],
    ],
  ],
  [
    'OpenSearch domain',
    AWS_NAME_RULES.openSearchDomain,
    ['shop-prod-logs', 'o'.repeat(40)],
    [
      ['ab', /at least 3/],
      ['1shop', /begin with a lowercase letter/],
      ['shop_logs', /lowercase letters, digits and hyphens/],
    ],
  ],
  [
    'KMS alias',
    AWS_NAME_RULES.kmsAlias,
    ['alias/shop-prod-logs', 'alias/a/b_c'],
    [
      ['shop', /begin with "alias\/"/],
      ['alias/aws/x', /"alias\/aws\/"/],
      ['alias/a.b', /only letters, digits and \/_-/],
      [`alias/${'k'.repeat(251)}`, /at most 256/],
    ],
  ],
  [
    'log group',
    AWS_NAME_RULES.logGroup,
    ['/vpc/shop-prod/flow-logs', 'a.b#c_d'],
    [
      ['a b', /only letters, digits and \._-\/#/],
      ['l'.repeat(513), /at most 512/],
    ],
  ],
  [
    'ECR repository',
    AWS_NAME_RULES.ecrRepository,
    ['shop/prod', 'a.b_c-d/e'],
    [
      ['s', /at least 2/],
      ['Shop', /lowercase/],
      ['shop--x', /single \. _ or -/],
      ['shop/', /lowercase/],
      ['e'.repeat(257), /at most 256/],
    ],
  ],
  [
    'SSM parameter',
    AWS_NAME_RULES.ssmParameter,
    ['/shop/prod/shared/vpc-id', 'plain'],
    [
      ['/awsx/a', /"aws" or "ssm"/],
      ['SSM-x', /"aws" or "ssm"/],
      ['a/b', /begin with "\/"/],
      ['/a b', /only letters/],
      [`/${'x/'.repeat(16)}x`, /at most 15 levels/],
    ],
  ],
  [
    'secret',
    AWS_NAME_RULES.secret,
    ['shop-prod/log-store-admin'],
    [
      ['a b', /only letters/],
      ['s'.repeat(513), /at most 512/],
    ],
  ],
  [
    'tag key',
    AWS_NAME_RULES.tagKey,
    ['cost-center', 'Ünïcode key'],
    [
      ['aws:x', /"aws:"/],
      ['AWS:x', /"aws:"/],
      ['a;b', /only letters/],
      ['k'.repeat(129), /at most 128/],
    ],
  ],
  [
    'tag value',
    AWS_NAME_RULES.tagValue,
    ['', 'platform team'],
    [
      ['v'.repeat(257), /at most 256/],
      ['a*b', /only letters/],
    ],
  ],
];

describe('AWS naming rules: valid and invalid names per kind', () => {
  for (const [kind, rule, valid, invalid] of CASES) {
    test(`${kind}: passes ${valid.length} valid names and fails ${invalid.length} invalid ones with the reason`, () => {
      for (const name of valid) expect([name, nameProblems(rule, name)]).toEqual([name, []]);
      for (const [name, reason] of invalid)
        expect([name, nameProblems(rule, name).join('; ')]).toEqual([name, expect.stringMatching(reason)]);
      expect(rule.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    });
  }

  test('load balancer, target group and OpenSearch names keep the documented hash shortening', () => {
    expect(loadBalancerName('a'.repeat(40))).toBe(fitName('a'.repeat(40), 32));
    expect(loadBalancerName('a'.repeat(40))).toHaveLength(32);
    expect(targetGroupName('shop-prod', 'green')).toBe('shop-prod-green');
    expect(openSearchDomainName('shop-staging-eu')).toMatch(/^shop-staging-eu-logs$/);
    const long = openSearchDomainName('a-very-long-app-name-staging');
    expect(long.length).toBeLessThanOrEqual(28);
    expect(long).toMatch(/^a-very-long-app-name-[0-9a-f]{6}$/);
    expect(nameProblems(AWS_NAME_RULES.openSearchDomain, 'a-very-long-app-name-staging-logs')).toEqual([]);
  });
});

describe('validateAwsName: constructs refuse names AWS would refuse, naming path, value, rule and fix', () => {
  test('fails a load balancer name starting with internal- (AppLoadBalancer)', () => {
    expect(thrown(() => lbFixture({ name: 'internal-shop' }))).toMatch(
      /^test\/alb: name "internal-shop" is not a valid load balancer name: it must not begin with "internal-" .*\(https:\/\/docs\.aws\.amazon\.com\/elasticloadbalancing\/latest\/APIReference\/API_CreateLoadBalancer\.html\)\. Fix: change name/,
    );
  });

  test('fails a name that makes an invalid target group name', () => {
    const scope = new Construct(stack(), 'lb');
    expect(thrown(() => validateAwsName(scope, 'name', 'shop', AWS_NAME_RULES.targetGroup, 'shop.blue'))).toMatch(
      /^test\/lb: name "shop" makes the target group name "shop\.blue", which may contain only letters, digits and hyphens \(.*API_CreateTargetGroup\.html\)\. Fix: change name/,
    );
  });

  test('fails an invalid ECR repository name (ReleaseRegistry)', () => {
    expect(thrown(() => new ReleaseRegistry(stack(), 'registry', { repositoryName: 'shop--x' }))).toMatch(
      /^test\/registry: repositoryName "shop--x" is not a valid ECR repository name: it must be lowercase .*API_CreateRepository\.html\)\. Fix: change repositoryName/,
    );
  });

  test('fails an invalid IAM policy name (ReleaseRegistry.grantPull)', () => {
    const registry = new ReleaseRegistry(stack(), 'registry', { repositoryName: 'shop/prod' });
    expect(thrown(() => registry.grantPull('pull', { name: 'shop prod pull' }))).toMatch(
      /^test\/registry: grant name "shop prod pull" is not a valid IAM policy name: it may contain only letters, digits and _\+=,\.@- .*reference_iam-quotas.*Fix: change grant name/,
    );
  });

  test('fails a name that makes an invalid KMS alias (LogEncryptionKey)', () => {
    expect(thrown(() => new LogEncryptionKey(stack(), 'log-key', { name: 'shop:prod', region: 'eu-west-1' }))).toMatch(
      /^test\/log-key: name "shop:prod" makes the KMS alias name "alias\/shop:prod-logs", which may contain only letters, digits and \/_- .*API_CreateAlias\.html/,
    );
  });

  test('fails reserved S3 bucket prefixes (LogBucket, ArchiveBucket)', () => {
    expect(thrown(() => new LogBucket(stack(), 'logs', { bucketName: 'sthree-logs', region: 'eu-west-1' }))).toMatch(
      /^test\/logs: bucketName "sthree-logs" is not a valid S3 bucket name: it must not begin with the reserved prefix "sthree-" .*bucketnamingrules\.html/,
    );
    const s = stack();
    const logs = new LogBucket(s, 'logs', { bucketName: 'shop-logs', region: 'eu-west-1' });
    expect(
      thrown(
        () =>
          new ArchiveBucket(s, 'records', {
            bucketName: 'records--x-s3',
            purpose: 'records',
            accessLogs: logs,
            region: 'eu-west-1',
          }),
      ),
    ).toMatch(
      /^test\/records: bucketName "records--x-s3" is not a valid S3 bucket name: it must not end with the reserved suffix "--x-s3"/,
    );
  });

  test('fails a name that makes an invalid OpenSearch domain (LogStore)', () => {
    const f = lbFixture();
    const build = () => new LogStore(f.stack, 'log-store', { ...logStoreProps(f), name: 'Shop' });
    expect(thrown(build)).toMatch(
      /^test\/log-store: name "Shop" makes the OpenSearch domain name "Shop-logs", which must begin with a lowercase letter .*API_CreateDomain\.html/,
    );
  });

  test('fails a name that makes an invalid log group (Network)', () => {
    const build = () =>
      new Network(stack(), 'network', {
        name: 'shop prod',
        vpcCidr: '10.0.0.0/16',
        availabilityZones: ['eu-west-1a'],
        publicSubnets: ['10.0.0.0/24'],
        privateSubnets: ['10.0.10.0/24'],
        logKey: { arn: KEY },
      });
    expect(thrown(build)).toMatch(
      /^test\/network: name "shop prod" makes the CloudWatch log group name "\/vpc\/shop prod\/flow-logs", which may contain only .*API_CreateLogGroup\.html/,
    );
  });

  test('fails a name that makes an IAM role name longer than 64 characters (ColorFleet)', () => {
    const f = lbFixture();
    const build = () => new ColorFleet(f.stack, 'fleet', { ...colorFleetProps(f), name: 'n'.repeat(50) });
    expect(thrown(build)).toMatch(
      /^test\/fleet: name "n{50}" makes the IAM role name "n{50}-green-instance", which must be at most 64 characters \(has 65\) .*reference_iam-quotas/,
    );
  });

  test('fails an app that makes a reserved SSM parameter name (ReleaseParameter)', () => {
    const release = { version: '1.5.0', image: 'ami-0f1e2d3c4b5a69788' };
    expect(
      thrown(
        () =>
          new ReleaseParameter(stack(), 'release', {
            app: 'ssm',
            environment: 'prod',
            color: 'green',
            release,
            region: 'eu-west-1',
          }),
      ),
    ).toMatch(
      /^test\/release: app "ssm" makes the SSM parameter name "\/ssm\/prod\/green\/release", which must not begin with "aws" or "ssm" .*sysman-parameter-name-constraints\.html/,
    );
  });

  test('skips tokens: a name only Terraform knows is not checked', () => {
    const s = stack();
    const scope = new Construct(s, 'x');
    const token = Token.asString({ Ref: 'later' });
    expect(() => validateAwsName(scope, 'name', token, AWS_NAME_RULES.s3Bucket)).not.toThrow();
    expect(() => validateAwsName(scope, 'name', 'shop', AWS_NAME_RULES.kmsAlias, `alias/${token}`)).not.toThrow();
    const logs = new LogBucket(s, 'logs', { bucketName: 'shop-logs', region: 'eu-west-1' });
    expect(
      () =>
        new ArchiveBucket(s, 'records', {
          bucketName: logs.bucket.bucket,
          purpose: 'records',
          accessLogs: logs,
          region: 'eu-west-1',
        }),
    ).not.toThrow();
    // The same check on a literal does throw, so the skip is what lets the token through.
    expect(() => validateAwsName(scope, 'name', 'Not A Bucket', AWS_NAME_RULES.s3Bucket)).toThrow(AwsNameError);
  });
});

/** Resource type and name argument for the kinds the real AWS provider itself validates at `terraform validate`. */
const PROVIDER_CHECKED: Record<string, { type: string; attribute: string; extra: Record<string, unknown> }> = {
  'load balancer': { type: 'aws_lb', attribute: 'name', extra: { subnets: ['subnet-1', 'subnet-2'] } },
  'target group': { type: 'aws_lb_target_group', attribute: 'name', extra: {} },
  'IAM role': { type: 'aws_iam_role', attribute: 'name', extra: { assume_role_policy: '{}' } },
  'OpenSearch domain': { type: 'aws_opensearch_domain', attribute: 'domain_name', extra: {} },
  'KMS alias': { type: 'aws_kms_alias', attribute: 'name', extra: { target_key_id: 'k' } },
  'log group': { type: 'aws_cloudwatch_log_group', attribute: 'name', extra: {} },
  secret: { type: 'aws_secretsmanager_secret', attribute: 'name', extra: {} },
};

/** The Terraform addresses `terraform validate` (real AWS provider 5.100.0 from the filesystem mirror) reports errors on. */
function validateErrors(resources: Record<string, Record<string, Record<string, unknown>>>): Set<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-names-'));
  const mirror = findProviderMirror();
  if (!mirror) throw new Error('no Terraform filesystem mirror with hashicorp/aws (set TF_PLUGIN_MIRROR; see .ci/run)');
  const env = offlineTerraformEnv(writeCliConfig(dir, mirror.path));
  fs.writeFileSync(
    path.join(dir, 'main.tf.json'),
    JSON.stringify({
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: mirror.version } } },
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: resources,
    }),
  );
  execFileSync('terraform', ['init', '-input=false', '-no-color', '-backend=false'], { cwd: dir, env, stdio: 'pipe' });
  let out: string;
  try {
    out = execFileSync('terraform', ['validate', '-json', '-no-color'], { cwd: dir, env, stdio: 'pipe' }).toString();
  } catch (e) {
    out = String((e as { stdout?: Buffer }).stdout ?? '');
  }
  const diagnostics = (JSON.parse(out) as { diagnostics: Array<{ severity: string; address?: string }> }).diagnostics;
  fs.rmSync(dir, { recursive: true, force: true });
  return new Set(diagnostics.filter((d) => d.severity === 'error' && d.address).map((d) => d.address!));
}

describe('the real AWS provider agrees with the rules it checks itself (terraform validate)', () => {
  // Every valid and invalid example of the kinds the provider validates, one resource each. Names a fitted rule
  // shortens before use are left out: the library never hands them to AWS unshortened.
  const examples = CASES.filter(([kind]) => PROVIDER_CHECKED[kind]).flatMap(([kind, rule, valid, invalid]) => [
    ...valid.filter((n) => n.length <= rule.maxLength).map((name) => ({ kind, name, valid: true })),
    ...invalid.map(([name]) => ({ kind, name, valid: false })),
  ]);
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  const addresses = examples.map(({ kind, name }, i) => {
    const { type, attribute, extra } = PROVIDER_CHECKED[kind];
    resources[type] = { ...(resources[type] ?? {}), [`n${i}`]: { [attribute]: name, ...extra } };
    return `${type}.n${i}`;
  });
  let errors: Set<string>;
  beforeAll(() => {
    errors = validateErrors(resources);
  }, 120_000);

  const verdicts = () => examples.map((e, i) => ({ ...e, refused: errors.has(addresses[i]) }));
  const label = (e: { kind: string; name: string }) =>
    `${e.kind} "${e.name.length > 40 ? `${e.name.slice(0, 12)}…(${e.name.length})` : e.name}"`;

  test('accepts every name the rules accept and refuses every name the rules refuse that it checks', () => {
    expect(examples.length).toBeGreaterThan(20);
    expect(
      verdicts()
        .filter((e) => e.valid && e.refused)
        .map(label),
    ).toEqual([]);
    expect(verdicts().filter((e) => !e.valid && e.refused).length).toBeGreaterThan(15);
  });

  test('the rules refuse more only where the AWS API documents a limit the provider leaves to AWS (KMS alias length)', () => {
    expect(
      verdicts()
        .filter((e) => !e.valid && !e.refused)
        .map(label),
    ).toEqual([`KMS alias "alias/kkkkkk…(257)"`]);
  });
});

describe('every physical name the shipped AWS environments synthesize follows its AWS rule', () => {
  const RULE_OF: Record<string, AwsNameRule> = {
    aws_s3_bucket: AWS_NAME_RULES.s3Bucket,
    aws_iam_role: AWS_NAME_RULES.iamRole,
    aws_iam_policy: AWS_NAME_RULES.iamPolicy,
    aws_iam_instance_profile: AWS_NAME_RULES.iamInstanceProfile,
    aws_kms_alias: AWS_NAME_RULES.kmsAlias,
    aws_cloudwatch_log_group: AWS_NAME_RULES.logGroup,
    aws_ssm_parameter: AWS_NAME_RULES.ssmParameter,
    aws_lb: AWS_NAME_RULES.loadBalancer,
    aws_lb_target_group: AWS_NAME_RULES.targetGroup,
    aws_ecr_repository: AWS_NAME_RULES.ecrRepository,
    aws_opensearch_domain: AWS_NAME_RULES.openSearchDomain,
    aws_secretsmanager_secret: AWS_NAME_RULES.secret,
  };
  const app = Testing.app();
  for (const config of loadEnvironments({ dir: envDir() }).filter((c) => c.cloud === 'aws'))
    createEnvironmentStacks(app, config);
  const stacks = app.node.findAll().filter(TerraformStack.isStack);
  stacks.forEach((s) => s.prepareStack());
  const views = stacks.map((s) => new StackView(s.node.id, s.toTerraform()));

  test('names of every kind the rules cover, and the default tags', () => {
    const checked: string[] = [];
    const problems: string[] = [];
    for (const view of views) {
      for (const r of view.resources.filter((x) => RULE_OF[x.type])) {
        const name = r.config[PHYSICAL_NAMES[r.type].attribute];
        if (typeof name !== 'string' || name.includes('${')) continue;
        checked.push(r.type);
        problems.push(...nameProblems(RULE_OF[r.type], name).map((p) => `${view.name} ${r.path} "${name}" ${p}`));
      }
      const tags = (view.tf.provider as { aws: Array<{ default_tags: Array<{ tags: Record<string, string> }> }> })
        .aws[0].default_tags[0].tags;
      for (const [key, value] of Object.entries(tags)) {
        problems.push(...nameProblems(AWS_NAME_RULES.tagKey, key), ...nameProblems(AWS_NAME_RULES.tagValue, value));
      }
    }
    expect(new Set(checked)).toEqual(new Set(Object.keys(RULE_OF)));
    expect(problems).toEqual([]);
  });
});
