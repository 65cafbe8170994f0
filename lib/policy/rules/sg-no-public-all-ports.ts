import { ingressPermissions, openSources, opensAllPorts, SECURITY_GROUP_TYPES } from '../ingress';
import { defineRule, nonCompliant } from '../rule';

/** No security group opens every port (or every protocol) to the whole internet. */
export const sgNoPublicAllPorts = defineRule({
  id: 'sg-no-public-all-ports',
  checkovId: 'CKV_AWS_277',
  explanation: 'security group allows all ports from anywhere',
  fix: 'allow only the ports the service needs (e.g. 443 on the load balancer), or restrict the source to known CIDRs or security groups',
  resourceTypes: SECURITY_GROUP_TYPES,
  evaluate(resource) {
    for (const p of ingressPermissions(resource)) {
      const open = openSources(p);
      if (open.length > 0 && opensAllPorts(p)) return nonCompliant(`protocol ${p.protocol} ports ${p.fromPort}-${p.toPort} open to ${open.join(' and ')}`);
    }
    return 'compliant';
  },
});
