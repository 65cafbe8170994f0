import { LbIngressFirewall, LbIngressFirewallProps } from '../../lib/digitalocean/lb-ingress-firewall';
import { onlyResource } from '../support/construct-synth';

const PROPS: LbIngressFirewallProps = {
  name: 'shop-dev-lb-ingress',
  tags: ['shop-dev'],
  loadBalancerIds: ['lb-live', 'lb-preview'],
  appPort: 8080,
};

const synth = (props: LbIngressFirewallProps) =>
  onlyResource('digitalocean_firewall', (scope) => new LbIngressFirewall(scope, 'lb-ingress', props));

describe('LbIngressFirewall', () => {
  const fw = synth(PROPS);

  test('opens only the app port, only to the load balancers, on the fleet tag', () => {
    expect(fw).toMatchObject({ name: 'shop-dev-lb-ingress', tags: ['shop-dev'] });
    expect(fw.inbound_rule).toEqual([
      { protocol: 'tcp', port_range: '8080', source_load_balancer_uids: ['lb-live', 'lb-preview'] },
    ]);
    expect(JSON.stringify(fw)).not.toContain('0.0.0.0/0');
    expect(fw.outbound_rule).toBeUndefined();
  });

  test('fails without a load balancer', () => {
    expect(() => synth({ ...PROPS, loadBalancerIds: [] })).toThrow(/loadBalancerIds is empty/);
  });

  test('fails without a tag', () => {
    expect(() => synth({ ...PROPS, tags: [] })).toThrow(/tags is empty/);
  });
});
