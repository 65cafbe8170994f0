// Issue 16 (construct side): properties of the shipped AWS environments as synthesized, read from cdk.tf.json.
import { allows, grantingPolicies, managedPolicy, rolePolicies } from '../support/iam-eval';
import { resources, synthEnvironments, TfJson } from '../support/synth';

const stacks = synthEnvironments(undefined, ['prod', 'staging']);
const aws = [...stacks.entries()];
const shared = stacks.get('prod-shared')!;

type Statement = {
  Effect?: string;
  Principal?: Record<string, unknown>;
  Condition?: Record<string, Record<string, unknown>>;
};

/** The statements of a policy document as synthesized: JSON text, or `${jsonencode({...})}` rendered by Fn.jsonencode. */
function statements(text: unknown): Statement[] | string {
  try {
    return (JSON.parse(String(text)) as { Statement: Statement[] }).Statement;
  } catch {
    return String(text); // an HCL jsonencode expression: checked as text
  }
}

/** Every service-principal policy of every AWS stack: role trust, bucket and log resource policies. */
function servicePolicies(): Array<{ where: string; doc: Statement[] | string }> {
  const out: Array<{ where: string; doc: Statement[] | string }> = [];
  for (const [name, stack] of aws) {
    const add = (type: string, attr: string) =>
      Object.entries(stack.resource?.[type] ?? {}).forEach(([id, r]) =>
        out.push({ where: `${name} ${type}.${id}`, doc: statements(r[attr]) }),
      );
    add('aws_iam_role', 'assume_role_policy');
    add('aws_s3_bucket_policy', 'policy');
    add('aws_cloudwatch_log_resource_policy', 'policy_document');
  }
  return out;
}

describe('item 7: service principals act only for this account (aws:SourceAccount / aws:SourceArn)', () => {
  test('every Allow to a service principal (except EC2 instance roles) carries a source condition', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const { where, doc } of servicePolicies()) {
      if (typeof doc === 'string') {
        if (!doc.includes('Service')) continue;
        checked++;
        if (!doc.includes('aws:SourceAccount') || !doc.includes('aws:SourceArn')) missing.push(where);
        continue;
      }
      for (const st of doc) {
        const service = st.Principal?.Service;
        if (st.Effect !== 'Allow' || service === undefined || service === 'ec2.amazonaws.com') continue;
        checked++;
        const keys = Object.values(st.Condition ?? {}).flatMap((c) => Object.keys(c));
        if (!keys.includes('aws:SourceAccount') && !keys.includes('aws:SourceArn'))
          missing.push(`${where} (${String(service)})`);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(6); // flow logs, S3 log delivery, OpenSearch logs, in each shared stack
  });

  test('the flow log role trusts flow logs of this account only, by account and by source ARN', () => {
    const role = resources(shared, 'aws_iam_role').find((r) => String(r.name).endsWith('-vpc-flow-logs'))!;
    const [st] = statements(role.assume_role_policy) as Statement[];
    expect(st.Condition).toEqual({
      StringEquals: {
        'aws:SourceAccount': expect.stringMatching(/^\$\{data\.aws_caller_identity\.network_account_.*\.account_id\}$/),
      },
      ArnLike: {
        'aws:SourceArn': expect.stringMatching(
          /:ec2:\*:\$\{data\.aws_caller_identity\.network_account_.*\}:vpc-flow-log\/\*$/,
        ),
      },
    });
  });

  test('OpenSearch may publish logs of this domain only', () => {
    const [policy] = resources(shared, 'aws_cloudwatch_log_resource_policy');
    expect(String(policy.policy_document)).toMatch(
      /"aws:SourceArn" = "arn:\$\{data\.aws_partition\.log-store_partition_[^}]*\.partition\}:es:eu-west-1:\$\{data\.aws_caller_identity\.log-store_account_[^}]*\.account_id\}:domain\/shop-prod-logs"/,
    );
  });

  test("S3 server access logs come only from this environment's buckets", () => {
    const policy = resources(shared, 'aws_s3_bucket_policy').find((p) =>
      String(p.policy).includes('S3ServerAccessLogDelivery'),
    )!;
    const st = (statements(policy.policy) as Array<Statement & { Sid: string }>).find(
      (s) => s.Sid === 'S3ServerAccessLogDelivery',
    )!;
    expect(st.Condition?.ArnLike).toEqual({ 'aws:SourceArn': expect.stringMatching(/:s3:::shop-prod-\*$/) });
  });
});

describe('item 11: subnets live in availability zones named in the values', () => {
  const zonesOf = (stack: TfJson) => resources(stack, 'aws_subnet').map((s) => s.availability_zone);

  test('prod and staging subnets use the named zones, never a data source lookup', () => {
    expect(zonesOf(shared).sort()).toEqual([
      'eu-west-1a',
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1b',
      'eu-west-1c',
      'eu-west-1c',
    ]);
    expect(zonesOf(stacks.get('staging-shared')!).sort()).toEqual([
      'eu-west-1a',
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1b',
    ]);
    for (const [, stack] of aws) expect(Object.keys(stack.data ?? {})).not.toContain('aws_availability_zones');
  });
});

describe('item 6: a fleet reads its own release parameter and no other', () => {
  const ACCOUNT = '111111111111';
  const parameter = (color: string) => `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/prod/${color}/release`;
  const policiesOf = (color: 'blue' | 'green') =>
    rolePolicies(stacks, stacks.get(`prod-${color}`)!, `shop-prod-${color}-instance`, ACCOUNT);

  test.each([
    ['blue', 'green'],
    ['green', 'blue'],
  ] as const)("%s reads its own release but not %s's, nor any other parameter", (color, other) => {
    const policies = policiesOf(color);
    expect(policies.length).toBeGreaterThanOrEqual(5); // SSM agent + app files, registry, release read, forwarder secret
    for (const action of ['ssm:GetParameter', 'ssm:GetParameters']) {
      expect(allows(policies, action, parameter(color))).toBe(true);
      expect(grantingPolicies(policies, action, parameter(other))).toEqual([]);
      expect(allows(policies, action, `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/prod/db/password`)).toBe(false);
    }
    expect(
      allows(policies, 'ssm:GetParametersByPath', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/prod/${other}`),
    ).toBe(false);
    // The SSM agent keeps what it needs: registration, Session Manager channels, Run Command messages.
    for (const action of [
      'ssm:UpdateInstanceInformation',
      'ssmmessages:CreateControlChannel',
      'ec2messages:GetMessages',
    ])
      expect(allows(policies, action, '*')).toBe(true);
  });

  test('the evaluator sees what AmazonSSMManagedInstanceCore (the fixture of its published document) would grant', () => {
    // The policy fleets had before: it alone lets blue read green's release.
    const core = managedPolicy('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(allows([core], 'ssm:GetParameter', parameter('green'))).toBe(true);
  });
});

describe('item 13: every stateful resource is protected from destroy', () => {
  const STATEFUL = [
    'aws_s3_bucket',
    'aws_kms_key',
    'aws_cloudwatch_log_group',
    'aws_secretsmanager_secret',
    'aws_secretsmanager_secret_version',
    'aws_opensearch_domain',
    'aws_ecr_repository',
  ];

  test('buckets, keys (log keys included), log groups, secrets and their values, the log store and the registry have prevent_destroy; log groups skip_destroy', () => {
    const unprotected: string[] = [];
    let count = 0;
    for (const [name, stack] of aws) {
      for (const type of STATEFUL) {
        for (const [id, r] of Object.entries(stack.resource?.[type] ?? {})) {
          count++;
          const lifecycle = (r.lifecycle ?? {}) as { prevent_destroy?: boolean };
          if (lifecycle.prevent_destroy !== true) unprotected.push(`${name} ${type}.${id}`);
          if (type === 'aws_cloudwatch_log_group' && r.skip_destroy !== true)
            unprotected.push(`${name} ${type}.${id} (skip_destroy)`);
        }
      }
    }
    expect(unprotected).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(30);
  });
});

describe('item 9: the log store leaves an audit trail, prod has dedicated masters, every alarm notifies the encrypted topic', () => {
  const [domain] = resources(shared, 'aws_opensearch_domain');

  test('the domain publishes audit logs to their own encrypted log group, and the bootstrap turns the audit log on', () => {
    const published = (domain.log_publishing_options as Array<{ log_type: string; enabled: boolean }>)
      .filter((o) => o.enabled)
      .map((o) => o.log_type);
    expect(published).toContain('AUDIT_LOGS');
    const audit = resources(shared, 'aws_cloudwatch_log_group').find(
      (g) => g.name === '/aws/opensearch/shop-prod-logs/audit',
    )!;
    expect(audit.kms_key_id).toMatch(/aws_kms_key\.log-key_/);
    const bootstrap = JSON.parse(
      String(
        (shared.output!['log-store-bootstrap'] ??
          Object.values(shared.output!).find((o) => String(o.value).includes('audit/config')))!.value,
      ),
    ) as Array<{ path: string; body: { enabled: boolean } }>;
    expect(bootstrap.find((r) => r.path === '/_plugins/_security/api/audit/config')!.body.enabled).toBe(true);
  });

  test('prod runs three dedicated master nodes (a value); staging none', () => {
    expect(domain.cluster_config).toMatchObject({
      dedicated_master_enabled: true,
      dedicated_master_count: 3,
      dedicated_master_type: 'm6g.large.search',
    });
    const [staging] = resources(stacks.get('staging-shared')!, 'aws_opensearch_domain');
    expect((staging.cluster_config as Record<string, unknown>).dedicated_master_enabled).toBeUndefined();
  });

  test('every alarm of every AWS stack notifies the KMS-encrypted alarm topic of its environment', () => {
    for (const [name, stack] of aws) {
      const alarms = resources(stack, 'aws_cloudwatch_metric_alarm');
      if (!name.endsWith('-shared')) {
        expect(alarms).toEqual([]);
        continue;
      }
      const [topic] = Object.entries(stack.resource!.aws_sns_topic!);
      expect(topic[1].kms_master_key_id).toMatch(/^\$\{aws_kms_key\.alarm-topic_key_.*\.arn\}$/);
      expect(alarms.length).toBeGreaterThanOrEqual(5);
      for (const a of alarms) expect(a.alarm_actions).toEqual([`\${aws_sns_topic.${topic[0]}.arn}`]);
    }
    expect(resources(shared, 'aws_sns_topic_subscription')).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'ops@example.com' }),
    ]);
  });

  test("the forwarder's role can index and bulk-write its indices, but not delete or update documents", () => {
    const bootstrap = Object.values(shared.output!)
      .map((o) => String(o.value))
      .find((v) => v.includes('roles/log_forwarder'))!;
    const role = (
      JSON.parse(bootstrap) as Array<{
        path: string;
        body: { index_permissions: Array<{ allowed_actions: string[] }>; cluster_permissions: string[] };
      }>
    ).find((r) => r.path.endsWith('/roles/log_forwarder'))!;
    const actions = [
      ...role.body.cluster_permissions,
      ...role.body.index_permissions.flatMap((p) => p.allowed_actions),
    ];
    for (const forbidden of [
      'indices:data/write/delete',
      'indices:data/write/delete/byquery',
      'indices:data/write/update',
      'indices:data/write/update/byquery',
      'indices:admin/delete',
    ]) {
      expect(
        actions.filter((a) => new RegExp(`^${a.replace(/[[\]]/g, '\\$&').replace(/\*/g, '.*')}$`).test(forbidden)),
      ).toEqual([]);
    }
  });
});
