import { ANYWHERE } from '../ingress';
import { defineRule, nonCompliant } from '../rule';
import { blocks } from '../stack-view';

/** Whether a DigitalOcean port range ("22", "1-65535", "all", "" for all) includes `port`. */
export function portRangeIncludes(range: unknown, port: number): boolean {
  const text = String(range ?? 'all').trim().toLowerCase();
  if (text === 'all' || text === '' || text === '0') return true;
  const [from, to = from] = text.split('-').map(Number);
  return from <= port && port <= to;
}

/** DigitalOcean firewalls never allow SSH from anywhere. No checkov check covers DigitalOcean firewalls. */
export const doFirewallNoPublicSsh = defineRule({
  id: 'do-firewall-no-public-ssh',
  explanation: 'DigitalOcean firewall allows SSH from anywhere',
  fix: 'restrict the inbound_rule for port 22 to the VPC or VPN range (source_addresses), or remove it and use the DigitalOcean console or a bastion',
  resourceTypes: ['digitalocean_firewall'],
  evaluate(firewall) {
    for (const rule of blocks(firewall.config.inbound_rule)) {
      if (String(rule.protocol ?? 'tcp').toLowerCase() !== 'tcp' || !portRangeIncludes(rule.port_range, 22)) continue;
      const sources = Array.isArray(rule.source_addresses) ? rule.source_addresses.map(String) : [];
      const open = sources.filter((s) => ANYWHERE.includes(s));
      if (open.length > 0) return nonCompliant(`port range ${String(rule.port_range ?? 'all')} open to ${open.join(' and ')}`);
    }
    return 'compliant';
  },
});
