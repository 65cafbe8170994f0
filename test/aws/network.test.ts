import { Testing } from 'cdktf';
import { Network, NetworkProps } from '../../lib/aws/network';

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000';
const props: NetworkProps = {
  name: 'shop-test',
  vpcCidr: '10.0.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
  privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
  logKey: { arn: KEY },
};
const synth = (overrides: Partial<NetworkProps> = {}) =>
  JSON.parse(Testing.synthScope((scope) => new Network(scope, 'network', { ...props, ...overrides })));

describe('Network: availability zones by name', () => {
  test('public and private subnet i live in the i-th named zone', () => {
    const subnets = Object.entries(
      synth().resource.aws_subnet as Record<string, { cidr_block: string; availability_zone: string }>,
    ).map(([, s]) => [s.cidr_block, s.availability_zone]);
    expect(subnets.sort()).toEqual([
      ['10.0.0.0/24', 'eu-west-1a'],
      ['10.0.1.0/24', 'eu-west-1b'],
      ['10.0.10.0/24', 'eu-west-1a'],
      ['10.0.11.0/24', 'eu-west-1b'],
    ]);
    expect(synth().data?.aws_availability_zones).toBeUndefined();
  });

  test('per-AZ resources are keyed by the zone, and moved blocks carry over the numbered ids of 0.1', () => {
    const json = synth();
    expect(
      Object.keys(json.resource.aws_subnet)
        .map((id) => id.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'network_private-eu-west-1a',
      'network_private-eu-west-1b',
      'network_public-eu-west-1a',
      'network_public-eu-west-1b',
    ]);
    const moved = (json.moved as Array<{ from: string; to: string }>).map(
      (m) => `${m.from.replace(/_[0-9A-F]{8}$/, '')} -> ${m.to.replace(/_[0-9A-F]{8}$/, '')}`,
    );
    expect(moved).toEqual(
      expect.arrayContaining([
        'aws_subnet.network_public-0 -> aws_subnet.network_public-eu-west-1a',
        'aws_subnet.network_private-1 -> aws_subnet.network_private-eu-west-1b',
        'aws_nat_gateway.network_nat-1 -> aws_nat_gateway.network_nat-eu-west-1b',
        'aws_route_table.network_private-rt-0 -> aws_route_table.network_private-rt-eu-west-1a',
      ]),
    );
    // every per-AZ resource of two zones: subnet, route table association (public and private), EIP, NAT, route table, route
    expect(moved).toHaveLength(2 * 8);
  });

  test('fails clearly with fewer zones than subnets, instead of wrapping two subnets into one zone', () => {
    expect(() => synth({ availabilityZones: ['eu-west-1a'] })).toThrow(
      'stack/network: availabilityZones names 1 zone(s) (eu-west-1a) for 2 subnets per tier. Fix: name one zone per subnet (e.g. network.availabilityZones in the values)',
    );
  });

  test('fails on a zone id or a zone listed twice', () => {
    expect(() => synth({ availabilityZones: ['euw1-az1', 'eu-west-1b'] })).toThrow(
      /availabilityZones\[0\] "euw1-az1" is not an availability zone name such as eu-west-1a/,
    );
    expect(() => synth({ availabilityZones: ['eu-west-1a', 'eu-west-1a'] })).toThrow(
      /availabilityZones lists eu-west-1a twice/,
    );
  });
});
