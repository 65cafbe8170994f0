import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import { checkProp } from '../construct-errors';
import { Color, COLORS } from '../config/sections/release';

/** Alarm thresholds; each has a default that suits a small web fleet. */
export interface LogAlarmThresholds {
  /**
   * Rejected VPC flows per 5 minutes (port scans, misrouted traffic, a broken security group).
   * @default 500
   */
  readonly rejectedConnectionsPer5Min?: number;
  /**
   * Target 5xx responses per minute, per color, in 3 of 5 minutes.
   * @default 10
   */
  readonly target5xxPerMinute?: number;
  /**
   * IKE negotiation failures per 5 minutes in the VPN tunnel logs.
   * @default 3
   */
  readonly vpnIkeFailuresPer5Min?: number;
  /**
   * Error lines per 5 minutes in the log store's own application log.
   * @default 10
   */
  readonly logStoreErrorsPer5Min?: number;
}

/** Props for {@link LogMetrics}. */
export interface LogMetricsProps {
  /** Name prefix of alarms and of the metric namespace, e.g. `shop-prod`. */
  readonly name: string;
  /** The VPC flow log group (default flow log format). */
  readonly flowLogGroup: CloudwatchLogGroup;
  /** The load balancer the target groups belong to. */
  readonly loadBalancer: Lb;
  /** The per-color target groups. */
  readonly targetGroups: Record<Color, LbTargetGroup>;
  /**
   * The site-to-site VPN: its tunnel log group and connection id.
   * @default - no VPN alarms
   */
  readonly vpn?: { readonly logGroup: CloudwatchLogGroup; readonly connectionId: string };
  /**
   * The log store's own error log group (OpenSearch `ES_APPLICATION_LOGS`).
   * @default - no log store alarm
   */
  readonly logStoreErrorLogGroup?: CloudwatchLogGroup;
  /**
   * When each alarm fires: rejected flows, target 5xx responses, VPN IKE failures, log store errors.
   * @default - see {@link LogAlarmThresholds}
   */
  readonly thresholds?: LogAlarmThresholds;
  /**
   * SNS topic ARNs notified when an alarm fires or recovers.
   * @default [] - alarms change state only (read them with `cdktf output`, or wire a topic here)
   */
  readonly alarmTopicArns?: readonly string[];
}

/**
 * Metrics derived from the environment's log streams, and their alarms: rejected connections in the VPC flow
 * logs, IKE failures and tunnel state of the VPN, errors of the log store itself, and per color the target
 * group's 5xx count and unhealthy hosts. All alarms live in the shared stack (the target groups are there), so
 * a traffic flip still changes `<env>-cutover` only.
 *
 * Application error lines go to the log store (OpenSearch), not to CloudWatch; the per-color error signal
 * an alarm fires on is the load balancer's target 5xx count of that color.
 */
export class LogMetrics extends Construct {
  /** Custom metric namespace of the metric filters: `LogMetrics/<name>`. */
  public readonly namespace: string;
  /** Every alarm, by a stable key (`vpc_rejected_connections`, `blue_target_5xx`, `green_unhealthy_hosts`, ...). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** Every alarm's name (a literal), by the same key as {@link alarms}. */
  public readonly alarmNames: Record<string, string> = {};
  /** Every metric filter, by the same kind of key. */
  public readonly metricFilters: Record<string, CloudwatchLogMetricFilter> = {};

  constructor(scope: Construct, id: string, props: LogMetricsProps) {
    super(scope, id);
    validate(this, props);
    this.namespace = `LogMetrics/${props.name}`;
    const t = props.thresholds ?? {};
    const actions = props.alarmTopicArns ? [...props.alarmTopicArns] : [];
    const alarm = (
      key: string,
      config: Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmActions' | 'okActions'>,
    ) => {
      this.alarmNames[key] = `${props.name}-${key.replace(/_/g, '-')}`;
      this.alarms[key] = new CloudwatchMetricAlarm(this, `alarm-${key}`, {
        alarmName: this.alarmNames[key],
        alarmActions: actions,
        okActions: actions,
        ...config,
      });
    };
    const countFilter = (key: string, group: CloudwatchLogGroup, metricName: string, pattern: string) => {
      this.metricFilters[key] = new CloudwatchLogMetricFilter(this, `filter-${key}`, {
        name: `${props.name}-${key.replace(/_/g, '-')}`,
        logGroupName: group.name,
        pattern,
        metricTransformation: {
          name: metricName,
          namespace: this.namespace,
          value: '1',
          defaultValue: '0',
          unit: 'Count',
        },
      });
    };

    // VPC flow logs (default format): count REJECT records.
    countFilter(
      'vpc_rejected_connections',
      props.flowLogGroup,
      'RejectedConnections',
      '[version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action="REJECT", log_status]',
    );
    alarm('vpc_rejected_connections', {
      alarmDescription:
        'VPC flow logs: many rejected connections (scan, misrouted traffic or a security group that is too tight)',
      namespace: this.namespace,
      metricName: 'RejectedConnections',
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: t.rejectedConnectionsPer5Min ?? 500,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });

    if (props.vpn) {
      // VPN tunnel logs are JSON: {"details": "...", "ike_phase1_state": ..., ...}.
      countFilter(
        'vpn_ike_failures',
        props.vpn.logGroup,
        'VpnIkeFailures',
        '{ ($.details = "*fail*") || ($.details = "*Fail*") || ($.details = "*timed out*") }',
      );
      alarm('vpn_ike_failures', {
        alarmDescription: 'VPN tunnel logs: IKE negotiation failures (PSK, proposal or peer address mismatch)',
        namespace: this.namespace,
        metricName: 'VpnIkeFailures',
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: t.vpnIkeFailuresPer5Min ?? 3,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
      alarm('vpn_tunnel_down', {
        alarmDescription: 'VPN: a tunnel is down (TunnelState below 1 for 15 minutes)',
        namespace: 'AWS/VPN',
        metricName: 'TunnelState',
        dimensions: { VpnId: props.vpn.connectionId },
        statistic: 'Minimum',
        period: 300,
        evaluationPeriods: 3,
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        treatMissingData: 'breaching',
      });
    }

    if (props.logStoreErrorLogGroup) {
      countFilter('log_store_errors', props.logStoreErrorLogGroup, 'LogStoreErrors', '"ERROR"');
      alarm('log_store_errors', {
        alarmDescription: 'Log store: errors in the OpenSearch application log (rejected writes, cluster trouble)',
        namespace: this.namespace,
        metricName: 'LogStoreErrors',
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: t.logStoreErrorsPer5Min ?? 10,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
    }

    for (const color of COLORS) {
      const dimensions = {
        LoadBalancer: props.loadBalancer.arnSuffix,
        TargetGroup: props.targetGroups[color].arnSuffix,
      };
      alarm(`${color}_target_5xx`, {
        alarmDescription: `${color}: the app answers with 5xx (target errors, per minute, 3 of 5 minutes)`,
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensions,
        statistic: 'Sum',
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        threshold: t.target5xxPerMinute ?? 10,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
      alarm(`${color}_unhealthy_hosts`, {
        alarmDescription: `${color}: instances fail the load balancer health check (3 minutes in a row)`,
        namespace: 'AWS/ApplicationELB',
        metricName: 'UnHealthyHostCount',
        dimensions,
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 3,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
    }
  }

  /** The alarms of one color (target 5xx, unhealthy hosts), e.g. for a smoke check after a deploy. */
  public colorAlarms(color: Color): CloudwatchMetricAlarm[] {
    return [this.alarms[`${color}_target_5xx`], this.alarms[`${color}_unhealthy_hosts`]];
  }
}

function validate(scope: Construct, props: LogMetricsProps): void {
  for (const [key, value] of Object.entries(props.thresholds ?? {})) {
    checkProp(scope, value, (v) =>
      typeof v === 'number' && (!Number.isFinite(v) || v < 0)
        ? `thresholds.${key} ${v} must be a non-negative number. Fix: set thresholds.${key} to 0 or more`
        : undefined,
    );
  }
}
