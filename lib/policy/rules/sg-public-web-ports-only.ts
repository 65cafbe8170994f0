import {
  groupInternetExposure,
  IngressPermission,
  ingressPermissions,
  opensAllPorts,
  SECURITY_GROUP_TYPES,
} from '../ingress';
import { defineRule, nonCompliant } from '../rule';
import { ADMIN_PORTS } from './sg-no-public-admin-ports';

/** The ports a security group may open to the whole internet: the public HTTP(S) listeners. */
export const PUBLIC_WEB_PORTS = [80, 443];

const samePorts = (p: IngressPermission) => (q: IngressPermission) =>
  q.protocol === p.protocol && q.fromPort === p.fromPort && q.toPort === p.toPort && !opensAllPorts(q);

/**
 * Only 80 and 443 face the internet: any other port (a test listener that serves an unchecked release, an admin
 * or internal service) admits only sources that, across the group's rules, stay within a /8 of public space and
 * do not cover the internet (not `0.0.0.0/0`, nor `0.0.0.0/1` + `128.0.0.0/1`, nor any other split).
 */
export const sgPublicWebPortsOnly = defineRule({
  id: 'sg-public-web-ports-only',
  explanation: 'security group opens a port other than 80/443 (e.g. the test listener) to the internet',
  fix: 'list only the CI, office and VPN ranges that need the port (each source list must stay within a /8 of public space)',
  resourceTypes: SECURITY_GROUP_TYPES,
  evaluate(resource, stack) {
    for (const p of ingressPermissions(resource)) {
      // all-port rules are sg-no-public-all-ports' finding, SSH and RDP sg-no-public-admin-ports'
      if (opensAllPorts(p) || (p.fromPort === p.toPort && [...PUBLIC_WEB_PORTS, ...ADMIN_PORTS].includes(p.fromPort)))
        continue;
      const wide = groupInternetExposure(stack, resource, samePorts(p));
      if (wide)
        return nonCompliant(
          `${p.protocol} ${p.fromPort === p.toPort ? p.fromPort : `${p.fromPort}-${p.toPort}`} ${wide}`,
        );
    }
    return 'compliant';
  },
});
