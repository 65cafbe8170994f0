// Every AWS construct that validates its props skips values only Terraform knows (unresolved tokens: variables,
// other resources' attributes, published parameters) instead of refusing them or comparing a token's placeholder.
// Not here: LogStore (its validation is left to the log store's own change in this round) and ReleaseRegistry (its
// counts are written into the lifecycle policy JSON, where a token cannot go).
import { TerraformVariable } from 'cdktf';
import { AlarmTopic } from '../../lib/aws/alarm-topic';
import { ArchiveBucket } from '../../lib/aws/archive-bucket';
import { ColorFleet } from '../../lib/aws/color-fleet';
import { CutoverListeners } from '../../lib/aws/cutover-listeners';
import { LogBucket } from '../../lib/aws/log-bucket';
import { Network } from '../../lib/aws/network';
import { SiteToSiteVpn } from '../../lib/aws/site-to-site-vpn';
import { colorFleetProps, lbFixture } from '../support/aws-fixture';

/** The fixture plus a number, a string and a list only Terraform knows. */
function tokens(f = lbFixture()) {
  const n = new TerraformVariable(f.stack, 'n', { type: 'number' }).numberValue;
  const s = new TerraformVariable(f.stack, 's', { type: 'string' }).stringValue;
  const list = new TerraformVariable(f.stack, 'l', { type: 'list(string)' }).listValue;
  return { f, n, s, list };
}

describe('skips tokens', () => {
  test('AppLoadBalancer: port, seconds, health check path and test listener CIDRs', () => {
    const f = lbFixture();
    const { n, s } = tokens(f);
    expect(() =>
      lbFixture({
        testListenerPort: n,
        slowStartSeconds: n,
        deregistrationDelaySeconds: n,
        idleTimeoutSeconds: n,
        healthCheckPath: s,
        testListenerCidrs: [s],
      }),
    ).not.toThrow();
  });

  test('LogBucket: retentionDays', () => {
    const { f, n } = tokens();
    expect(
      () => new LogBucket(f.stack, 'tokens', { bucketName: 'shop-test-tokens', region: 'eu-west-1', retentionDays: n }),
    ).not.toThrow();
  });

  test('fails on a LogBucket retention below a day, naming the construct path (the same check, a literal value)', () => {
    const { f } = tokens();
    expect(
      () => new LogBucket(f.stack, 'zero', { bucketName: 'shop-test-zero', region: 'eu-west-1', retentionDays: 0 }),
    ).toThrow(/^test\/zero: retentionDays must be a whole number of days ≥ 1 \(got 0\)\. Fix: /);
  });

  test('ArchiveBucket: every day count', () => {
    const { f, n } = tokens();
    const build = () =>
      new ArchiveBucket(f.stack, 'archive', {
        bucketName: 'shop-test-archive',
        purpose: 'tests',
        accessLogs: f.logs,
        region: 'eu-west-1',
        retentionDays: n,
        glacierAfterDays: n,
        deepArchiveAfterDays: n,
        noncurrentVersionExpirationDays: n,
        abortIncompleteUploadDays: n,
        keyDeletionWindowInDays: n,
      });
    expect(build).not.toThrow();
  });

  test('ColorFleet: capacity, sizes, seconds and percentages', () => {
    const { f, n } = tokens();
    const props = colorFleetProps(f);
    const build = () =>
      new ColorFleet(f.stack, 'fleet', {
        ...props,
        capacity: { min: n, max: n, desired: n },
        rootVolumeSizeGiB: n,
        healthCheckGracePeriodSeconds: n,
        minHealthyPercentage: n,
        waitForElbCapacity: n,
      });
    expect(build).not.toThrow();
  });

  test('CutoverListeners: stickinessSeconds', () => {
    const { f, n } = tokens();
    const build = () =>
      new CutoverListeners(f.stack, 'listeners', {
        loadBalancer: f.alb,
        certificate: { arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/x' },
        weights: { blue: 0, green: 100 },
        stickinessSeconds: n,
      });
    expect(build).not.toThrow();
  });

  test('Network: flowLogRetentionDays and subnet CIDRs', () => {
    const { f, n, s } = tokens();
    const build = () =>
      new Network(f.stack, 'network2', {
        name: 'shop-tokens',
        vpcCidr: '10.1.0.0/16',
        availabilityZones: ['eu-west-1a'],
        publicSubnets: [s],
        privateSubnets: ['10.1.10.0/24'],
        flowLogRetentionDays: n,
        logKey: { arn: 'arn:aws:kms:eu-west-1:111111111111:key/x' },
      });
    expect(build).not.toThrow();
  });

  test('SiteToSiteVpn: gateway address, ASN, on-prem CIDRs and log retention', () => {
    const { f, n, s } = tokens();
    const build = () =>
      new SiteToSiteVpn(f.stack, 'vpn', {
        name: 'shop-test',
        vpc: f.network.vpc,
        routeTables: f.network.privateRouteTables,
        customerGatewayIp: s,
        customerGatewayAsn: n,
        onPremCidrs: [s],
        logKey: { arn: 'arn:aws:kms:eu-west-1:111111111111:key/x' },
        logRetentionDays: n,
      });
    expect(build).not.toThrow();
  });

  test('AlarmTopic: subscription endpoints', () => {
    const { f, s } = tokens();
    expect(
      () =>
        new AlarmTopic(f.stack, 'alarms', {
          name: 'shop-test',
          region: 'eu-west-1',
          subscriptions: [{ protocol: 'email', endpoint: s }],
        }),
    ).not.toThrow();
  });
});
