import { describeExposure } from '../ingress';
import { defineRule, nonCompliant } from '../rule';
import { blocks } from '../stack-view';

/** Whether a DigitalOcean port range ("22", "1-65535", "all", "" for all) includes `port`. */
export function portRangeIncludes(range: unknown, port: number): boolean {
  const text = String(range ?? 'all')
    .trim()
    .toLowerCase();
  if (text === 'all' || text === '' || text === '0') return true;
  const [from, to = from] = text.split('-').map(Number);
  return from <= port && port <= to;
}

/**
 * DigitalOcean firewalls never allow SSH from anywhere: not `0.0.0.0/0` or `::/0`, nor sources (across the
 * firewall's inbound rules) that together cover the internet or more public space than a /8. No checkov check
 * covers DigitalOcean firewalls.
 */
export const doFirewallNoPublicSsh = defineRule({
  id: 'do-firewall-no-public-ssh',
  explanation: 'DigitalOcean firewall allows SSH from anywhere',
  fix: 'restrict the inbound_rule for port 22 to the VPC or VPN range (source_addresses), or remove it and use the DigitalOcean console or a bastion',
  resourceTypes: ['digitalocean_firewall'],
  evaluate(firewall) {
    const ssh = blocks(firewall.config.inbound_rule).filter(
      (r) => String(r.protocol ?? 'tcp').toLowerCase() === 'tcp' && portRangeIncludes(r.port_range, 22),
    );
    const sources = ssh.flatMap((r) => (Array.isArray(r.source_addresses) ? r.source_addresses.map(String) : []));
    const wide = describeExposure([...new Set(sources)]);
    if (!wide) return 'compliant';
    return nonCompliant(`port range ${ssh.map((r) => String(r.port_range ?? 'all')).join(', ')} ${wide}`);
  },
});
