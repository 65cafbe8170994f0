// The replacement table (lib/commands/resource-knowledge.ts) against the real AWS provider: for each case, a
// Terraform root whose state holds the resource as deployed and whose configuration changes one argument;
// `terraform plan -refresh=false` (the provider's own diff, no AWS API call) says whether that change forces a
// replacement (`replace_paths`). The table must say the same. Offline: the provider comes from the filesystem mirror.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { replacementCauses, RESOURCE_KNOWLEDGE } from '../../lib/commands/resource-knowledge';
import { findProviderMirror, offlineTerraformEnv, terraform, writeCliConfig } from '../support/terraform';

/** One argument change of one resource: `state` as deployed, the same with `change` applied as configuration. */
interface Case {
  readonly type: string;
  readonly state: Record<string, unknown>;
  readonly change: Record<string, unknown>;
}

const VPC = { vpc_id: 'vpc-0a1b2c3d' };
const TG = { name: 'shop-prod-blue', port: 8080, protocol: 'HTTP', target_type: 'instance', ...VPC };
const ARN_LB = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-prod/0123456789abcdef';
const ARN_TG = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-prod-blue/0123456789abcdef';
const ASSUME = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } }],
});

export const CASES: readonly Case[] = [
  { type: 'aws_lb_target_group', state: TG, change: { port: 9090 } },
  { type: 'aws_lb_target_group', state: TG, change: { vpc_id: 'vpc-0f0e0d0c' } },
  { type: 'aws_lb_target_group', state: TG, change: { name: 'shop-prod-blue-9090' } },
  { type: 'aws_lb_target_group', state: { ...TG, deregistration_delay: '30' }, change: { deregistration_delay: '60' } },
  {
    type: 'aws_vpc',
    state: { cidr_block: '10.30.0.0/16', instance_tenancy: 'default' },
    change: { cidr_block: '10.31.0.0/16' },
  },
  {
    type: 'aws_subnet',
    state: { ...VPC, cidr_block: '10.30.10.0/24', availability_zone: 'eu-west-1a' },
    change: { cidr_block: '10.31.10.0/24' },
  },
  {
    type: 'aws_subnet',
    state: { ...VPC, cidr_block: '10.30.10.0/24', availability_zone: 'eu-west-1a' },
    change: { vpc_id: 'vpc-0f0e0d0c' },
  },
  {
    type: 'aws_security_group',
    state: { ...VPC, name_prefix: 'shop-prod-instances-', description: 'Instances' },
    change: { vpc_id: 'vpc-0f0e0d0c' },
  },
  {
    type: 'aws_security_group',
    state: { ...VPC, name_prefix: 'shop-prod-instances-', description: 'Instances' },
    change: { description: 'Instances of shop' },
  },
  {
    type: 'aws_lb',
    state: { name: 'shop-prod', load_balancer_type: 'application', internal: false, subnets: ['subnet-1', 'subnet-2'] },
    change: { subnets: ['subnet-3', 'subnet-4'] },
  },
  {
    type: 'aws_lb',
    state: { name: 'shop-prod', load_balancer_type: 'application', internal: false, subnets: ['subnet-1', 'subnet-2'] },
    change: { internal: true },
  },
  {
    type: 'aws_lb_listener',
    state: {
      load_balancer_arn: ARN_LB,
      port: 443,
      protocol: 'HTTP',
      default_action: [{ type: 'forward', target_group_arn: ARN_TG }],
    },
    change: { load_balancer_arn: `${ARN_LB}0` },
  },
  {
    type: 'aws_lb_listener',
    state: {
      load_balancer_arn: ARN_LB,
      port: 443,
      protocol: 'HTTP',
      default_action: [{ type: 'forward', target_group_arn: ARN_TG }],
    },
    change: { port: 8443 },
  },
  {
    type: 'aws_vpc_security_group_ingress_rule',
    state: { security_group_id: 'sg-1', ip_protocol: 'tcp', from_port: 8080, to_port: 8080, cidr_ipv4: '10.0.0.0/8' },
    change: { from_port: 9090, to_port: 9090 },
  },
  {
    type: 'aws_vpc_security_group_ingress_rule',
    state: { security_group_id: 'sg-1', ip_protocol: 'tcp', from_port: 8080, to_port: 8080, cidr_ipv4: '10.0.0.0/8' },
    change: { security_group_id: 'sg-2' },
  },
  {
    type: 'aws_ssm_parameter',
    state: { name: '/shop/prod/shared/hostname', type: 'String', insecure_value: 'a' },
    change: { insecure_value: 'b' },
  },
  {
    type: 'aws_ssm_parameter',
    state: { name: '/shop/prod/shared/hostname', type: 'String', insecure_value: 'a' },
    change: { name: '/shop/prod/shared/host' },
  },
  {
    type: 'aws_secretsmanager_secret_version',
    state: { secret_id: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x', secret_string: 'a' },
    change: { secret_string: 'b' },
  },
  {
    type: 'aws_route53_record',
    state: {
      zone_id: 'Z0123456789ABCDEFGHIJ',
      name: 'shop.example.com',
      type: 'CNAME',
      ttl: 60,
      records: ['a.example.com'],
    },
    change: { name: 'www.example.com' },
  },
  {
    type: 'aws_route53_record',
    state: {
      zone_id: 'Z0123456789ABCDEFGHIJ',
      name: 'shop.example.com',
      type: 'CNAME',
      ttl: 60,
      records: ['a.example.com'],
    },
    change: { records: ['b.example.com'] },
  },
  {
    type: 'aws_cloudwatch_metric_alarm',
    state: {
      alarm_name: 'a',
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 1,
      metric_name: 'm',
      namespace: 'n',
      period: 60,
      statistic: 'Sum',
      threshold: 1,
    },
    change: { alarm_name: 'b' },
  },
  {
    type: 'aws_autoscaling_group',
    state: {
      name: 'shop-prod-blue',
      min_size: 1,
      max_size: 2,
      vpc_zone_identifier: ['subnet-1'],
      launch_template: [{ id: 'lt-1', version: '$Latest' }],
    },
    change: { vpc_zone_identifier: ['subnet-3'] },
  },
  {
    type: 'aws_autoscaling_group',
    state: {
      name: 'shop-prod-blue',
      min_size: 1,
      max_size: 2,
      vpc_zone_identifier: ['subnet-1'],
      launch_template: [{ id: 'lt-1', version: '$Latest' }],
    },
    change: { name: 'shop-prod-blue2' },
  },
  {
    type: 'aws_launch_template',
    state: { name: 'shop-prod-blue', image_id: 'ami-0a1b2c3d4e5f60718' },
    change: { image_id: 'ami-0123456789abcdef0' },
  },
  {
    type: 'aws_iam_role',
    state: { name: 'shop-prod-blue', assume_role_policy: ASSUME },
    change: { name: 'shop-prod-blue2' },
  },
  { type: 'aws_iam_policy', state: { name: 'p', policy: ASSUME, description: 'a' }, change: { description: 'b' } },
  { type: 'aws_cloudwatch_log_group', state: { name: 'g', retention_in_days: 30 }, change: { retention_in_days: 90 } },
  {
    type: 'aws_s3_bucket',
    state: { bucket: 'shop-prod-archive', object_lock_enabled: true },
    change: { bucket: 'shop-prod-archives' },
  },
  {
    type: 'aws_opensearch_domain',
    state: { domain_name: 'shop-prod-logs', engine_version: 'OpenSearch_2.13' },
    change: { domain_name: 'shop-prod-log' },
  },
  {
    type: 'aws_nat_gateway',
    state: { allocation_id: 'eipalloc-1', subnet_id: 'subnet-1', connectivity_type: 'public' },
    change: { subnet_id: 'subnet-2' },
  },
  {
    type: 'aws_route_table_association',
    state: { subnet_id: 'subnet-1', route_table_id: 'rtb-1' },
    change: { route_table_id: 'rtb-2' },
  },
  {
    type: 'aws_sns_topic_subscription',
    state: { topic_arn: 'arn:aws:sns:eu-west-1:111111111111:t', protocol: 'email', endpoint: 'a@example.com' },
    change: { endpoint: 'b@example.com' },
  },
];

const mirror = findProviderMirror();

/** What the real provider says, per case: whether the changed argument forces a replacement. */
async function planCases(cases: readonly Case[]): Promise<boolean[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-forcenew-'));
  const env = offlineTerraformEnv(writeCliConfig(dir, mirror!.path), {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
  });
  const provider = 'provider["registry.terraform.io/hashicorp/aws"]';
  const resource: Record<string, Record<string, unknown>> = {};
  const resources = cases.map((c, i) => {
    (resource[c.type] ??= {})[`case${i}`] = { ...c.state, ...c.change };
    return {
      mode: 'managed',
      type: c.type,
      name: `case${i}`,
      provider,
      instances: [{ schema_version: 0, attributes: { id: `case${i}`, ...c.state } }],
    };
  });
  const root = {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: mirror!.version } } },
    provider: {
      aws: [
        {
          region: 'eu-west-1',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
        },
      ],
    },
    resource,
  };
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(root, null, 2));
  fs.writeFileSync(
    path.join(dir, 'terraform.tfstate'),
    JSON.stringify({ version: 4, terraform_version: '1.11.0', serial: 1, lineage: 'forcenew', outputs: {}, resources }),
  );
  const init = await terraform(['init', '-input=false', '-no-color'], dir, env);
  if (init.code !== 0) throw new Error(`terraform init: ${init.stdout}${init.stderr}`);
  const run = await terraform(
    ['plan', '-refresh=false', '-input=false', '-no-color', '-out=case.tfplan'],
    dir,
    env,
    300_000,
  );
  if (run.code !== 0) throw new Error(`terraform plan: ${run.stdout}${run.stderr}`);
  const show = await terraform(['show', '-json', 'case.tfplan'], dir, env);
  const changes = (
    JSON.parse(show.stdout) as {
      resource_changes: Array<{ name: string; change: { actions: string[]; replace_paths?: string[][] } }>;
    }
  ).resource_changes;
  return cases.map((c, i) => {
    const rc = changes.find((r) => r.name === `case${i}`)!;
    const changed = Object.keys(c.change);
    return (
      rc.change.actions.includes('delete') &&
      (rc.change.replace_paths ?? []).some((p) => changed.includes(String(p[0])))
    );
  });
}

describe('replacement table against the real AWS provider (terraform plan -refresh=false)', () => {
  let measured: boolean[] = [];
  beforeAll(async () => {
    expect(mirror).toBeDefined();
    measured = await planCases(CASES);
  }, 300_000);

  test.each(CASES.map((c, i) => [`${c.type} ${Object.keys(c.change).join(', ')}`, i] as const))(
    '%s: the table agrees with the provider',
    (_name, i) => {
      const c = CASES[i];
      const table = replacementCauses(c.type, Object.keys(c.change), c.state, { ...c.state, ...c.change }).length > 0;
      expect({ case: _name, replaces: table }).toEqual({ case: _name, replaces: measured[i] });
    },
  );
});

describe('replacement table against the real AWS provider schema (terraform providers schema -json)', () => {
  test('every AWS argument the table names is an argument of the provider', async () => {
    expect(mirror).toBeDefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-schema-'));
    const env = offlineTerraformEnv(writeCliConfig(dir, mirror!.path));
    fs.writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({
        terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: mirror!.version } } },
      }),
    );
    expect((await terraform(['init', '-input=false', '-no-color'], dir, env)).code).toBe(0);
    const run = await terraform(['providers', 'schema', '-json'], dir, env);
    type Block = { attributes?: Record<string, unknown>; block_types?: Record<string, unknown> };
    const schemas = (
      JSON.parse(run.stdout) as {
        provider_schemas: Record<string, { resource_schemas: Record<string, { block: Block }> }>;
      }
    ).provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas;
    const unknown: string[] = [];
    for (const [type, k] of Object.entries(RESOURCE_KNOWLEDGE).filter(([t]) => t.startsWith('aws_'))) {
      const block = schemas[type]?.block;
      if (!block) {
        unknown.push(`${type} (no such resource type)`);
        continue;
      }
      const names = new Set([...Object.keys(block.attributes ?? {}), ...Object.keys(block.block_types ?? {})]);
      const named = [
        ...k.replaceOn,
        ...Object.keys(k.replaceWhen ?? {}),
        ...Object.keys(k.refusedInPlace ?? {}),
        ...(k.vpcPlacement ?? []),
        ...(k.disruptive ?? []).filter((d): d is string => typeof d === 'string'),
      ];
      for (const a of named) if (!names.has(a)) unknown.push(`${type}.${a}`);
    }
    expect(unknown).toEqual([]);
  }, 120_000);
});
