import { MANAGED_BY } from '../../stacks/environment-stack';
import { envDir, withValue } from '../support/env-dir';
import { resources, synthEnvironments, TfJson } from '../support/synth';

describe('the shipped environments synthesize to four stacks each', () => {
  const stacks = synthEnvironments();
  const stack = (name: string): TfJson => {
    const s = stacks.get(name);
    if (!s) throw new Error(`no stack ${name}`);
    return s;
  };

  test('12 stacks named <env>-<role>', () => {
    const expected = ['dev', 'prod', 'staging'].flatMap((env) =>
      ['shared', 'blue', 'green', 'cutover'].map((role) => `${env}-${role}`),
    );
    expect([...stacks.keys()].sort()).toEqual(expected.sort());
  });

  test.each(['prod', 'staging'])('%s: one S3 state object per stack, encrypted, with native locking', (env) => {
    for (const role of ['shared', 'blue', 'green', 'cutover']) {
      const backend = stack(`${env}-${role}`).terraform.backend;
      expect(backend).toEqual({
        s3: {
          bucket: `shop-terraform-state-${env}`,
          region: 'eu-west-1',
          key: `shop/${env}/${env}-${role}.tfstate`,
          encrypt: true,
          use_lockfile: true,
        },
      });
    }
  });

  test('dev: one state object per stack in Spaces (so CI plans against the real state)', () => {
    for (const role of ['shared', 'blue', 'green', 'cutover']) {
      expect(stack(`dev-${role}`).terraform.backend).toMatchObject({
        s3: {
          bucket: 'shop-terraform-state-dev-7f3a',
          key: `shop/dev/dev-${role}.tfstate`,
          endpoints: { s3: 'https://fra1.digitaloceanspaces.com' },
          use_lockfile: true,
        },
      });
    }
  });

  test('backend local: state per stack, at the project root, machine-independent path', () => {
    const local = synthEnvironments(envDir({ 'dev.yaml': withValue('dev.yaml', ['backend'], { type: 'local' }) }), [
      'dev',
    ]);
    for (const role of ['shared', 'blue', 'green', 'cutover']) {
      const backend = local.get(`dev-${role}`)!.terraform.backend as { local: { path: string } };
      expect(Object.keys(backend)).toEqual(['local']);
      expect(backend.local.path).toMatch(new RegExp(`(^|/)terraform\\.dev-${role}\\.tfstate$`));
      expect(backend.local.path.startsWith('/')).toBe(false);
    }
  });

  test('AWS provider: region, account guard and default tags with environment, stack, color, managed-by', () => {
    const provider = stack('prod-green').provider!.aws[0];
    expect(provider.region).toBe('eu-west-1');
    expect(provider.allowed_account_ids).toEqual(['111111111111']);
    expect(provider.default_tags).toEqual([
      {
        tags: expect.objectContaining({
          environment: 'prod',
          stack: 'prod-green',
          color: 'green',
          'managed-by': MANAGED_BY,
          owner: 'platform-team',
        }),
      },
    ]);
    const sharedTags = (
      stack('prod-shared').provider!.aws[0].default_tags as Array<{ tags: Record<string, string> }>
    )[0].tags;
    expect(sharedTags.stack).toBe('prod-shared');
    expect(sharedTags.color).toBeUndefined();
  });

  test('DigitalOcean stacks use the DigitalOcean provider and no AWS resources', () => {
    for (const role of ['shared', 'blue', 'green', 'cutover']) {
      const s = stack(`dev-${role}`);
      expect(Object.keys(s.provider ?? {})).toEqual(['digitalocean']);
      expect(Object.keys(s.resource ?? {}).filter((t) => t.startsWith('aws_'))).toEqual([]);
    }
  });

  describe('prod-shared holds the VPC', () => {
    const shared = stack('prod-shared');

    test('VPC with the environment CIDR and DNS on', () => {
      expect(resources(shared, 'aws_vpc')).toEqual([
        expect.objectContaining({ cidr_block: '10.30.0.0/16', enable_dns_hostnames: true, enable_dns_support: true }),
      ]);
    });

    test('public and private subnets across three AZs', () => {
      const subnets = resources(shared, 'aws_subnet');
      const cidrs = subnets.map((s) => s.cidr_block).sort();
      expect(cidrs).toEqual([
        '10.30.0.0/24',
        '10.30.1.0/24',
        '10.30.10.0/24',
        '10.30.11.0/24',
        '10.30.12.0/24',
        '10.30.2.0/24',
      ]);
      const azs = subnets.map((s) => s.availability_zone as string);
      expect(new Set(azs).size).toBe(3);
      expect(subnets.every((s) => s.map_public_ip_on_launch !== true)).toBe(true);
    });

    test('one NAT gateway per AZ and private routes through them', () => {
      expect(resources(shared, 'aws_nat_gateway')).toHaveLength(3);
      const natRoutes = resources(shared, 'aws_route').filter((r) => r.nat_gateway_id);
      expect(natRoutes).toHaveLength(3);
      expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
    });

    test('flow logs of all traffic into an encrypted log group with retention', () => {
      expect(resources(shared, 'aws_flow_log')).toEqual([
        expect.objectContaining({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' }),
      ]);
      const group = resources(shared, 'aws_cloudwatch_log_group').find((g) => String(g.name).endsWith('/flow-logs'))!;
      expect(group.retention_in_days).toBe(365);
      expect(group.kms_key_id).toMatch(/\$\{aws_kms_key\..*\.arn\}/);
    });

    test('the default security group has no rules', () => {
      expect(resources(shared, 'aws_default_security_group')).toEqual([
        expect.objectContaining({ ingress: [], egress: [] }),
      ]);
    });
  });

  test('staging shares one NAT gateway (natGateways: single)', () => {
    const shared = stack('staging-shared');
    expect(resources(shared, 'aws_nat_gateway')).toHaveLength(1);
    expect(resources(shared, 'aws_route').filter((r) => r.nat_gateway_id)).toHaveLength(2);
  });

  test('stateful resources are not created in color or cutover stacks', () => {
    const stateful = [
      'aws_vpc',
      'aws_s3_bucket',
      'aws_opensearch_domain',
      'aws_vpn_connection',
      'aws_ecr_repository',
      'aws_kms_key',
    ];
    for (const env of ['prod', 'staging']) {
      for (const role of ['blue', 'green', 'cutover']) {
        const types = Object.keys(stack(`${env}-${role}`).resource ?? {});
        expect(types.filter((t) => stateful.includes(t))).toEqual([]);
      }
    }
  });
});
