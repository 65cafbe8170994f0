import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { AppLoadBalancer, AppLoadBalancerProps } from '../../lib/aws/app-load-balancer';
import { ColorFleetProps } from '../../lib/aws/color-fleet';
import { LogStoreProps } from '../../lib/aws/log-store';
import { LogBucket } from '../../lib/aws/log-bucket';
import { Network } from '../../lib/aws/network';
import { TfJson } from './synth';

/** A test stack with a two-AZ network, an access-log bucket and an {@link AppLoadBalancer} named `shop-test`. */
export interface LbFixture {
  readonly app: App;
  readonly stack: TerraformStack;
  readonly network: Network;
  readonly logs: LogBucket;
  readonly alb: AppLoadBalancer;
}

/** Builds the {@link LbFixture}; `overrides` change the load balancer's props. */
export function lbFixture(overrides: Partial<AppLoadBalancerProps> = {}, stackId = 'test'): LbFixture {
  const app = Testing.app();
  const stack = new TerraformStack(app, stackId);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const network = new Network(stack, 'network', {
    name: 'shop-test',
    vpcCidr: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
    privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    logKey: { arn: 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000' },
  });
  const logs = new LogBucket(stack, 'logs', { bucketName: 'shop-test-logs', region: 'eu-west-1' });
  const alb = new AppLoadBalancer(stack, 'alb', {
    name: 'shop-test',
    vpc: network.vpc,
    publicSubnets: network.publicSubnets,
    appPort: 8080,
    healthCheckPath: '/health',
    accessLogs: logs,
    ...overrides,
  });
  return { app, stack, network, logs, alb };
}

/** Synthesizes one stack and parses it. */
export function synthJson(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** The resources of one type, keyed by logical id. */
export function byId(json: TfJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** Props of a green {@link ColorFleet} named `shop-test` in the fixture's network, behind its green target group. */
export function colorFleetProps(f: LbFixture): ColorFleetProps {
  return {
    name: 'shop-test',
    color: 'green',
    imageId: 'ami-0f1e2d3c4b5a69788',
    releaseVersion: '1.5.0',
    instanceType: 't3.small',
    subnets: f.network.privateSubnets,
    securityGroups: [f.alb.instanceSecurityGroup],
    targetGroup: f.alb.targetGroups.green,
    capacity: { min: 2, max: 6, desired: 3 },
  };
}

/** Props of a {@link LogStore} named `shop-test` in the fixture's private subnets, open to its instances. */
export function logStoreProps(f: LbFixture): LogStoreProps {
  return {
    name: 'shop-test',
    vpc: f.network.vpc,
    region: 'eu-west-1',
    subnets: f.network.privateSubnets,
    clientSecurityGroups: [f.alb.instanceSecurityGroup],
    logKey: { arn: 'arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111' },
    logRetentionDays: 30,
    indexPrefix: 'logs-shop',
    indexRetentionDays: 14,
  };
}
