import { groupInternetExposure, ingressPermissions, opensAllPorts, opensPort, SECURITY_GROUP_TYPES } from '../ingress';
import { defineRule, nonCompliant } from '../rule';

/** SSH and RDP: never open to the internet. */
export const ADMIN_PORTS = [22, 3389];

/**
 * No security group lets the internet reach SSH (22) or RDP (3389): not `0.0.0.0/0` or `::/0`, and not a set of
 * sources (across the group's rules) that together cover it or more public space than a /8.
 */
export const sgNoPublicAdminPorts = defineRule({
  id: 'sg-no-public-admin-ports',
  checkovId: 'CKV_AWS_24, CKV_AWS_25',
  explanation: 'security group allows SSH or RDP from anywhere',
  fix: 'restrict the ingress source to the admin network or VPN CIDR (or use SSM Session Manager and remove the rule)',
  resourceTypes: SECURITY_GROUP_TYPES,
  evaluate(resource, stack) {
    for (const port of ADMIN_PORTS) {
      // all-port rules are sg-no-public-all-ports' finding
      const opens = (p: Parameters<typeof opensPort>[0]) => !opensAllPorts(p) && opensPort(p, port);
      if (!ingressPermissions(resource).some(opens)) continue;
      const wide = groupInternetExposure(stack, resource, opens);
      if (wide) return nonCompliant(`port ${port} ${wide}`);
    }
    return 'compliant';
  },
});
