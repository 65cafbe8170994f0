import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { AppLoadBalancer, AppLoadBalancerProps } from '../../lib/aws/app-load-balancer';
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
    publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
    privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    logKmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000',
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
