import { doFirewallNoPublicSsh } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const firewall = (inbound: object[]) => ({
  type: 'digitalocean_firewall',
  name: 'fw',
  config: { name: 'shop-dev', inbound_rule: inbound },
});

describe('do-firewall-no-public-ssh', () => {
  test('passes SSH from the VPC range and HTTP from the load balancer', () => {
    const fw = firewall([
      { protocol: 'tcp', port_range: '22', source_addresses: ['10.10.0.0/20'] },
      { protocol: 'tcp', port_range: '8080', source_load_balancer_uids: ['${digitalocean_loadbalancer.lb.id}'] },
    ]);
    expect(verdict(doFirewallNoPublicSsh, [fw])).toBe('compliant');
  });
  test('fails SSH from 0.0.0.0/0 and ::/0', () => {
    const out = check(doFirewallNoPublicSsh, [
      firewall([{ protocol: 'tcp', port_range: '22', source_addresses: ['0.0.0.0/0', '::/0'] }]),
    ]);
    expect(out).toEqual({ compliance: 'non-compliant', detail: 'port range 22 open to 0.0.0.0/0 and ::/0' });
  });
  test('fails an all-ports range from anywhere', () => {
    expect(
      verdict(doFirewallNoPublicSsh, [
        firewall([{ protocol: 'tcp', port_range: '1-65535', source_addresses: ['0.0.0.0/0'] }]),
      ]),
    ).toBe('non-compliant');
  });
});
