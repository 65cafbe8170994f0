import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { loadEnvironments } from '../../lib/config';
import { enforceGuardrails } from '../../lib/policy/enforce';
import { createEnvironmentStacks } from '../../stacks/environment-stacks';
import { awsSharedReads, awsSharedValueKeys, LOG_OUTPUTS, sharedParameterPath } from '../../stacks/contract';
import { envDir, withValue } from '../support/env-dir';
import { followPublished, resources, synthEnvironments } from '../support/synth';
import { decodeUserData } from '../../lib/aws/color-fleet';

describe('central logging wired into the prod stacks', () => {
  const stacks = synthEnvironments(undefined, ['prod']);
  const shared = stacks.get('prod-shared')!;
  const cutover = stacks.get('prod-cutover')!;

  test('prod-shared holds the OpenSearch domain sized from the values', () => {
    const domains = resources(shared, 'aws_opensearch_domain');
    expect(domains).toHaveLength(1);
    expect(domains[0]).toMatchObject({
      domain_name: 'shop-prod-logs',
      cluster_config: { instance_type: 'r6g.large.search', instance_count: 3, zone_awareness_enabled: true },
      ebs_options: { volume_size: 100 },
      encrypt_at_rest: { enabled: true },
      node_to_node_encryption: { enabled: true },
      domain_endpoint_options: { enforce_https: true },
      advanced_security_options: { enabled: true },
    });
    for (const [name, stack] of stacks)
      if (name !== 'prod-shared') expect(resources(stack, 'aws_opensearch_domain')).toHaveLength(0);
  });

  test('every log group of every prod stack has a retention and a KMS key', () => {
    const groups = [...stacks.values()].flatMap((s) => resources(s, 'aws_cloudwatch_log_group'));
    expect(groups.length).toBeGreaterThanOrEqual(5); // flow logs, VPN, three store logs
    for (const g of groups) {
      expect(g.retention_in_days).toEqual(expect.any(Number));
      expect(g.kms_key_id).toEqual(expect.any(String));
    }
    const store = groups.filter((g) => String(g.name).startsWith('/aws/opensearch/'));
    for (const g of store) expect(g.retention_in_days).toBe(365); // logging.logGroupRetentionDays in prod.yaml
  });

  test('alarms per color and per log stream live in prod-shared, with names and ARNs as outputs', () => {
    const names = resources(shared, 'aws_cloudwatch_metric_alarm')
      .map((a) => a.alarm_name)
      .sort();
    expect(names).toEqual([
      'shop-prod-blue-target-5xx',
      'shop-prod-blue-unhealthy-hosts',
      'shop-prod-green-target-5xx',
      'shop-prod-green-unhealthy-hosts',
      'shop-prod-log-store-errors',
      'shop-prod-vpc-rejected-connections',
      'shop-prod-vpn-ike-failures',
      'shop-prod-vpn-tunnel-down',
    ]);
    const out = shared.output!;
    expect(out[LOG_OUTPUTS.alarmNames].value).toMatchObject({
      blue_target_5xx: 'shop-prod-blue-target-5xx',
      green_unhealthy_hosts: 'shop-prod-green-unhealthy-hosts',
    });
    expect(Object.keys(out[LOG_OUTPUTS.alarmArns].value as object).sort()).toEqual(
      Object.keys(out[LOG_OUTPUTS.alarmNames].value as object).sort(),
    );
    expect(
      resources(shared, 'aws_cloudwatch_log_metric_filter')
        .map((f) => f.name)
        .sort(),
    ).toEqual(['shop-prod-log-store-errors', 'shop-prod-vpc-rejected-connections', 'shop-prod-vpn-ike-failures']);
  });

  test('a traffic flip touches no alarm: prod-cutover has none', () => {
    expect(resources(cutover, 'aws_cloudwatch_metric_alarm')).toHaveLength(0);
    expect(resources(cutover, 'aws_cloudwatch_log_metric_filter')).toHaveLength(0);
  });

  test('outputs the endpoint, dashboards, secrets and the bootstrap with the prod retention', () => {
    const out = shared.output!;
    for (const key of Object.values(LOG_OUTPUTS)) expect(out[key]).toBeDefined();
    const bootstrap = JSON.parse(String(out[LOG_OUTPUTS.bootstrap].value)) as Array<{ path: string; body: unknown }>;
    expect(JSON.stringify(bootstrap[0].body)).toContain('"min_index_age":"90d"');
    expect(out[LOG_OUTPUTS.forwarderSecret].sensitive).toBeUndefined(); // a name, not a value
  });

  test.each(['blue', 'green'])('prod-%s: user data reads the forwarder secret, and the role may read it', (color) => {
    const stack = stacks.get(`prod-${color}`)!;
    const [template] = resources(stack, 'aws_launch_template');
    const userData = decodeUserData(String(template.user_data));
    expect(userData).toContain('SECRET_ID = "shop-prod/log-forwarder"');
    expect(userData).toContain('REGION = "eu-west-1"');
    expect(userData).toContain(`color=${color} release=`);
    const attachments = resources(stack, 'aws_iam_role_policy_attachment').map((a) =>
      followPublished(stacks, a.policy_arn),
    );
    expect(attachments.some((a) => a.includes('log-store_forwarder-read'))).toBe(true);
  });

  test('the instances may reach the log store on 443 and the package mirrors on 80', () => {
    const egress = resources(shared, 'aws_vpc_security_group_egress_rule').filter((r) =>
      String(r.security_group_id).includes('instance-sg'),
    );
    expect(egress.map((r) => r.from_port).sort()).toEqual([443, 80].sort());
  });
});

describe('logging.store.type: none (prod): no log store, no forwarder, the contract still holds', () => {
  const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'store'], { type: 'none' }) });
  const stacks = synthEnvironments(dir, ['prod']);
  const shared = stacks.get('prod-shared')!;

  test('prod-shared builds no OpenSearch domain, store secrets, store log groups or store outputs', () => {
    for (const stack of stacks.values()) {
      expect(resources(stack, 'aws_opensearch_domain')).toHaveLength(0);
      expect(resources(stack, 'aws_secretsmanager_secret')).toHaveLength(0);
    }
    expect(
      resources(shared, 'aws_cloudwatch_log_group').filter((g) => String(g.name).startsWith('/aws/opensearch/')),
    ).toEqual([]);
    for (const key of [
      LOG_OUTPUTS.endpoint,
      LOG_OUTPUTS.dashboardsUrl,
      LOG_OUTPUTS.adminSecret,
      LOG_OUTPUTS.forwarderSecret,
      LOG_OUTPUTS.bootstrap,
    ])
      expect(shared.output?.[key]).toBeUndefined();
    // No forwarder to install: no HTTP out to the package mirrors.
    const egress = resources(shared, 'aws_vpc_security_group_egress_rule').filter((r) =>
      String(r.security_group_id).includes('instance-sg'),
    );
    expect(egress.map((r) => r.from_port)).toEqual([443]);
  });

  test('the log store error alarm is not built; every other alarm stays and notifies the topic', () => {
    const alarms = resources(shared, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      'shop-prod-blue-target-5xx',
      'shop-prod-blue-unhealthy-hosts',
      'shop-prod-green-target-5xx',
      'shop-prod-green-unhealthy-hosts',
      'shop-prod-vpc-rejected-connections',
      'shop-prod-vpn-ike-failures',
      'shop-prod-vpn-tunnel-down',
    ]);
    for (const a of alarms) expect(a.alarm_actions).toEqual([expect.stringContaining('aws_sns_topic')]);
  });

  test('the forwarder policy is neither published nor read; every value a stack reads is published', () => {
    const published = resources(shared, 'aws_ssm_parameter')
      .map((p) => String(p.name))
      .sort();
    expect(published).toEqual(
      awsSharedValueKeys(false)
        .map((k) => sharedParameterPath('shop', 'prod', k))
        .sort(),
    );
    expect(published).not.toContain(sharedParameterPath('shop', 'prod', 'logForwarderReadPolicyArn'));
    for (const role of ['blue', 'green', 'cutover'] as const) {
      const required = awsSharedReads(role, false).map((k) => sharedParameterPath('shop', 'prod', k));
      expect(required.every((name) => published.includes(name))).toBe(true);
      expect(JSON.stringify(stacks.get(`prod-${role}`))).not.toContain('log-forwarder-read-policy-arn');
    }
  });

  test.each(['blue', 'green'])('prod-%s: no user data and no forwarder policy on the fleet', (color) => {
    const stack = stacks.get(`prod-${color}`)!;
    const [template] = resources(stack, 'aws_launch_template');
    expect(template.user_data).toBeUndefined();
    const attachments = resources(stack, 'aws_iam_role_policy_attachment').map((a) =>
      followPublished(stacks, a.policy_arn),
    );
    expect(attachments.some((a) => a.includes('forwarder'))).toBe(false);
    expect(attachments.length).toBeGreaterThanOrEqual(3); // app files, registry pull, release read (+ SSM agent)
  });

  test('the guardrails pass', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bg-none-')), stackTraces: false });
    for (const config of loadEnvironments({ dir, only: ['prod'] })) createEnvironmentStacks(app, config);
    let report = '';
    expect(enforceGuardrails(app, { write: (t) => (report += t) })).toBe(true);
    expect(report).not.toMatch(/FAIL/);
  });
});
