import { groupInternetExposure, ingressPermissions, opensAllPorts, SECURITY_GROUP_TYPES } from '../ingress';
import { defineRule, nonCompliant } from '../rule';

/** No security group opens every port (or every protocol) to the internet (any set of sources that covers it, or more than a /8 of it). */
export const sgNoPublicAllPorts = defineRule({
  id: 'sg-no-public-all-ports',
  checkovId: 'CKV_AWS_277',
  explanation: 'security group allows all ports from anywhere',
  fix: 'allow only the ports the service needs (e.g. 443 on the load balancer), or restrict the source to known CIDRs or security groups',
  resourceTypes: SECURITY_GROUP_TYPES,
  evaluate(resource, stack) {
    const p = ingressPermissions(resource).find(opensAllPorts);
    if (!p) return 'compliant';
    const wide = groupInternetExposure(stack, resource, opensAllPorts);
    return wide ? nonCompliant(`protocol ${p.protocol} ports ${p.fromPort}-${p.toPort} ${wide}`) : 'compliant';
  },
});
