import { internetWideSourcesProblem } from '../config/cidr';
import { blocks, StackView, SynthResource } from './stack-view';

/** One ingress permission, normalized across the three ways the AWS provider expresses security group rules. */
export interface IngressPermission {
  /** `tcp`, `udp`, `icmp`, ... or `-1` for every protocol. */
  readonly protocol: string;
  /** First port; NaN when not a literal. */
  readonly fromPort: number;
  /** Last port; NaN when not a literal. */
  readonly toPort: number;
  /** Source IPv4 and IPv6 ranges. */
  readonly cidrs: readonly string[];
}

/** Source ranges that mean "anywhere". */
export const ANYWHERE = ['0.0.0.0/0', '::/0'];

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

function permission(protocol: unknown, from: unknown, to: unknown, cidrs: string[]): IngressPermission {
  return { protocol: String(protocol ?? '-1').toLowerCase(), fromPort: Number(from), toPort: Number(to), cidrs };
}

/** The ingress permissions of an `aws_security_group` (inline), `aws_security_group_rule` or `aws_vpc_security_group_ingress_rule`. */
export function ingressPermissions(resource: SynthResource): IngressPermission[] {
  const c = resource.config;
  switch (resource.type) {
    case 'aws_security_group':
      return blocks(c.ingress).map((i) =>
        permission(i.protocol, i.from_port, i.to_port, [...strings(i.cidr_blocks), ...strings(i.ipv6_cidr_blocks)]),
      );
    case 'aws_security_group_rule':
      return c.type === 'ingress'
        ? [permission(c.protocol, c.from_port, c.to_port, [...strings(c.cidr_blocks), ...strings(c.ipv6_cidr_blocks)])]
        : [];
    case 'aws_vpc_security_group_ingress_rule':
      return [permission(c.ip_protocol, c.from_port, c.to_port, [...strings(c.cidr_ipv4), ...strings(c.cidr_ipv6)])];
    default:
      return [];
  }
}

/** Whether the permission opens every port (all protocols, or a TCP/UDP range 0/1–65535). */
export function opensAllPorts(p: IngressPermission): boolean {
  if (p.protocol === '-1' || p.protocol === 'all') return true;
  return ['tcp', 'udp', '6', '17'].includes(p.protocol) && p.fromPort <= 1 && p.toPort >= 65535;
}

/** Whether the permission opens `port` over TCP or UDP. */
export function opensPort(p: IngressPermission, port: number): boolean {
  if (opensAllPorts(p)) return true;
  return ['tcp', 'udp', '6', '17'].includes(p.protocol) && p.fromPort <= port && port <= p.toPort;
}

/** The "anywhere" ranges among the permission's sources. */
export function openSources(p: IngressPermission): string[] {
  return p.cidrs.filter((c) => ANYWHERE.includes(c));
}

/**
 * The security group an ingress permission belongs to: `aws_security_group.<name>` for inline rules and for rule
 * resources whose `security_group_id` references one, else the literal `security_group_id`.
 */
export function securityGroupKey(resource: SynthResource): string {
  if (resource.type === 'aws_security_group') return `aws_security_group.${resource.name}`;
  const id = String(resource.config.security_group_id ?? '');
  const ref = /^\$\{(aws_security_group\.[^.}]+)\.id\}$/.exec(id);
  return ref ? ref[1] : id || resource.address;
}

/**
 * Why the sources that reach the same security group as `resource`, through any of its rules in the stack
 * (every `aws_vpc_security_group_ingress_rule` holds one CIDR, so one resource alone says little), for the
 * permissions `matches` selects, admit too much of the internet (see `internetWideSourcesProblem`); `undefined` when they do not.
 */
export function groupInternetExposure(
  stack: StackView,
  resource: SynthResource,
  matches: (p: IngressPermission) => boolean,
): string | undefined {
  const key = securityGroupKey(resource);
  const own = ingressPermissions(resource).filter(matches);
  if (own.length === 0) return undefined;
  const cidrs = stack
    .ofType(...SECURITY_GROUP_TYPES)
    .filter((r) => securityGroupKey(r) === key)
    .flatMap((r) => ingressPermissions(r).filter(matches))
    .flatMap((p) => p.cidrs);
  return describeExposure([...new Set(cidrs)]);
}

/** `open to 0.0.0.0/0 and ::/0` when the sources hold the literal "anywhere" ranges, else the coverage problem; `undefined` when fine. */
export function describeExposure(cidrs: readonly string[]): string | undefined {
  const wide = internetWideSourcesProblem(cidrs);
  if (!wide) return undefined;
  const anywhere = cidrs.filter((c) => ANYWHERE.includes(c));
  return anywhere.length > 0
    ? `open to ${anywhere.join(' and ')}`
    : `open to more of the internet than allowed: ${wide}`;
}

/** Security group resource types that carry ingress rules. */
export const SECURITY_GROUP_TYPES = [
  'aws_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
];
