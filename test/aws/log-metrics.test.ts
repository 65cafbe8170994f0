import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LogMetrics, LogMetricsProps } from '../../lib/aws/log-metrics';
import { byId, lbFixture, LbFixture, synthJson } from '../support/aws-fixture';

function build(f: LbFixture, overrides: Partial<LogMetricsProps> = {}): LogMetrics {
  return new LogMetrics(f.stack, 'log-metrics', {
    name: 'shop-test',
    flowLogGroup: f.network.flowLogGroup,
    loadBalancer: f.alb.loadBalancer,
    targetGroups: f.alb.targetGroups,
    ...overrides,
  });
}

describe('LogMetrics: with a VPN and a log store', () => {
  const f = lbFixture();
  const vpnLogs = new CloudwatchLogGroup(f.stack, 'vpn-logs', {
    name: '/vpn/shop-test/tunnels',
    retentionInDays: 30,
    kmsKeyId: 'k',
  });
  const storeLogs = new CloudwatchLogGroup(f.stack, 'store-logs', {
    name: '/aws/opensearch/x/application',
    retentionInDays: 30,
    kmsKeyId: 'k',
  });
  const metrics = build(f, {
    vpn: { logGroup: vpnLogs, connectionId: 'vpn-0123' },
    logStoreErrorLogGroup: storeLogs,
    alarmTopicArns: ['arn:aws:sns:eu-west-1:111111111111:ops'],
  });
  const json = synthJson(f.stack);
  const alarms = Object.values(byId(json, 'aws_cloudwatch_metric_alarm'));
  const alarm = (name: string) => {
    const a = alarms.find((x) => x.alarm_name === name);
    expect(a).toBeDefined();
    return a!;
  };
  const filters = Object.values(byId(json, 'aws_cloudwatch_log_metric_filter'));

  test('one alarm per signal, named <name>-<key>', () => {
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      'shop-test-blue-target-5xx',
      'shop-test-blue-unhealthy-hosts',
      'shop-test-green-target-5xx',
      'shop-test-green-unhealthy-hosts',
      'shop-test-log-store-errors',
      'shop-test-vpc-rejected-connections',
      'shop-test-vpn-ike-failures',
      'shop-test-vpn-tunnel-down',
    ]);
    expect(Object.keys(metrics.alarms)).toContain('blue_target_5xx');
    expect(metrics.colorAlarms('green')).toEqual([
      metrics.alarms.green_target_5xx,
      metrics.alarms.green_unhealthy_hosts,
    ]);
    expect(metrics.alarmNames.green_unhealthy_hosts).toBe('shop-test-green-unhealthy-hosts');
  });

  test('counts REJECT records of the flow logs', () => {
    const f1 = filters.find((x) => x.name === 'shop-test-vpc-rejected-connections')!;
    expect(f1.log_group_name).toMatch(/aws_cloudwatch_log_group\.network_flow-logs_.*\.name/);
    expect(f1.pattern).toMatch(/action="REJECT", log_status\]$/);
    expect(f1.metric_transformation).toMatchObject({
      name: 'RejectedConnections',
      namespace: 'LogMetrics/shop-test',
      value: '1',
    });
    expect(alarm('shop-test-vpc-rejected-connections')).toMatchObject({
      namespace: 'LogMetrics/shop-test',
      metric_name: 'RejectedConnections',
      statistic: 'Sum',
      period: 300,
      threshold: 500,
    });
  });

  test('watches the VPN logs for IKE failures and the tunnel state', () => {
    const ike = filters.find((x) => x.name === 'shop-test-vpn-ike-failures')!;
    expect(ike.pattern).toContain('$.details = "*fail*"');
    expect(alarm('shop-test-vpn-tunnel-down')).toMatchObject({
      namespace: 'AWS/VPN',
      metric_name: 'TunnelState',
      dimensions: { VpnId: 'vpn-0123' },
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
    });
  });

  test("per color: target 5xx count and unhealthy hosts of that color's target group", () => {
    for (const color of ['blue', 'green']) {
      const errors = alarm(`shop-test-${color}-target-5xx`);
      expect(errors).toMatchObject({
        namespace: 'AWS/ApplicationELB',
        metric_name: 'HTTPCode_Target_5XX_Count',
        statistic: 'Sum',
        period: 60,
        evaluation_periods: 5,
        datapoints_to_alarm: 3,
        threshold: 10,
      });
      const dims = errors.dimensions as Record<string, string>;
      expect(dims.TargetGroup).toMatch(new RegExp(`aws_lb_target_group\\.alb_${color}_.*\\.arn_suffix`));
      expect(dims.LoadBalancer).toMatch(/aws_lb\.alb_.*\.arn_suffix/);
      expect(alarm(`shop-test-${color}-unhealthy-hosts`)).toMatchObject({
        metric_name: 'UnHealthyHostCount',
        statistic: 'Maximum',
        comparison_operator: 'GreaterThanThreshold',
        threshold: 0,
      });
    }
  });

  test('notifies the given topics on alarm and recovery', () => {
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual(['arn:aws:sns:eu-west-1:111111111111:ops']);
      expect(a.ok_actions).toEqual(['arn:aws:sns:eu-west-1:111111111111:ops']);
    }
  });
});

describe('LogMetrics: minimal', () => {
  test('without a VPN or log store there are only the flow log and per-color alarms', () => {
    const f = lbFixture();
    build(f, { thresholds: { target5xxPerMinute: 25 } });
    const alarms = Object.values(byId(synthJson(f.stack), 'aws_cloudwatch_metric_alarm'));
    expect(alarms).toHaveLength(5);
    expect(alarms.find((a) => a.alarm_name === 'shop-test-blue-target-5xx')!.threshold).toBe(25);
  });

  test('fails on a negative threshold', () => {
    expect(() => build(lbFixture(), { thresholds: { rejectedConnectionsPer5Min: -1 } })).toThrow(
      /thresholds.rejectedConnectionsPer5Min -1 must be a non-negative number/,
    );
  });
});
