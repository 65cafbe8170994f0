// Every prop check of the AWS constructs (and `suppress`) that used to throw a plain Error (printed with a stack trace) now refuses
// the props with a ConstructPropsError: one line with the construct path, the value and a literal "Fix: ", which the
// app and the loader print without a stack. Renderer checks (lib/agents) reach the user through the calling construct
// (renderFor), with that construct's path. Values only Terraform knows (tokens) are skipped.
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AlarmTopic, AlarmTopicProps } from '../lib/aws/alarm-topic';
import { ArchiveBucket, ArchiveBucketProps } from '../lib/aws/archive-bucket';
import { LogBucket } from '../lib/aws/log-bucket';
import { LogMetrics, LogMetricsProps } from '../lib/aws/log-metrics';
import { LogStore, LogStoreProps } from '../lib/aws/log-store';
import { Network, NetworkProps } from '../lib/aws/network';
import { ReleaseParameter, ReleaseParameterProps } from '../lib/aws/release-parameter';
import { ReleaseRegistry, ReleaseRegistryProps } from '../lib/aws/release-registry';
import { SharedLookup, SharedParameters, SharedParametersProps } from '../lib/aws/shared-parameters';
import { SiteToSiteVpn, SiteToSiteVpnProps } from '../lib/aws/site-to-site-vpn';
import { TlsCertificate, TlsCertificateProps } from '../lib/aws/tls-certificate';
import { ConstructPropsError, RenderInputError, renderFor } from '../lib/construct-errors';
import { suppress } from '../lib/policy/suppression';
import { AWS_SHARED_VALUES } from '../stacks/contract';
import { lbFixture, logStoreProps } from './support/aws-fixture';
import { envDir } from './support/env-dir';
import { loadEnvironments } from '../lib/config';
import { createEnvironmentStacks } from '../stacks/environment-stacks';

const DIGEST = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:${'a1'.repeat(32)}`;
const KMS = 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000';

function awsStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
}

const registry = (props: Partial<ReleaseRegistryProps>, stack = awsStack()) =>
  new ReleaseRegistry(stack, 'registry', { repositoryName: 'shop', ...props });

function archive(props: Partial<ArchiveBucketProps>, stack = awsStack()): ArchiveBucket {
  const logs = new LogBucket(stack, 'logs', { bucketName: 'shop-test-logs', region: 'eu-west-1' });
  return new ArchiveBucket(stack, 'records', {
    bucketName: 'shop-test-records',
    purpose: 'deployment records',
    accessLogs: logs,
    region: 'eu-west-1',
    ...props,
  });
}

const alarmTopic = (props: Partial<AlarmTopicProps>, stack = awsStack()) =>
  new AlarmTopic(stack, 'alarms', { name: 'shop-test', region: 'eu-west-1', ...props });

function logMetrics(props: Partial<LogMetricsProps>, f = lbFixture()): LogMetrics {
  return new LogMetrics(f.stack, 'log-metrics', {
    name: 'shop-test',
    flowLogGroup: f.network.flowLogGroup,
    loadBalancer: f.alb.loadBalancer,
    targetGroups: f.alb.targetGroups,
    ...props,
  });
}

const releaseParameter = (props: Partial<ReleaseParameterProps>, stack = awsStack()) =>
  new ReleaseParameter(stack, 'release', {
    app: 'shop',
    environment: 'prod',
    color: 'green',
    release: { version: '1.5.0', image: 'ami-0f1e2d3c4b5a69788', artifact: DIGEST },
    region: 'eu-west-1',
    ...props,
  });

const certificate = (props: TlsCertificateProps, stack = awsStack()) => new TlsCertificate(stack, 'certificate', props);
const ACM = 'arn:aws:acm:eu-west-1:111111111111:certificate/0b7f6a2e-4c1d-4e8a-9f3b-5d2c1e0a9b87';

const network = (props: Partial<NetworkProps>, stack = awsStack()) =>
  new Network(stack, 'network', {
    name: 'shop-test',
    vpcCidr: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
    privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    logKey: { arn: KMS },
    ...props,
  });

function logStore(props: Partial<LogStoreProps>, f = lbFixture()): LogStore {
  return new LogStore(f.stack, 'log-store', { ...logStoreProps(f), ...props });
}

function vpn(props: Partial<SiteToSiteVpnProps> = {}, f = lbFixture()) {
  const construct = new SiteToSiteVpn(f.stack, 'vpn', {
    name: 'shop-test',
    vpc: f.network.vpc,
    routeTables: f.network.privateRouteTables,
    customerGatewayIp: '203.0.113.10',
    onPremCidrs: ['192.168.0.0/16'],
    logKey: { arn: KMS },
    ...props,
  });
  return { vpn: construct, alb: f.alb };
}

/** A value for every key `<env>-shared` publishes (a list for list values). */
const sharedValues = Object.fromEntries(
  (Object.entries(AWS_SHARED_VALUES) as Array<[string, { readonly list?: boolean }]>).map(([key, spec]) => [
    key,
    spec.list ? [`${key}-1`] : `${key}-1`,
  ]),
) as unknown as SharedParametersProps['values'];

/** What a construct threw: a ConstructPropsError, or the test fails on whatever else happened. */
function refusal(build: () => unknown): ConstructPropsError {
  let thrown: unknown;
  try {
    build();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ConstructPropsError);
  return thrown as ConstructPropsError;
}

describe('constructs refuse a prop mistake with one line: construct path, value, fix', () => {
  test.each([
    ['ReleaseRegistry keepImages below 1', () => registry({ keepImages: 0 }), 'test/registry', 'keepImages', '0'],
    [
      'ReleaseRegistry untaggedExpiryDays not whole',
      () => registry({ untaggedExpiryDays: 0.5 }),
      'test/registry',
      'untaggedExpiryDays',
      '0.5',
    ],
    [
      'ArchiveBucket breakGlassRoleArn that is a user, not a role',
      () => archive({ breakGlassRoleArn: 'arn:aws:iam::111111111111:user/alice' }),
      'test/records',
      'breakGlassRoleArn',
      'arn:aws:iam::111111111111:user/alice',
    ],
    [
      'ArchiveBucket objectLockMode that S3 does not have',
      () => archive({ objectLockMode: 'LEGAL' as never }),
      'test/records',
      'objectLockMode',
      'LEGAL',
    ],
    [
      'ArchiveBucket grant keyPrefix with a wildcard',
      () => archive({}).grantReadWrite('fleet', { name: 'shop-test-fleet', keyPrefix: 'up*' }),
      'test/records',
      'keyPrefix',
      'up*',
    ],
    [
      'AlarmTopic subscription protocol SNS alarms cannot use',
      () => alarmTopic({ subscriptions: [{ protocol: 'sms' as never, endpoint: '+100' }] }),
      'test/alarms',
      'subscriptions[0].protocol',
      'sms',
    ],
    [
      'LogMetrics negative threshold',
      () => logMetrics({ thresholds: { target5xxPerMinute: -1 } }),
      'test/log-metrics',
      'thresholds.target5xxPerMinute',
      '-1',
    ],
    [
      'ReleaseParameter app that is no path segment',
      () => releaseParameter({ app: 'shop app' }),
      'test/release',
      'app',
      'shop app',
    ],
    [
      'ReleaseParameter encryptionKey without secure',
      () => releaseParameter({ encryptionKey: { arn: KMS } }),
      'test/release',
      'encryptionKey',
      'secure: true',
    ],
    [
      'ReleaseParameter artifact not pinned by digest',
      () => releaseParameter({ release: { version: '1', image: 'ami-0f1e2d3c4b5a69788', artifact: 'shop:latest' } }),
      'test/release',
      'artifact',
      'shop:latest',
    ],
    [
      'TlsCertificate with both an ARN and a domain',
      () => certificate({ certificateArn: 'arn:x', domainName: 'shop.example.com', zoneId: 'Z1' }),
      'test/certificate',
      'certificateArn',
      'both',
    ],
    ['TlsCertificate with neither', () => certificate({}), 'test/certificate', 'certificateArn', 'neither'],
    [
      'TlsCertificate ARN that is not from ACM',
      () => certificate({ certificateArn: 'arn:aws:iam::111111111111:server-certificate/x' }),
      'test/certificate',
      'certificateArn',
      'arn:aws:iam::111111111111:server-certificate/x',
    ],
    [
      'TlsCertificate domain without zoneId',
      () => certificate({ domainName: 'shop.example.com' }),
      'test/certificate',
      'zoneId',
      'no zoneId',
    ],
    ['LogStore without subnets', () => logStore({ subnets: [] }), 'test/log-store', 'subnets', 'empty'],
    [
      'LogStore without client security groups',
      () => logStore({ clientSecurityGroups: [] }),
      'test/log-store',
      'clientSecurityGroups',
      'empty',
    ],
    ['LogStore instanceCount above 20', () => logStore({ instanceCount: 21 }), 'test/log-store', 'instanceCount', '21'],
    [
      'LogStore instanceCount that does not divide over the zones',
      () => logStore({ instanceCount: 3 }),
      'test/log-store',
      'instanceCount',
      '3',
    ],
    [
      'LogStore logRetentionDays CloudWatch does not accept',
      () => logStore({ logRetentionDays: 42 }),
      'test/log-store',
      'logRetentionDays',
      '42',
    ],
    [
      'LogStore engineVersion of another engine',
      () => logStore({ engineVersion: 'Elasticsearch_7.10' }),
      'test/log-store',
      'engineVersion',
      'Elasticsearch_7.10',
    ],
    [
      'LogStore instanceType that is an EC2 type',
      () => logStore({ instanceType: 'r6g.large' }),
      'test/log-store',
      'instanceType',
      'r6g.large',
    ],
    [
      'LogStore dedicatedMasterCount without a quorum',
      () => logStore({ dedicatedMasterCount: 2 }),
      'test/log-store',
      'dedicatedMasterCount',
      '2',
    ],
    [
      'LogStore dedicatedMasterType that is an EC2 type',
      () => logStore({ dedicatedMasterCount: 3, dedicatedMasterType: 'm6g.large' }),
      'test/log-store',
      'dedicatedMasterType',
      'm6g.large',
    ],
    ['LogStore volume below 10 GiB', () => logStore({ volumeSizeGiB: 5 }), 'test/log-store', 'volumeSizeGiB', '5'],
    [
      'LogStore TLS policy older than 1.2',
      () => logStore({ tlsSecurityPolicy: 'Policy-Min-TLS-1-0-2019-07' }),
      'test/log-store',
      'tlsSecurityPolicy',
      'Policy-Min-TLS-1-0-2019-07',
    ],
    [
      'LogStore index retention (checked by the bootstrap renderer)',
      () => logStore({ indexRetentionDays: 0 }),
      'test/log-store',
      'retentionDays',
      '0',
    ],
    [
      'LogStore indexPrefix (checked by the bootstrap renderer)',
      () => logStore({ indexPrefix: 'Logs*' }),
      'test/log-store',
      'indexPrefix',
      'Logs*',
    ],
    [
      'SharedParameters empty list',
      () =>
        new SharedParameters(awsStack(), 'published', {
          app: 'shop',
          environment: 'prod',
          values: { ...sharedValues, privateSubnetIds: [] },
        }),
      'test/published',
      'privateSubnetIds',
      'empty',
    ],
    [
      'SharedLookup with nothing required',
      () => new SharedLookup(awsStack(), 'shared', { app: 'shop', environment: 'prod', required: [] }),
      'test/shared',
      'required',
      'empty',
    ],
    [
      'SharedLookup read of a value it does not require',
      () =>
        new SharedLookup(awsStack(), 'shared', { app: 'shop', environment: 'prod', required: ['hostname'] }).get(
          'loadBalancerArn',
        ),
      'test/shared',
      'required',
      'loadBalancerArn',
    ],
    [
      'SiteToSiteVpn.allowFromOnPrem port above 65535',
      () => {
        const { vpn: v, alb } = vpn();
        v.allowFromOnPrem('bad', alb.securityGroup, 70000, 'x');
      },
      'test/vpn',
      'port',
      '70000',
    ],
    [
      'SiteToSiteVpn.customerConfig policy-based with two on-prem ranges (checked by the strongSwan renderer)',
      () => vpn({ onPremCidrs: ['192.168.0.0/16', '172.16.0.0/16'] }).vpn.customerConfig('policy-based'),
      'test/vpn',
      'policy-based',
      'got 2 and 1',
    ],
    [
      'Network subnet outside the VPC range',
      () => network({ privateSubnets: ['10.0.10.0/24', '10.1.11.0/24'] }),
      'test/network',
      'subnet',
      '10.1.11.0/24',
    ],
    [
      'Network subnets that overlap',
      () => network({ privateSubnets: ['10.0.10.0/24', '10.0.10.0/25'] }),
      'test/network',
      'subnet',
      '10.0.10.0/25',
    ],
    [
      'Network vpcCidr with host bits',
      () => network({ vpcCidr: '10.0.0.1/16' }),
      'test/network',
      'vpcCidr',
      '10.0.0.1/16',
    ],
    [
      'Network zone id instead of a zone name',
      () => network({ availabilityZones: ['euw1-az1', 'eu-west-1b'] }),
      'test/network',
      'availabilityZones[0]',
      'euw1-az1',
    ],
    [
      'suppress with a checkov id instead of a rule id',
      () => suppress(certificate({ certificateArn: ACM }), 'CKV_AWS_24', 'checkov ids are not rule ids'),
      'test/certificate',
      'suppress',
      'CKV_AWS_24',
    ],
    [
      'suppress without a reason',
      () => suppress(certificate({ certificateArn: ACM }), 's3-access-logging', ' '),
      'test/certificate',
      's3-access-logging',
      'reason',
    ],
  ] as Array<[string, () => unknown, string, string, string]>)('%s', (_name, build, path, prop, value) => {
    const error = refusal(build);
    expect(error.name).toBe('ConstructPropsError');
    expect(error.constructPath).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toContain(prop);
    expect(error.message).toContain(value);
    expect(error.message).toMatch(/\. Fix: \S/);
    expect(error.message).not.toContain('\n');
  });

  test('ReleaseRegistry refuses a token count, which its lifecycle policy JSON cannot carry', () => {
    const stack = awsStack();
    const n = new TerraformVariable(stack, 'n', { type: 'number' }).numberValue;
    const error = refusal(() => registry({ keepImages: n }, stack));
    expect(error.message).toMatch(
      /^test\/registry: keepImages is a token; .* Fix: give keepImages as a literal number$/,
    );
  });
});

describe('constructs skip a token value (only Terraform knows it)', () => {
  function tokens(stack: TerraformStack) {
    return {
      n: new TerraformVariable(stack, 'n', { type: 'number' }).numberValue,
      s: new TerraformVariable(stack, 's', { type: 'string' }).stringValue,
      list: new TerraformVariable(stack, 'l', { type: 'list(string)' }).listValue,
    };
  }

  test('ArchiveBucket: breakGlassRoleArn, objectLockMode and a grant keyPrefix', () => {
    const stack = awsStack();
    const { s } = tokens(stack);
    expect(() =>
      archive({ breakGlassRoleArn: s, objectLockMode: s as never }, stack).grantRead('r', {
        name: 'shop-test-r',
        keyPrefix: s,
      }),
    ).not.toThrow();
  });

  test('AlarmTopic: a subscription protocol', () => {
    const stack = awsStack();
    const { s } = tokens(stack);
    expect(() =>
      alarmTopic({ subscriptions: [{ protocol: s as never, endpoint: 'ops@example.com' }] }, stack),
    ).not.toThrow();
  });

  test('LogMetrics: a threshold', () => {
    const f = lbFixture();
    const { n } = tokens(f.stack);
    expect(() => logMetrics({ thresholds: { target5xxPerMinute: n } }, f)).not.toThrow();
  });

  test('ReleaseParameter: the color and the artifact', () => {
    const stack = awsStack();
    const { s } = tokens(stack);
    expect(() =>
      releaseParameter({ color: s, release: { version: '1', image: 'ami-0f1e2d3c4b5a69788', artifact: s } }, stack),
    ).not.toThrow();
  });

  test('TlsCertificate: certificateArn', () => {
    const stack = awsStack();
    const { s } = tokens(stack);
    expect(() => certificate({ certificateArn: s }, stack)).not.toThrow();
  });

  test('LogStore: retention, engine, types, master count, volume and TLS policy', () => {
    const f = lbFixture();
    const { n, s } = tokens(f.stack);
    expect(() =>
      logStore(
        {
          logRetentionDays: n,
          engineVersion: s,
          instanceType: s,
          dedicatedMasterCount: n,
          dedicatedMasterType: s,
          volumeSizeGiB: n,
          tlsSecurityPolicy: s,
        },
        f,
      ),
    ).not.toThrow();
  });

  test('SharedParameters: a list', () => {
    const stack = awsStack();
    const { list } = tokens(stack);
    expect(
      () =>
        new SharedParameters(stack, 'published', {
          app: 'shop',
          environment: 'prod',
          values: { ...sharedValues, privateSubnetIds: list },
        }),
    ).not.toThrow();
  });

  test('SiteToSiteVpn.allowFromOnPrem: a port', () => {
    const f = lbFixture();
    const { n } = tokens(f.stack);
    const { vpn: v, alb } = vpn({}, f);
    expect(() => v.allowFromOnPrem('token', alb.securityGroup, n, 'x')).not.toThrow();
  });
});

describe('renderFor', () => {
  test('turns a RenderInputError into the construct path refusal, and passes any other error unchanged', () => {
    const stack = awsStack();
    const refused = refusal(() =>
      renderFor(stack, () => {
        throw new RenderInputError('log store: x "y" is wrong. Fix: z');
      }),
    );
    expect(refused.message).toBe('test: log store: x "y" is wrong. Fix: z');
    const bug = new TypeError('a bug');
    expect(() =>
      renderFor(stack, () => {
        throw bug;
      }),
    ).toThrow(bug);
    expect(renderFor(stack, () => 42)).toBe(42);
  });
});

describe('the environment stacks turn a renderer refusal into one line naming the stack', () => {
  // A consumer may build an EnvironmentConfig in code instead of loading values files, so the schema's checks are
  // not there; the renderers' own checks must still end as a ConstructPropsError, not an unexplained stack trace.
  const configs = () => loadEnvironments({ dir: envDir() });

  test.each([
    ['prod (AWS): the color fleet user data, an app log path', 'prod', 'prod-blue'],
    ['dev (DigitalOcean): the color droplets user data, an app log path', 'dev', 'dev-blue'],
  ])('%s', (_name, env, stackName) => {
    const config = configs().find((c) => c.name === env)!;
    const appLogs = [{ ...config.logging.appLogs[0], path: 'relative/app.log' }];
    const bad = { ...config, logging: { ...config.logging, appLogs } };
    const refused = refusal(() => createEnvironmentStacks(Testing.app(), bad));
    expect(refused.message).toMatch(new RegExp(`^${stackName}[/:]`));
    expect(refused.message).toContain('relative/app.log');
    expect(refused.message).toContain('Fix:');
  });

  test('dev (DigitalOcean): the log store bootstrap requests of the shared stack', () => {
    const config = configs().find((c) => c.name === 'dev')!;
    const bad = { ...config, logging: { ...config.logging, indexRetentionDays: 0 } };
    const refused = refusal(() => createEnvironmentStacks(Testing.app(), bad));
    expect(refused.message).toMatch(/^dev-shared: log store: retentionDays 0 /);
  });
});
