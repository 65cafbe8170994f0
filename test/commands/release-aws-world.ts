// The AWS world of the release tests: moto's server (test/support/aws-emulator.ts) holding what the four stacks of
// `staging` would have built (load balancer, listener, target groups, launch template, Auto Scaling group, alarms,
// the shared stack's SSM parameters, the green release parameter), created directly through the AWS SDK, plus the
// stand-ins for what cannot run here, each named as one:
// - the deploy port: `cdktf deploy` of a color is a stand-in that writes the release parameter (what the color
//   stack's apply changes that the release reads); `cdktf deploy <env>-cutover` is a stand-in that applies the
//   values file's weights to the emulator's listener through the real ModifyListener call;
// - instance refreshes: moto does not model them (test/support/moto-server.py only accepts StartInstanceRefresh), so
//   DescribeInstanceRefreshes goes to a loopback stand-in speaking the Auto Scaling query protocol (XML), read by the
//   real SDK client.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadEnvironments } from '../../lib/config';
import { releaseParameterValue } from '../../lib/aws/release-parameter';
import { awsReleaseCloud } from '../../lib/commands/release/cloud';
import { ReleasePorts, StackDeployResult } from '../../lib/commands/release/engine';
import { Emulator, EMULATOR_CREDENTIALS, findMotoServer } from '../support/aws-emulator';
import { envDir } from '../support/env-dir';
import { S3RVER_CREDENTIALS, S3Server } from '../support/s3-server';

export const ENV = 'staging';
export const REGION = 'eu-west-1';
export const IMAGE = 'ami-0a1b2c3d4e5f60718';
export const NEW_VERSION = '1.6.0';
export const ALARMS = {
  green5xx: 'shop-staging-green-target-5xx',
  greenUnhealthy: 'shop-staging-green-unhealthy-hosts',
  blue5xx: 'shop-staging-blue-target-5xx',
  blueUnhealthy: 'shop-staging-blue-unhealthy-hosts',
};
export const RECORDS_BUCKET = 'shop-staging-release-records';

/** moto's server, when installed (CI installs it; a missing one fails there). */
export const motoServer = findMotoServer();

/** One refresh the stand-in reports. */
export interface Refresh {
  readonly id: string;
  readonly status: string;
  readonly startTime: Date;
  readonly reason?: string;
}

/** A loopback stand-in of Auto Scaling's DescribeInstanceRefreshes (query protocol, XML), which moto lacks. */
export async function startRefreshStandIn(): Promise<{
  endpoint: string;
  refreshes: Refresh[];
  calls: string[];
  close(): Promise<void>;
}> {
  const refreshes: Refresh[] = [];
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      calls.push(params.get('Action') ?? '');
      if (params.get('Action') !== 'DescribeInstanceRefreshes') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>stand-in serves DescribeInstanceRefreshes only</Message></Error><RequestId>0</RequestId></ErrorResponse>`,
        );
        return;
      }
      const group = params.get('AutoScalingGroupName');
      const members = [...refreshes]
        .reverse()
        .map(
          (r) =>
            `<member><InstanceRefreshId>${r.id}</InstanceRefreshId><AutoScalingGroupName>${group}</AutoScalingGroupName><Status>${r.status}</Status>` +
            `${r.reason ? `<StatusReason>${r.reason}</StatusReason>` : ''}<StartTime>${r.startTime.toISOString()}</StartTime><PercentageComplete>${r.status === 'Successful' ? 100 : 40}</PercentageComplete></member>`,
        )
        .join('');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<DescribeInstanceRefreshesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeInstanceRefreshesResult><InstanceRefreshes>${members}</InstanceRefreshes></DescribeInstanceRefreshesResult>` +
          `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeInstanceRefreshesResponse>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    refreshes,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** An HTTP server answering `/health` with a body holding `version` (the idle color behind the test listener). */
export async function startApp(version: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ status: 'ok', version: version() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Everything one test needs: the emulator's resources, a project directory, the ports. */
export interface AwsWorld {
  readonly cwd: string;
  readonly valuesFile: string;
  readonly listenerArn: string;
  readonly groupName: string;
  readonly clients: {
    elb: ElasticLoadBalancingV2Client;
    cloudwatch: CloudWatchClient;
    ec2: EC2Client;
    asg: AutoScalingClient;
  };
  /** Every stack the deploy port was asked to deploy, in order. */
  readonly deployed: string[];
  /** Runs inside the cutover deploy stand-in after the weights were applied; `n` counts cutover deploys from 1. */
  onCutoverDeployed?: (n: number) => Promise<StackDeployResult | void>;
  /** Weights the listener applies now, read with the real DescribeListeners. */
  listenerWeights(): Promise<Record<string, number>>;
  /** Sets the listener's weights directly (a change made outside the tool). */
  setListener(blue: number, green: number): Promise<void>;
  /** An alarm into a state with the real SetAlarmState. */
  setAlarm(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): Promise<void>;
  /** Stops the group's instances (they fail the target group's health: moto answers `unused`). */
  stopFleet(): Promise<void>;
  /** The ports for `release()`: real readers and smoke, stand-ins as described above, a fake clock. */
  readonly ports: Partial<ReleasePorts>;
  /** Fake seconds slept so far. */
  slept(): number;
}

const id = () => Math.random().toString(36).slice(2, 10);

/** The network per emulator: made once (moto's EC2 sets itself up on first use, which takes seconds). */
const networks = new Map<string, Promise<{ vpc: string; subnets: string[] }>>();
let worlds = 0;

/**
 * Builds a fresh world in the emulator (new load balancer, target groups, listener, fleet; the shared parameters
 * and alarms rewritten) and a project directory whose environments are the shipped ones with `staging` edited by
 * `edit` (text → text). The emulator is not reset between worlds (a reset costs seconds), so names are unique.
 */
export async function awsWorld(
  emulator: Emulator,
  refresh: Awaited<ReturnType<typeof startRefreshStandIn>>,
  appUrl: string,
  edit: (text: string) => string = (t) => t,
): Promise<AwsWorld> {
  refresh.refreshes.length = 0;
  const n = ++worlds;
  const clientConfig = { region: REGION, endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS };
  const ec2 = new EC2Client(clientConfig);
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const asg = new AutoScalingClient(clientConfig);
  // moto 5.2.5 speaks CloudWatch's query protocol only (the SDK's default is JSON 1.0; AWS accepts both).
  const cloudwatch = new CloudWatchClient({ ...clientConfig, protocol: AwsQueryProtocol });
  const ssm = new SSMClient(clientConfig);

  if (!networks.has(emulator.endpoint)) {
    networks.set(
      emulator.endpoint,
      (async () => {
        const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
        const subnets: string[] = [];
        for (const [i, az] of ['eu-west-1a', 'eu-west-1b'].entries()) {
          subnets.push(
            (
              await ec2.send(
                new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.20.1${i}.0/24`, AvailabilityZone: az }),
              )
            ).Subnet!.SubnetId!,
          );
        }
        return { vpc, subnets };
      })(),
    );
  }
  const { vpc, subnets } = await networks.get(emulator.endpoint)!;
  const lb = (
    await elb.send(new CreateLoadBalancerCommand({ Name: `shop-staging-${n}`, Subnets: subnets, Type: 'application' }))
  ).LoadBalancers![0].LoadBalancerArn!;
  const tg: Record<string, string> = {};
  for (const color of ['blue', 'green']) {
    tg[color] = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: `shop-staging-${color}-${n}`,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpc,
          TargetType: 'instance',
        }),
      )
    ).TargetGroups![0].TargetGroupArn!;
  }
  // Port 443 as the cutover stack builds it (HTTP here: the emulator has no certificate to attach, and the
  // release reads the forward weights, not the protocol).
  const listenerArn = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Port: 443,
        Protocol: 'HTTP',
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: tg.blue, Weight: 100 },
                { TargetGroupArn: tg.green, Weight: 0 },
              ],
            },
          },
        ],
      }),
    )
  ).Listeners![0].ListenerArn!;

  // The green fleet: a launch template at version 2 (the new release's), the group on it, in the green target group.
  const lt = (
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `shop-staging-green-${n}`,
        LaunchTemplateData: { ImageId: IMAGE, InstanceType: 't3.small' },
      }),
    )
  ).LaunchTemplate!.LaunchTemplateId!;
  await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: lt,
      LaunchTemplateData: { ImageId: IMAGE, InstanceType: 't3.small' },
    }),
  );
  // As the color fleet's launch template does (update_default_version); moto reports an instance's version as the default one.
  await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: lt, DefaultVersion: '2' }));
  const groupName = `shop-staging-green-${n}`;
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: groupName,
      LaunchTemplate: { LaunchTemplateId: lt, Version: '2' },
      MinSize: 1,
      MaxSize: 2,
      DesiredCapacity: 1,
      VPCZoneIdentifier: subnets.join(','),
      TargetGroupARNs: [tg.green],
    }),
  );

  const put = (Name: string, Value: string) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true }));
  await put('/shop/staging/shared/load-balancer-arn', lb);
  await put('/shop/staging/shared/blue-target-group-arn', tg.blue);
  await put('/shop/staging/shared/green-target-group-arn', tg.green);
  // What the color stack wrote when green was deployed with the shipped values (the real value function).
  const shippedGreen = loadEnvironments({ dir: envDir(), only: [ENV] })[0].colors.green.release;
  await put(
    '/shop/staging/green/release',
    releaseParameterValue({ app: 'shop', environment: ENV, color: 'green', release: shippedGreen }),
  );

  for (const name of Object.values(ALARMS)) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'OK', StateReason: 'test setup' }));
  }

  // The project: shipped environments, staging edited, green on the new release.
  const envs = envDir();
  const cwd = path.dirname(envs);
  const valuesFile = path.join(envs, `${ENV}.yaml`);
  const text = fs.readFileSync(valuesFile, 'utf8').replace('version: 1.4.1', `version: ${NEW_VERSION}`);
  fs.writeFileSync(valuesFile, edit(text));
  const outputsFile = path.join(cwd, 'outputs.json');
  fs.writeFileSync(
    outputsFile,
    JSON.stringify({
      'staging-green': { autoscaling_group_name: groupName, release_version: NEW_VERSION },
      'staging-shared': {
        log_alarm_names: {
          green_target_5xx: ALARMS.green5xx,
          green_unhealthy_hosts: ALARMS.greenUnhealthy,
          blue_target_5xx: ALARMS.blue5xx,
          blue_unhealthy_hosts: ALARMS.blueUnhealthy,
        },
      },
      'staging-cutover': { test_url: appUrl, live_url: appUrl },
    }),
  );

  const deployed: string[] = [];
  let cutovers = 0;
  let clock = Date.now();
  let slept = 0;
  const world: AwsWorld = {
    cwd,
    valuesFile,
    listenerArn,
    groupName,
    clients: { elb, cloudwatch, ec2, asg },
    deployed,
    async listenerWeights() {
      const l = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0];
      const groups = l.DefaultActions![0].ForwardConfig!.TargetGroups!;
      return Object.fromEntries(groups.map((g) => [g.TargetGroupArn === tg.blue ? 'blue' : 'green', g.Weight ?? 0]));
    },
    async setListener(blue, green) {
      await elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: tg.blue, Weight: blue },
                  { TargetGroupArn: tg.green, Weight: green },
                ],
              },
            },
          ],
        }),
      );
    },
    async setAlarm(name, state) {
      await cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: `set by the test: ${state}` }),
      );
    },
    async stopFleet() {
      const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] })))
        .AutoScalingGroups![0];
      await ec2.send(new StopInstancesCommand({ InstanceIds: group.Instances!.map((i) => i.InstanceId!) }));
    },
    slept: () => slept,
    ports: {},
  };
  const readers = new AutoScalingClient({ ...clientConfig, endpoint: refresh.endpoint });
  Object.assign(world, {
    ports: {
      cloud: (config, outputs) =>
        awsReleaseCloud(config, outputs, {
          clientConfig: { endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS },
          instanceRefreshClient: readers,
          cloudwatchClient: cloudwatch,
        }),
      async deployStack(stack: string): Promise<StackDeployResult> {
        deployed.push(stack);
        if (stack === 'staging-green') {
          // Stand-in of the color deploy: the release parameter changes, and an instance refresh starts and (in
          // the refresh stand-in) succeeds.
          const [config] = loadEnvironments({ dir: envs, only: [ENV] });
          await put(
            '/shop/staging/green/release',
            releaseParameterValue({
              app: 'shop',
              environment: ENV,
              color: 'green',
              release: config.colors.green.release,
            }),
          );
          refresh.refreshes.push({ id: id(), status: 'Successful', startTime: new Date(clock) });
          return { exitCode: 0, outcome: 'succeeded' };
        }
        if (stack === 'staging-cutover') {
          // Stand-in of `cdktf deploy staging-cutover`: the values file's weights, applied with ModifyListener.
          const [config] = loadEnvironments({ dir: envs, only: [ENV] });
          await world.setListener(config.traffic.blue, config.traffic.green);
          const extra = await world.onCutoverDeployed?.(++cutovers);
          return extra ?? { exitCode: 0, outcome: 'succeeded' };
        }
        throw new Error(`unexpected deploy of ${stack}`);
      },
      now: () => new Date(clock),
      async sleep(ms: number) {
        clock += ms;
        slept += ms / 1000;
      },
      async callerIdentity() {
        const out = await new STSClient(clientConfig).send(new GetCallerIdentityCommand({}));
        return { principal: out.Arn!, account: out.Account, source: 'aws-sts:GetCallerIdentity (emulator)' };
      },
    } satisfies Partial<ReleasePorts>,
  });
  return world;
}

/**
 * The options every test passes: the outputs file, and the records bucket on `records`, a real S3-compatible server
 * (s3rver, test/support/s3-server.ts; moto 5.2.5 refuses object-lock uploads that carry a SHA-256 checksum but no
 * Content-MD5, which AWS accepts).
 */
export function releaseOptions(world: AwsWorld, records: S3Server) {
  return {
    environment: ENV,
    cwd: world.cwd,
    stackOutputsFile: path.join(world.cwd, 'outputs.json'),
    bucket: RECORDS_BUCKET,
    region: REGION,
    endpoint: records.endpoint,
    pollSeconds: 10,
    env: { ...process.env, ...S3RVER_CREDENTIALS, AWS_REGION: REGION },
    stdout: () => undefined,
    stderr: () => undefined,
    ports: world.ports,
  };
}

/** A scratch directory for the emulator's log. */
export function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bg-release-'));
}
