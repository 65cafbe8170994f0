import { FleetFirewall, FleetFirewallProps } from '../../lib/digitalocean/fleet-firewall';
import { onlyResource } from '../support/construct-synth';

const PROPS: FleetFirewallProps = {
  name: 'shop-dev-fleet',
  tags: ['shop-dev'],
  adminCidrs: ['203.0.113.0/24'],
  vpcCidr: '10.10.0.0/20',
  vpcEgressPorts: ['25060'],
};

const synth = (props: FleetFirewallProps) =>
  onlyResource('digitalocean_firewall', (scope) => new FleetFirewall(scope, 'fw', props));

describe('FleetFirewall', () => {
  const fw = synth(PROPS);

  test('applies by the fleet tag', () => {
    expect(fw).toMatchObject({ name: 'shop-dev-fleet', tags: ['shop-dev'] });
  });

  test('inbound: only SSH, only from the admin CIDRs', () => {
    expect(fw.inbound_rule).toEqual([{ protocol: 'tcp', port_range: '22', source_addresses: ['203.0.113.0/24'] }]);
  });

  test('outbound: DNS, NTP, HTTP(S) to the internet and the given ports inside the VPC only', () => {
    const rules = (fw.outbound_rule as Array<Record<string, any>>).map(
      (r) => `${r.protocol}/${r.port_range}->${r.destination_addresses.join(',')}`,
    );
    expect(rules).toEqual([
      'udp/53->0.0.0.0/0,::/0',
      'tcp/53->0.0.0.0/0,::/0',
      'udp/123->0.0.0.0/0,::/0',
      'tcp/80->0.0.0.0/0,::/0',
      'tcp/443->0.0.0.0/0,::/0',
      'tcp/25060->10.10.0.0/20',
    ]);
  });

  test('internet egress ports can be narrowed', () => {
    const rules = synth({ ...PROPS, internetEgressPorts: ['443'] }).outbound_rule as Array<Record<string, any>>;
    expect(
      rules
        .filter((r) => r.protocol === 'tcp' && r.destination_addresses.includes('0.0.0.0/0'))
        .map((r) => r.port_range),
    ).toEqual(['53', '443']);
  });

  test.each(['0.0.0.0/0', '::/0'])('fails on SSH open to the world (%s)', (cidr) => {
    expect(() => synth({ ...PROPS, adminCidrs: ['203.0.113.0/24', cidr] })).toThrow(
      `adminCidrs contains ${cidr}: SSH must never be open to the whole internet`,
    );
  });

  test('fails on no admin CIDR', () => {
    expect(() => synth({ ...PROPS, adminCidrs: [] })).toThrow(/adminCidrs is empty/);
  });

  test('fails on no tag', () => {
    expect(() => synth({ ...PROPS, tags: [] })).toThrow(/tags is empty; the firewall would apply to no droplet/);
  });
});
