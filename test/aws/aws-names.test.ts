import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ArchiveBucket } from '../../lib/aws/archive-bucket';
import { AWS_NAME_RULES, AwsNameError, AwsNameRule, fitName, loadBalancerName, nameProblems, openSearchDomainName, targetGroupName, validateAwsName } from '../../lib/aws/aws-names';
import { ColorFleet } from '../../lib/aws/color-fleet';
import { LogBucket } from '../../lib/aws/log-bucket';
import { LogEncryptionKey } from '../../lib/aws/log-encryption-key';
import { LogStore } from '../../lib/aws/log-store';
import { Network } from '../../lib/aws/network';
import { ReleaseParameter } from '../../lib/aws/release-parameter';
import { ReleaseRegistry } from '../../lib/aws/release-registry';
import { colorFleetProps, lbFixture, logStoreProps } from '../support/aws-fixture';

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
    return message;
  }
  throw new Error('expected the construct to refuse the name');
}

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111';

describe('AWS naming rules: valid and invalid names per kind', () => {
  const cases: Array<[string, AwsNameRule, string[], Array<[string, RegExp]>]> = [
    ['load balancer', AWS_NAME_RULES.loadBalancer, ['shop-prod', 'a'.repeat(40)], [['internal-shop', /must not begin with "internal-"/], ['shop-', /begin or end with a hyphen/], ['shop_prod', /only letters, digits and hyphens/]]],
    ['target group', AWS_NAME_RULES.targetGroup, ['shop-prod-blue', 'internal-x'], [['-shop', /begin or end with a hyphen/], ['shop.prod', /only letters, digits and hyphens/]]],
    ['IAM role', AWS_NAME_RULES.iamRole, ['shop-prod-green-instance', 'a+b=c,d.e@f_g'], [['r'.repeat(65), /at most 64 characters \(has 65\)/], ['a b', /only letters, digits and _\+=,\.@-/], ['', /at least 1/]]],
    ['IAM policy', AWS_NAME_RULES.iamPolicy, ['p'.repeat(128)], [['p'.repeat(129), /at most 128/], ['a/b', /only letters/]]],
    ['S3 bucket', AWS_NAME_RULES.s3Bucket, ['shop-prod-access-logs', 'a.b-c'], [
      ['ab', /at least 3/], ['b'.repeat(64), /at most 63/], ['Shop', /lowercase/], ['-shop', /begin and end with a letter or digit/], ['a..b', /two adjacent dots/],
      ['192.168.5.4', /IP address/], ['xn--a', /reserved prefix "xn--"/], ['sthree-a', /reserved prefix "sthree-"/], ['amzn-s3-demo-a', /reserved prefix "amzn-s3-demo-"/],
      ['a-s3alias', /reserved suffix "-s3alias"/], ['a--ol-s3', /reserved suffix "--ol-s3"/], ['a.mrap', /reserved suffix "\.mrap"/], ['a--x-s3', /reserved suffix "--x-s3"/],
    ]],
    ['OpenSearch domain', AWS_NAME_RULES.openSearchDomain, ['shop-prod-logs', 'o'.repeat(40)], [['ab', /at least 3/], ['1shop', /begin with a lowercase letter/], ['shop_logs', /lowercase letters, digits and hyphens/]]],
    ['KMS alias', AWS_NAME_RULES.kmsAlias, ['alias/shop-prod-logs', 'alias/a/b_c'], [['shop', /begin with "alias\/"/], ['alias/aws/x', /"alias\/aws\/"/], ['alias/a.b', /only letters, digits and \/_-/], [`alias/${'k'.repeat(251)}`, /at most 256/]]],
    ['log group', AWS_NAME_RULES.logGroup, ['/vpc/shop-prod/flow-logs', 'a.b#c_d'], [['a b', /only letters, digits and \._-\/#/], ['l'.repeat(513), /at most 512/]]],
    ['ECR repository', AWS_NAME_RULES.ecrRepository, ['shop/prod', 'a.b_c-d/e'], [['s', /at least 2/], ['Shop', /lowercase/], ['shop--x', /single \. _ or -/], ['shop/', /lowercase/], ['e'.repeat(257), /at most 256/]]],
    ['SSM parameter', AWS_NAME_RULES.ssmParameter, ['/shop/prod/shared/vpc-id', 'plain'], [['/awsx/a', /"aws" or "ssm"/], ['SSM-x', /"aws" or "ssm"/], ['a/b', /begin with "\/"/], ['/a b', /only letters/], [`/${'x/'.repeat(16)}x`, /at most 15 levels/]]],
    ['secret', AWS_NAME_RULES.secret, ['shop-prod/log-store-admin'], [['a b', /only letters/], ['s'.repeat(513), /at most 512/]]],
    ['tag key', AWS_NAME_RULES.tagKey, ['cost-center', 'Ünïcode key'], [['aws:x', /"aws:"/], ['AWS:x', /"aws:"/], ['a;b', /only letters/], ['k'.repeat(129), /at most 128/]]],
    ['tag value', AWS_NAME_RULES.tagValue, ['', 'platform team'], [['v'.repeat(257), /at most 256/], ['a*b', /only letters/]]],
  ];
  for (const [kind, rule, valid, invalid] of cases) {
    test(`${kind}: passes ${valid.length} valid names and fails ${invalid.length} invalid ones with the reason`, () => {
      for (const name of valid) expect([name, nameProblems(rule, name)]).toEqual([name, []]);
      for (const [name, reason] of invalid) expect([name, nameProblems(rule, name).join('; ')]).toEqual([name, expect.stringMatching(reason)]);
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
    expect(thrown(() => new ArchiveBucket(s, 'records', { bucketName: 'records--x-s3', purpose: 'records', accessLogs: logs, region: 'eu-west-1' }))).toMatch(
      /^test\/records: bucketName "records--x-s3" is not a valid S3 bucket name: it must not end with the reserved suffix "--x-s3"/,
    );
  });

  test('fails a name that makes an invalid OpenSearch domain (LogStore)', () => {
    const f = lbFixture();
    const build = () => new LogStore(f.stack, 'log-store', { ...logStoreProps(f), name: 'Shop' });
    expect(thrown(build)).toMatch(/^test\/log-store: name "Shop" makes the OpenSearch domain name "Shop-logs", which must begin with a lowercase letter .*API_CreateDomain\.html/);
  });

  test('fails a name that makes an invalid log group (Network)', () => {
    const build = () => new Network(stack(), 'network', { name: 'shop prod', vpcCidr: '10.0.0.0/16', publicSubnets: ['10.0.0.0/24'], privateSubnets: ['10.0.10.0/24'], logKmsKeyArn: KEY });
    expect(thrown(build)).toMatch(/^test\/network: name "shop prod" makes the CloudWatch log group name "\/vpc\/shop prod\/flow-logs", which may contain only .*API_CreateLogGroup\.html/);
  });

  test('fails a name that makes an IAM role name longer than 64 characters (ColorFleet)', () => {
    const f = lbFixture();
    const build = () => new ColorFleet(f.stack, 'fleet', { ...colorFleetProps(f), name: 'n'.repeat(50) });
    expect(thrown(build)).toMatch(/^test\/fleet: name "n{50}" makes the IAM role name "n{50}-green-instance", which must be at most 64 characters \(has 65\) .*reference_iam-quotas/);
  });

  test('fails an app that makes a reserved SSM parameter name (ReleaseParameter)', () => {
    const release = { version: '1.5.0', image: 'ami-0f1e2d3c4b5a69788' };
    expect(thrown(() => new ReleaseParameter(stack(), 'release', { app: 'ssm', environment: 'prod', color: 'green', region: 'eu-west-1', release }))).toMatch(
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
    expect(() => new ArchiveBucket(s, 'records', { bucketName: logs.bucket.bucket, purpose: 'records', accessLogs: logs, region: 'eu-west-1' })).not.toThrow();
    // The same check on a literal does throw, so the skip is what lets the token through.
    expect(() => validateAwsName(scope, 'name', 'Not A Bucket', AWS_NAME_RULES.s3Bucket)).toThrow(AwsNameError);
  });
});
