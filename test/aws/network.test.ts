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
const synth = (overrides: Partial<NetworkProps> = {}) => JSON.parse(Testing.synthScope((scope) => new Network(scope, 'network', { ...props, ...overrides })));

describe('Network: availability zones by name', () => {
  test('public and private subnet i live in the i-th named zone', () => {
    const subnets = Object.entries(synth().resource.aws_subnet as Record<string, { cidr_block: string; availability_zone: string }>).map(([, s]) => [s.cidr_block, s.availability_zone]);
    expect(subnets.sort()).toEqual([
      ['10.0.0.0/24', 'eu-west-1a'],
      ['10.0.1.0/24', 'eu-west-1b'],
      ['10.0.10.0/24', 'eu-west-1a'],
      ['10.0.11.0/24', 'eu-west-1b'],
    ]);
    expect(synth().data?.aws_availability_zones).toBeUndefined();
  });

  test('fails clearly with fewer zones than subnets, instead of wrapping two subnets into one zone', () => {
    expect(() => synth({ availabilityZones: ['eu-west-1a'] })).toThrow(
      'Network shop-test: availabilityZones names 1 zone(s) (eu-west-1a) for 2 subnets per tier; name one zone per subnet (e.g. network.availabilityZones in the values)',
    );
  });

  test('fails on a zone id or a zone listed twice', () => {
    expect(() => synth({ availabilityZones: ['euw1-az1', 'eu-west-1b'] })).toThrow(/availabilityZones\[0\] "euw1-az1" is not an availability zone name such as eu-west-1a/);
    expect(() => synth({ availabilityZones: ['eu-west-1a', 'eu-west-1a'] })).toThrow(/availabilityZones lists eu-west-1a twice/);
  });
});
