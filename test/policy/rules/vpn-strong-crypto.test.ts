import { vpnStrongCrypto } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

function tunnels(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const config: Record<string, unknown> = { customer_gateway_id: '${aws_customer_gateway.office.id}', type: 'ipsec.1' };
  for (const t of [1, 2]) {
    config[`tunnel${t}_ike_versions`] = ['ikev2'];
    for (const p of [1, 2]) {
      config[`tunnel${t}_phase${p}_encryption_algorithms`] = ['AES256-GCM-16'];
      config[`tunnel${t}_phase${p}_integrity_algorithms`] = ['SHA2-256', 'SHA2-384'];
      config[`tunnel${t}_phase${p}_dh_group_numbers`] = [19, 20, 21];
    }
  }
  return { ...config, ...overrides };
}
const vpn = (config: Record<string, unknown>) => ({ type: 'aws_vpn_connection', name: 'vpn', config });

describe('vpn-strong-crypto', () => {
  test('passes IKEv2-only tunnels with pinned strong algorithms', () => {
    expect(verdict(vpnStrongCrypto, [vpn(tunnels())])).toBe('compliant');
  });
  test('fails a tunnel that allows IKEv1', () => {
    expect(check(vpnStrongCrypto, [vpn(tunnels({ tunnel2_ike_versions: ['ikev1', 'ikev2'] }))]).detail).toBe(
      'tunnel2_ike_versions is ["ikev1","ikev2"]',
    );
  });
  test('fails SHA-1 integrity and DH group 2', () => {
    const out = check(vpnStrongCrypto, [
      vpn(
        tunnels({
          tunnel1_phase1_integrity_algorithms: ['SHA1', 'SHA2-256'],
          tunnel1_phase2_dh_group_numbers: [2, 14],
        }),
      ),
    ]);
    expect(out.detail).toBe(
      'tunnel1_phase1_integrity_algorithms includes SHA1 (SHA-1 is broken for collision resistance); tunnel1_phase2_dh_group_numbers includes 2 (MODP-1024 is breakable)',
    );
  });
  test('fails AES128, which the vpn values also call weak', () => {
    expect(
      check(vpnStrongCrypto, [vpn(tunnels({ tunnel2_phase2_encryption_algorithms: ['AES256', 'AES128'] }))]).detail,
    ).toMatch(/^tunnel2_phase2_encryption_algorithms includes AES128 \(/);
  });
  test('fails a connection that leaves algorithms to the AWS defaults', () => {
    expect(check(vpnStrongCrypto, [vpn({ customer_gateway_id: 'cgw', type: 'ipsec.1' })]).detail).toMatch(
      /^tunnel1_ike_versions is unset; .* more$/,
    );
  });
});
