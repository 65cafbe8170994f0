import { Testing } from 'cdktf';
import { Network } from '../../lib/digitalocean/network';

describe('Network', () => {
  const json = JSON.parse(
    Testing.synthScope(
      (scope) => new Network(scope, 'network', { name: 'shop-dev', region: 'fra1', ipRange: '10.10.0.0/20' }),
    ),
  );

  test('one VPC with the environment range, region and a description', () => {
    const vpcs = Object.values(json.resource.digitalocean_vpc) as Array<Record<string, unknown>>;
    expect(vpcs).toHaveLength(1);
    expect(vpcs[0]).toMatchObject({ name: 'shop-dev', region: 'fra1', ip_range: '10.10.0.0/20' });
    expect(vpcs[0].description).toMatch(/shop-dev/);
  });

  test.each([
    ['10.10.0.0/15', /is a \/15; DigitalOcean VPCs range from \/16 to \/28/],
    ['10.10.0.0/29', /is a \/29; DigitalOcean VPCs range from \/16 to \/28/],
    ['10.10.0.1/20', /host bits set; did you mean 10\.10\.0\.0\/20/],
  ])('fails on ip range %s', (ipRange, message) => {
    expect(() =>
      Testing.synthScope((scope) => new Network(scope, 'n', { name: 'x', region: 'fra1', ipRange })),
    ).toThrow(message);
  });
});
