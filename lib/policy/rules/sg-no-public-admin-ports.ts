import { ingressPermissions, openSources, opensAllPorts, opensPort, SECURITY_GROUP_TYPES } from '../ingress';
import { defineRule, nonCompliant } from '../rule';

const ADMIN_PORTS = [22, 3389];

/** No security group lets the whole internet reach SSH (22) or RDP (3389). */
export const sgNoPublicAdminPorts = defineRule({
  id: 'sg-no-public-admin-ports',
  checkovId: 'CKV_AWS_24, CKV_AWS_25',
  explanation: 'security group allows SSH or RDP from anywhere',
  fix: 'restrict the ingress source to the admin network or VPN CIDR (or use SSM Session Manager and remove the rule)',
  resourceTypes: SECURITY_GROUP_TYPES,
  evaluate(resource) {
    for (const p of ingressPermissions(resource)) {
      const open = openSources(p);
      if (open.length === 0 || opensAllPorts(p)) continue; // all-port rules are sg-no-public-all-ports' finding
      const port = ADMIN_PORTS.find((a) => opensPort(p, a));
      if (port !== undefined) return nonCompliant(`port ${port} open to ${open.join(' and ')}`);
    }
    return 'compliant';
  },
});
