import { WEAK_CRYPTO } from '../../config/sections/vpn';
import { defineRule, nonCompliant } from '../rule';

function list(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

/** Why a value of a tunnel option is weak (the project's one definition, shared with the `vpn` values), if it is. */
function weakness(key: string, value: string): string | undefined {
  if (key.includes('encryption')) return WEAK_CRYPTO.encryption[value];
  if (key.includes('integrity')) return WEAK_CRYPTO.integrity[value];
  if (key.includes('dh_group')) return WEAK_CRYPTO.dhGroups[Number(value)];
  return undefined;
}

/**
 * Site-to-site VPN tunnels negotiate IKEv2 only and pin their algorithms to strong ones (weak: IKEv1, AES128,
 * SHA-1, DH groups 2/5/22-24, as in `WEAK_CRYPTO`). Unset lists fall back to AWS defaults that include IKEv1,
 * SHA-1 and DH group 2, so they must be set explicitly. `vpn.allowWeakCrypto: true` suppresses this rule with
 * a reason. No public scanner has this rule.
 */
export const vpnStrongCrypto = defineRule({
  id: 'vpn-strong-crypto',
  explanation:
    'VPN tunnel allows IKEv1 or weak algorithms (AES128, SHA-1, DH groups 2/5/22-24), or leaves them to the AWS defaults',
  fix: 'set tunnelN_ike_versions = ["ikev2"] and pin tunnelN_phase{1,2}_encryption_algorithms (AES256-GCM-16), _integrity_algorithms (SHA2-256/384/512) and _dh_group_numbers (14+, not 22-24) on both tunnels',
  resourceTypes: ['aws_vpn_connection'],
  evaluate(vpn) {
    const problems: string[] = [];
    for (const t of [1, 2]) {
      const get = (key: string) => list(vpn.config[`tunnel${t}_${key}`]);
      const ike = get('ike_versions');
      if (!ike || ike.length === 0 || ike.some((v) => v !== 'ikev2'))
        problems.push(`tunnel${t}_ike_versions is ${ike ? JSON.stringify(ike) : 'unset'}`);
      for (const phase of [1, 2]) {
        for (const key of [
          `phase${phase}_encryption_algorithms`,
          `phase${phase}_integrity_algorithms`,
          `phase${phase}_dh_group_numbers`,
        ]) {
          const values = get(key);
          if (!values || values.length === 0) {
            problems.push(`tunnel${t}_${key} is unset`);
            continue;
          }
          const weak = values.filter((v) => weakness(key, v) !== undefined);
          if (weak.length > 0)
            problems.push(`tunnel${t}_${key} includes ${weak.join(', ')} (${weakness(key, weak[0])})`);
        }
      }
    }
    return problems.length === 0
      ? 'compliant'
      : nonCompliant(problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; +${problems.length - 3} more` : ''));
  },
});
