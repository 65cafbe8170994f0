import { App } from 'cdktf';
import { LogStore, LogStoreProps } from '../../lib/aws/log-store';
import { PolicyPack, statefulPreventDestroy } from '../../lib/policy';
import { PASSWORD_PLACEHOLDER } from '../../lib/agents/log-store-bootstrap';
import { byId, lbFixture, LbFixture, logStoreProps, synthJson } from '../support/aws-fixture';

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111';

function build(f: LbFixture, overrides: Partial<LogStoreProps> = {}): LogStore {
  return new LogStore(f.stack, 'log-store', { ...logStoreProps(f), ...overrides });
}

function one(json: ReturnType<typeof synthJson>, type: string): Record<string, unknown> {
  const all = Object.values(byId(json, type));
  expect(all).toHaveLength(1);
  return all[0];
}

describe('LogStore: a two-node domain in the private subnets', () => {
  const f = lbFixture();
  const store = build(f, { instanceCount: 2, instanceType: 'r6g.large.search' });
  const json = synthJson(f.stack);
  const domain = one(json, 'aws_opensearch_domain') as Record<string, Record<string, unknown>>;
  const text = JSON.stringify(json);

  test('lives in the private subnets, zone-aware over two AZs, behind its own security group', () => {
    expect(domain.domain_name).toBe('shop-test-logs');
    expect(domain.vpc_options.subnet_ids).toEqual([
      '${aws_subnet.network_private-eu-west-1a_FB3BA8C3.id}',
      '${aws_subnet.network_private-eu-west-1b_582BEE64.id}',
    ]);
    expect(domain.vpc_options.security_group_ids).toEqual([
      expect.stringMatching(/^\$\{aws_security_group\.log-store_sg_/),
    ]);
    expect(domain.cluster_config).toEqual({
      instance_type: 'r6g.large.search',
      instance_count: 2,
      zone_awareness_enabled: true,
      zone_awareness_config: { availability_zone_count: 2 },
    });
  });

  test('encrypts at rest with its own rotating KMS key, and between nodes', () => {
    expect(domain.encrypt_at_rest).toEqual({
      enabled: true,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.log-store_key_/),
    });
    expect(domain.node_to_node_encryption).toEqual({ enabled: true });
    const key = one(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
  });

  test('its key has an explicit key policy: this account administers it (checkov CKV2_AWS_64)', () => {
    const key = one(json, 'aws_kms_key');
    expect(key.policy).toMatch(/^\$\{data\.aws_iam_policy_document\.log-store_key-policy_[0-9A-F]+\.json\}$/);
    const docs = Object.entries(
      (json as { data?: Record<string, Record<string, { statement: unknown[] }>> }).data?.aws_iam_policy_document ?? {},
    );
    const doc = docs.find(([id]) => id.startsWith('log-store_key-policy_'))?.[1];
    expect(doc?.statement).toEqual([
      expect.objectContaining({ sid: 'AccountAdministration', actions: ['kms:*'], resources: ['*'] }),
    ]);
  });

  test('enforces HTTPS with TLS 1.2+ and fine-grained access control with an internal user database', () => {
    expect(domain.domain_endpoint_options).toEqual({
      enforce_https: true,
      tls_security_policy: 'Policy-Min-TLS-1-2-PFS-2023-10',
    });
    expect(domain.advanced_security_options).toMatchObject({
      enabled: true,
      anonymous_auth_enabled: false,
      internal_user_database_enabled: true,
    });
    const master = (domain.advanced_security_options as Record<string, Record<string, string>>).master_user_options;
    expect(master.master_user_name).toBe('admin');
    expect(master.master_user_password).toMatch(
      /^\$\{jsondecode\(aws_secretsmanager_secret_version\.log-store_admin-secret-value_.*\.secret_string\)\.password\}$/,
    );
  });

  test('publishes slow and error logs to CloudWatch groups with retention and KMS', () => {
    const types = (domain.log_publishing_options as unknown as Array<Record<string, unknown>>).map((o) => o.log_type);
    expect(types).toEqual(['INDEX_SLOW_LOGS', 'SEARCH_SLOW_LOGS', 'ES_APPLICATION_LOGS', 'AUDIT_LOGS']);
    const groups = Object.values(byId(json, 'aws_cloudwatch_log_group')).filter((g) =>
      String(g.name).startsWith('/aws/opensearch/'),
    );
    expect(groups.map((g) => g.name).sort()).toEqual([
      '/aws/opensearch/shop-test-logs/application',
      '/aws/opensearch/shop-test-logs/audit',
      '/aws/opensearch/shop-test-logs/index-slow',
      '/aws/opensearch/shop-test-logs/search-slow',
    ]);
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 30, kms_key_id: KEY });
    expect(one(json, 'aws_cloudwatch_log_resource_policy').policy_document).toContain('es.amazonaws.com');
  });

  test('admits HTTPS from the fleets only, and nothing else', () => {
    const rules = Object.values(byId(json, 'aws_vpc_security_group_ingress_rule')).filter((r) =>
      String(r.security_group_id).includes('log-store_sg'),
    );
    expect(rules).toEqual([
      expect.objectContaining({
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        referenced_security_group_id: expect.stringContaining('alb_instance-sg'),
      }),
    ]);
    expect(rules[0].cidr_ipv4).toBeUndefined();
  });

  test('keeps the domain, the key and the passwords: prevent_destroy, and secret values never re-rolled', () => {
    expect(domain.lifecycle).toEqual({ prevent_destroy: true });
    for (const v of Object.values(byId(json, 'aws_secretsmanager_secret_version')))
      expect(v.lifecycle).toEqual({ ignore_changes: ['secret_string'], prevent_destroy: true });
    for (const s of Object.values(byId(json, 'aws_secretsmanager_secret')))
      expect(s.kms_key_id).toMatch(/aws_kms_key\.log-store_key_/);
    expect(text).not.toMatch(/"password"\s*:\s*"[^$]/); // no literal password anywhere
  });

  test('the forwarder secret carries host, username and password; the fleets may read only that secret', () => {
    const secrets = Object.values(byId(json, 'aws_secretsmanager_secret')).map((s) => s.name);
    expect(secrets.sort()).toEqual(['shop-test/log-forwarder', 'shop-test/log-store-admin']);
    expect(store.forwarderSecretName).toBe('shop-test/log-forwarder');
    const value = Object.entries(byId(json, 'aws_secretsmanager_secret_version')).find(([id]) =>
      id.includes('forwarder'),
    )![1];
    expect(value.secret_string).toMatch(/"host" = aws_opensearch_domain\.log-store_domain_.*\.endpoint/);
    const policy = JSON.stringify(one(json, 'aws_iam_policy'));
    expect(policy).toContain('secretsmanager:GetSecretValue');
    expect(policy).toContain('log-store_forwarder-secret');
    expect(policy).not.toContain('log-store_admin-secret');
    expect(policy).toContain('kms:ViaService');
  });

  test('renders the bootstrap: retention policy for the index prefix, replicas for two nodes', () => {
    expect(store.bootstrapRequests.map((r) => r.path)).toEqual([
      '/_plugins/_ism/policies/logs-shop-retention',
      '/_index_template/logs-shop',
      '/_data_stream/logs-shop',
      '/_plugins/_security/api/roles/log_forwarder',
      '/_plugins/_security/api/internalusers/log-forwarder',
      '/_plugins/_security/api/rolesmapping/log_forwarder',
      '/_dashboards/api/saved_objects/index-pattern/logs-shop?overwrite=true',
      '/_plugins/_security/api/audit/config',
    ]);
    expect(JSON.stringify(store.bootstrapRequests[0].body)).toContain('"min_index_age":"14d"');
    expect(store.bootstrapRequests.find((r) => r.path.includes('/internalusers/'))!.body.password).toBe(
      PASSWORD_PLACEHOLDER,
    );
  });
});

describe('LogStore: validation', () => {
  test('fails on a node count that does not divide over the zones', () => {
    expect(() => build(lbFixture(), { instanceCount: 3 })).toThrow(
      /instanceCount 3 must be a multiple of the 2 availability zones/,
    );
  });

  test('fails without client security groups', () => {
    expect(() => build(lbFixture(), { clientSecurityGroups: [] })).toThrow(/clientSecurityGroups is empty/);
  });

  test('fails on a retention CloudWatch does not accept', () => {
    expect(() => build(lbFixture(), { logRetentionDays: 42 })).toThrow(
      /logRetentionDays 42 is not a CloudWatch retention period/,
    );
  });

  test('fails on a TLS policy older than 1.2', () => {
    expect(() => build(lbFixture(), { tlsSecurityPolicy: 'Policy-Min-TLS-1-0-2019-07' })).toThrow(
      /allows TLS older than 1.2/,
    );
  });

  test('fails on an index retention out of range', () => {
    expect(() => build(lbFixture(), { indexRetentionDays: 0 })).toThrow(
      /retentionDays 0 must be a whole number of days between 1 and 3650/,
    );
  });
});

describe('LogStore: preventDestroy', () => {
  test('protects the key, domain, log groups, secrets and secret values by default, and opts out explicitly with a recorded reason', () => {
    const types = [
      'aws_kms_key',
      'aws_opensearch_domain',
      'aws_cloudwatch_log_group',
      'aws_secretsmanager_secret',
      'aws_secretsmanager_secret_version',
    ];
    const build = (preventDestroy?: boolean) => {
      const f = lbFixture();
      new LogStore(f.stack, 'log-store', { ...logStoreProps(f), preventDestroy });
      const json = synthJson(f.stack);
      const stateful = types.flatMap((t) =>
        Object.entries(byId(json, t))
          .filter(([id]) => id.startsWith('log-store_'))
          .map(([, r]) => r),
      );
      return { stateful, report: new PolicyPack([statefulPreventDestroy]).checkApp(f.stack.node.scope as App) };
    };
    const on = build();
    expect(on.stateful.length).toBe(1 + 1 + 4 + 2 + 2); // key, domain, 4 log groups, 2 secrets, 2 values
    for (const r of on.stateful) expect((r.lifecycle as { prevent_destroy?: boolean }).prevent_destroy).toBe(true);
    expect(on.report.violations.filter((v) => v.path.includes('/log-store/'))).toEqual([]);
    const off = build(false);
    for (const r of off.stateful) expect((r.lifecycle as { prevent_destroy?: boolean }).prevent_destroy).toBe(false);
    expect(off.report.violations.filter((v) => v.path.includes('/log-store/'))).toEqual([]);
    expect(off.report.suppressed.filter((v) => v.path.includes('/log-store/')).map((v) => v.suppressedBecause)).toEqual(
      Array(10).fill('the construct was built with preventDestroy: false (a disposable environment)'),
    );
  });
});
