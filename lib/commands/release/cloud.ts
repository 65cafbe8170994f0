/**
 * What `npm run release` reads from the cloud: the release a color runs, the live listener's weights, whether a
 * fleet is ready (instance refresh, launch template version, target health), and alarm states. One
 * {@link ReleaseCloud} per cloud: AWS through the SDK v3 clients, DigitalOcean through its HTTP API.
 *
 * Identifiers come from the stacks' contract: the parameters `<env>-shared` publishes (load balancer, target
 * groups), stack outputs (Auto Scaling group, alarm names), and the names DigitalOcean resources are created with.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { PUBLIC_LISTENER_PORTS } from '../../aws/app-load-balancer';
import { releaseParameterName } from '../../aws/aws-names';
import type { EnvironmentConfig } from '../../config';
import { COLORS, Color } from '../../config/sections/release';
import type { Weights } from '../../config/sections/traffic';
import {
  AwsSharedValueKey,
  COLOR_OUTPUTS,
  doResourceNames,
  LOG_OUTPUTS,
  sharedParameterPath,
  stackName,
} from '../../../stacks/contract';

/** The release a color runs in the cloud. */
export interface DeployedRelease {
  /** Semantic version. */
  readonly version: string;
  /** Machine image, when the cloud records it. */
  readonly image?: string;
  /** OCI artifact, when the cloud records it. */
  readonly artifact?: string;
}

/** Whether a color's fleet is ready to take traffic. */
export interface FleetStatus {
  /** True when every condition holds. */
  readonly ready: boolean;
  /** Set when the fleet can no longer become ready (a failed or cancelled refresh): stop waiting. */
  readonly failed?: string;
  /** One line: what holds and what does not yet, e.g. `refresh InProgress 40%; 1/2 on launch template v7; 1/2 healthy`. */
  readonly summary: string;
}

/** The state of one alarm. */
export interface AlarmReading {
  /** `OK`, `ALARM`, `INSUFFICIENT_DATA`, or `MISSING` when no alarm has the name. */
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';
  /** The cloud's reason for the state. */
  readonly reason?: string;
}

/** What the release reads from a cloud. */
export interface ReleaseCloud {
  /** The release a color runs, or `undefined` when it was never deployed. */
  deployedRelease(color: Color): Promise<DeployedRelease | undefined>;
  /** The weights the live listener applies now. */
  liveWeights(): Promise<Weights>;
  /** Whether the color's fleet is ready; `since` ignores instance refreshes started before it. */
  fleetStatus(color: Color, desired: number, since?: Date): Promise<FleetStatus>;
  /** The color's own alarms (AWS: target 5xx and unhealthy hosts of the log-metrics construct). */
  colorAlarmNames(color: Color): Promise<readonly string[]>;
  /** The state of each named alarm. */
  alarmStates(names: readonly string[]): Promise<Record<string, AlarmReading>>;
}

/** Reads a stack's outputs (`cdktf output`, or a file). */
export type OutputsReader = (stack: string) => Promise<Record<string, unknown>>;

/** A value that must be present, or an error naming where it was looked for. */
class CloudReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudReadError';
  }
}
export { CloudReadError };

/** Options for {@link awsReleaseCloud}. */
export interface AwsReleaseCloudOptions {
  /**
   * Extra client configuration for every SDK client (endpoint, credentials).
   * @default - the SDK's defaults in the environment's region (credential chain, AWS endpoints)
   */
  readonly clientConfig?: Record<string, unknown>;
  /**
   * The client for `DescribeInstanceRefreshes` (the AWS emulator used in tests does not model refreshes).
   * @default - the Auto Scaling client of `clientConfig`
   */
  readonly instanceRefreshClient?: AutoScalingClient;
  /**
   * The CloudWatch client (the AWS emulator used in tests speaks CloudWatch's query protocol only, not the JSON
   * protocol the SDK sends by default; AWS accepts both).
   * @default - a CloudWatch client of `clientConfig`
   */
  readonly cloudwatchClient?: CloudWatchClient;
}

/** The {@link ReleaseCloud} of an AWS environment. */
export function awsReleaseCloud(
  config: EnvironmentConfig,
  outputs: OutputsReader,
  options: AwsReleaseCloudOptions = {},
): ReleaseCloud {
  const clientConfig = { region: config.region, ...(options.clientConfig ?? {}) };
  const ssm = new SSMClient(clientConfig);
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const asg = new AutoScalingClient(clientConfig);
  const refreshes = options.instanceRefreshClient ?? asg;
  const cloudwatch = options.cloudwatchClient ?? new CloudWatchClient(clientConfig);
  const app = config.app.name;
  const env = config.name;

  const parameter = async (name: string): Promise<string | undefined> => {
    try {
      return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    } catch (e) {
      if ((e as { name?: string }).name === 'ParameterNotFound') return undefined;
      throw e;
    }
  };
  const shared = async (key: AwsSharedValueKey): Promise<string> => {
    const name = sharedParameterPath(app, env, key);
    const value = await parameter(name);
    if (!value) throw new CloudReadError(`SSM parameter ${name} not found: deploy ${stackName(env, 'shared')} first`);
    return value;
  };
  const targetGroupArn = (color: Color) => shared(color === 'blue' ? 'blueTargetGroupArn' : 'greenTargetGroupArn');

  return {
    async deployedRelease(color) {
      const value = await parameter(releaseParameterName(app, env, color));
      if (value === undefined) return undefined;
      const doc = JSON.parse(value) as DeployedRelease;
      return { version: doc.version, image: doc.image, ...(doc.artifact ? { artifact: doc.artifact } : {}) };
    },

    async liveWeights() {
      const lb = await shared('loadBalancerArn');
      const arns = { blue: await targetGroupArn('blue'), green: await targetGroupArn('green') };
      const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb }))).Listeners ?? [];
      const live = listeners.find((l) => l.Port === PUBLIC_LISTENER_PORTS.https);
      if (!live)
        throw new CloudReadError(
          `load balancer ${lb} has no listener on port ${PUBLIC_LISTENER_PORTS.https}: deploy ${stackName(env, 'cutover')} first`,
        );
      const forward = (live.DefaultActions ?? []).find((a) => a.Type === 'forward');
      const groups =
        forward?.ForwardConfig?.TargetGroups ??
        (forward?.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
      const raw: Record<Color, number> = { blue: 0, green: 0 };
      for (const g of groups) {
        const color = COLORS.find((c) => arns[c] === g.TargetGroupArn);
        if (!color)
          throw new CloudReadError(
            `listener ${live.ListenerArn} forwards to ${g.TargetGroupArn}, which is neither the blue nor the green target group`,
          );
        raw[color] += g.Weight ?? 1;
      }
      const total = raw.blue + raw.green;
      if (total === 0) throw new CloudReadError(`listener ${live.ListenerArn} forwards to no color (all weights 0)`);
      // ALB weights are relative (0-999); the values speak percent.
      const blue = Math.round((raw.blue * 100) / total);
      return { blue, green: 100 - blue };
    },

    async fleetStatus(color, desired, since) {
      const groupName = (await outputs(stackName(env, color)))[COLOR_OUTPUTS.autoscalingGroupName];
      if (typeof groupName !== 'string' || !groupName)
        throw new CloudReadError(
          `no output ${COLOR_OUTPUTS.autoscalingGroupName} of ${stackName(env, color)}: deploy it first`,
        );
      const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] })))
        .AutoScalingGroups?.[0];
      if (!group) return { ready: false, failed: `Auto Scaling group ${groupName} not found`, summary: 'no group' };
      const parts: string[] = [];
      let ready = true;

      const refresh = (
        await refreshes.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, MaxRecords: 1 }))
      ).InstanceRefreshes?.[0];
      if (refresh && (!since || !refresh.StartTime || refresh.StartTime.getTime() >= since.getTime() - 60_000)) {
        const status = refresh.Status ?? 'unknown';
        parts.push(
          `refresh ${status}${refresh.PercentageComplete !== undefined ? ` ${refresh.PercentageComplete}%` : ''}`,
        );
        if (['Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed'].includes(status)) {
          return {
            ready: false,
            failed: `instance refresh ${refresh.InstanceRefreshId} of ${groupName} ended ${status}${refresh.StatusReason ? `: ${refresh.StatusReason}` : ''}`,
            summary: parts.join('; '),
          };
        }
        if (status !== 'Successful') ready = false;
      } else {
        parts.push('no refresh started');
      }

      const version = group.LaunchTemplate?.Version;
      const inService = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
      const current = inService.filter((i) => version === undefined || i.LaunchTemplate?.Version === version);
      parts.push(`${current.length}/${inService.length} in service on launch template version ${version ?? '?'}`);
      if (current.length !== inService.length || inService.length < desired) ready = false;

      const health =
        (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: await targetGroupArn(color) })))
          .TargetHealthDescriptions ?? [];
      const currentIds = new Set(current.map((i) => i.InstanceId));
      const healthy = health.filter((h) => h.TargetHealth?.State === 'healthy' && currentIds.has(h.Target?.Id)).length;
      parts.push(`${healthy}/${desired} healthy in the ${color} target group`);
      if (healthy < desired) ready = false;
      return { ready, summary: parts.join('; ') };
    },

    async colorAlarmNames(color) {
      const names = (await outputs(stackName(env, 'shared')))[LOG_OUTPUTS.alarmNames] as
        Record<string, string> | undefined;
      const keys = [`${color}_target_5xx`, `${color}_unhealthy_hosts`];
      const found = keys.map((k) => names?.[k]).filter((n): n is string => typeof n === 'string');
      if (found.length !== keys.length)
        throw new CloudReadError(
          `output ${LOG_OUTPUTS.alarmNames} of ${stackName(env, 'shared')} lacks ${keys.join(' or ')}: deploy it first`,
        );
      return found;
    },

    async alarmStates(names) {
      const out: Record<string, AlarmReading> = {};
      for (let i = 0; i < names.length; i += 100) {
        const batch = names.slice(i, i + 100);
        const alarms = await cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
        );
        for (const a of [...(alarms.MetricAlarms ?? []), ...(alarms.CompositeAlarms ?? [])]) {
          if (a.AlarmName)
            out[a.AlarmName] = {
              state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmReading['state'],
              reason: a.StateReason,
            };
        }
      }
      for (const name of names) out[name] ??= { state: 'MISSING', reason: 'no alarm with this name' };
      return out;
    },
  };
}

/** Options for {@link digitaloceanReleaseCloud}. */
export interface DigitalOceanReleaseCloudOptions {
  /**
   * Base URL of the DigitalOcean API (the CLI passes `DIGITALOCEAN_API_URL`, as the deploy's identity lookup reads it).
   * @default 'https://api.digitalocean.com'
   */
  readonly apiUrl?: string;
  /** API token. */
  readonly token: string;
}

/**
 * The {@link ReleaseCloud} of a DigitalOcean environment: the live load balancer follows one droplet tag (so
 * weights are 100/0), a fleet is ready when the color's droplets are active and the preview load balancer is
 * active and sends to all of them. There are no alarms to read.
 */
export function digitaloceanReleaseCloud(
  config: EnvironmentConfig,
  outputs: OutputsReader,
  options: DigitalOceanReleaseCloudOptions,
): ReleaseCloud {
  const base = (options.apiUrl ?? 'https://api.digitalocean.com').replace(/\/+$/, '');
  const names = doResourceNames(config.app.name, config.name, config.digitalocean?.project?.name);
  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(`${base}${pathAndQuery}`, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
    });
    if (!res.ok)
      throw new CloudReadError(
        `DigitalOcean API GET ${pathAndQuery}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`,
      );
    return (await res.json()) as T;
  };
  interface LoadBalancer {
    readonly id: string;
    readonly name: string;
    readonly status: string;
    readonly tag?: string;
    readonly droplet_ids?: readonly number[];
  }
  const loadBalancer = async (name: string): Promise<LoadBalancer> => {
    const { load_balancers: all } = await api<{ load_balancers: LoadBalancer[] }>('/v2/load_balancers?per_page=200');
    const lb = all.find((l) => l.name === name);
    if (!lb)
      throw new CloudReadError(
        `no DigitalOcean load balancer named ${name}: deploy ${stackName(config.name, 'cutover')} first`,
      );
    return lb;
  };
  return {
    async deployedRelease(color) {
      try {
        const version = (await outputs(stackName(config.name, color)))[COLOR_OUTPUTS.releaseVersion];
        return typeof version === 'string' ? { version } : undefined;
      } catch {
        return undefined;
      }
    },
    async liveWeights() {
      const lb = await loadBalancer(names.liveLoadBalancer);
      const color = COLORS.find((c) => names.colorTags[c] === lb.tag);
      if (!color)
        throw new CloudReadError(
          `load balancer ${lb.name} follows tag ${lb.tag ?? '(none)'}, neither ${names.colorTags.blue} nor ${names.colorTags.green}`,
        );
      return { blue: color === 'blue' ? 100 : 0, green: color === 'green' ? 100 : 0 };
    },
    async fleetStatus(color, desired) {
      const tag = names.colorTags[color];
      const { droplets } = await api<{ droplets: Array<{ id: number; status: string }> }>(
        `/v2/droplets?tag_name=${encodeURIComponent(tag)}&per_page=200`,
      );
      const active = droplets.filter((d) => d.status === 'active');
      const preview = await loadBalancer(names.previewLoadBalancer);
      const served = new Set(preview.droplet_ids ?? []);
      const behind = active.filter((d) => served.has(d.id)).length;
      const ready =
        active.length >= desired && preview.status === 'active' && preview.tag === tag && behind === active.length;
      const summary = `${active.length}/${desired} droplets tagged ${tag} active; preview load balancer ${preview.status}, follows ${preview.tag ?? '(none)'}, serves ${behind}/${active.length}`;
      return { ready, summary };
    },
    async colorAlarmNames() {
      return [];
    },
    async alarmStates(names) {
      return Object.fromEntries(
        names.map((n) => [n, { state: 'MISSING' as const, reason: 'DigitalOcean has no CloudWatch alarms' }]),
      );
    },
  };
}
