/**
 * The optional `vpn` section: a site-to-site IPsec VPN from the office/dev network into the environment's VPC
 * (AWS only).
 *
 * Tunnel options default to strong settings: IKEv2 only, AES256-GCM-16, SHA2-256/384/512, DH groups
 * 19/20/21/14. AWS negotiates the lowest setting both sides allow, so anything weak listed here would be what
 * the tunnel ends up using: weak algorithms are refused unless `allowWeakCrypto: true` says so explicitly.
 *
 * The vocabulary (algorithm names, weak sets, defaults) and the pure checks live here so the schema and the
 * {@link SiteToSiteVpn} construct apply exactly the same rules.
 */
import { z } from 'zod';
import { cidrContains, cidrsOverlap, parseCidr, parseIpv4 } from '../cidr';
import { cidr, DeepReadonly, report } from './common';

/** IKE versions AWS accepts. */
export const IKE_VERSIONS = ['ikev1', 'ikev2'] as const;
/** Phase 1 and phase 2 encryption algorithms AWS accepts. */
export const ENCRYPTION_ALGORITHMS = ['AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16'] as const;
/** Phase 1 and phase 2 integrity algorithms AWS accepts. */
export const INTEGRITY_ALGORITHMS = ['SHA1', 'SHA2-256', 'SHA2-384', 'SHA2-512'] as const;
/** Diffie-Hellman groups AWS accepts in phase 1. */
export const PHASE1_DH_GROUPS = [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24] as const;
/** Diffie-Hellman groups AWS accepts in phase 2 (perfect forward secrecy). */
export const PHASE2_DH_GROUPS = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24] as const;

/** An IKE version. */
export type IkeVersion = (typeof IKE_VERSIONS)[number];
/** An encryption algorithm name, as AWS spells it. */
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];
/** An integrity algorithm name, as AWS spells it. */
export type IntegrityAlgorithm = (typeof INTEGRITY_ALGORITHMS)[number];

/**
 * What counts as weak, and why. 15–18 (MODP 3072–8192) are strong, only slow, so they are not listed;
 * 22–24 are the RFC 5114 MODP groups with small subgroups.
 */
export const WEAK_CRYPTO = {
  ikeVersions: { ikev1: 'IKEv1 is deprecated (RFC 9395)' } as Readonly<Record<string, string>>,
  encryption: {
    AES128: 'below the 256-bit key policy (AES128-CBC)',
    'AES128-GCM-16': 'below the 256-bit key policy',
  } as Readonly<Record<string, string>>,
  integrity: { SHA1: 'SHA-1 is broken for collision resistance' } as Readonly<Record<string, string>>,
  dhGroups: {
    2: 'MODP-1024 is breakable',
    5: 'MODP-1536 is below 2048 bits',
    22: 'RFC 5114 group with a small subgroup',
    23: 'RFC 5114 group with a small subgroup',
    24: 'RFC 5114 group with a small subgroup',
  } as Readonly<Record<number, string>>,
} as const;

/** Tunnel inside ranges AWS reserves and refuses. */
export const RESERVED_INSIDE_CIDRS = [
  '169.254.0.0/30',
  '169.254.1.0/30',
  '169.254.2.0/30',
  '169.254.3.0/30',
  '169.254.4.0/30',
  '169.254.5.0/30',
  '169.254.169.252/30',
] as const;

/** The strong defaults for one phase's algorithms. */
const STRONG_PHASE = {
  encryptionAlgorithms: ['AES256-GCM-16'] as EncryptionAlgorithm[],
  integrityAlgorithms: ['SHA2-256', 'SHA2-384', 'SHA2-512'] as IntegrityAlgorithm[],
  dhGroupNumbers: [19, 20, 21, 14],
};

const unique = <T>(list: T[]) => new Set(list).size === list.length;

const phaseSchema = (groups: readonly number[], maxLifetime: number, defaultLifetime: number) =>
  z
    .object({
      /** Encryption algorithms offered, most preferred first. */
      encryptionAlgorithms: z
        .array(z.enum(ENCRYPTION_ALGORITHMS))
        .min(1)
        .refine(unique, 'must not repeat an algorithm')
        .default(STRONG_PHASE.encryptionAlgorithms),
      /** Integrity algorithms (the PRF in phase 1); unused in phase 2 by GCM, which authenticates by itself. */
      integrityAlgorithms: z
        .array(z.enum(INTEGRITY_ALGORITHMS))
        .min(1)
        .refine(unique, 'must not repeat an algorithm')
        .default(STRONG_PHASE.integrityAlgorithms),
      /** Diffie-Hellman groups, most preferred first. */
      dhGroupNumbers: z
        .array(
          z
            .number()
            .int()
            .refine(
              (g) => groups.includes(g),
              (g) => ({ message: `group ${g} is not accepted by AWS here (accepted: ${groups.join(', ')})` }),
            ),
        )
        .min(1)
        .refine(unique, 'must not repeat a group')
        .default(STRONG_PHASE.dhGroupNumbers),
      /** Lifetime of the SA in seconds. */
      lifetimeSeconds: z
        .number()
        .int('must be a whole number')
        .min(900, `must be 900 to ${maxLifetime} seconds (AWS refuses a shorter lifetime)`)
        .max(maxLifetime, `must be 900 to ${maxLifetime} seconds (AWS refuses a longer lifetime)`)
        .default(defaultLifetime),
    })
    .strict();

/** Options of both tunnels; every key has a strong default. */
export const tunnelOptionsSchema = z
  .object({
    /** IKE versions: `ikev2` only by default. */
    ikeVersions: z.array(z.enum(IKE_VERSIONS)).min(1).refine(unique, 'must not repeat a version').default(['ikev2']),
    /** Phase 1 (IKE SA). */
    phase1: phaseSchema(PHASE1_DH_GROUPS, 28800, 28800).default({}),
    /** Phase 2 (CHILD/ESP SA). */
    phase2: phaseSchema(PHASE2_DH_GROUPS, 3600, 3600).default({}),
    /** Seconds without a DPD answer before the timeout action. */
    dpdTimeoutSeconds: z
      .number()
      .int('must be a whole number')
      .min(30, 'must be at least 30 seconds (AWS refuses a shorter DPD timeout)')
      .default(30),
    /** What AWS does when DPD times out: `restart` (re-initiate) by default. */
    dpdTimeoutAction: z.enum(['clear', 'none', 'restart']).default('restart'),
    /** `add`: the customer gateway initiates; `start`: AWS initiates too (IKEv2 only). */
    startupAction: z.enum(['add', 'start']).default('add'),
    /** Seconds before the lifetime ends at which rekeying starts. */
    rekeyMarginTimeSeconds: z
      .number()
      .int('must be a whole number')
      .min(60, 'must be at least 60 seconds (AWS: 60 to half of phase2.lifetimeSeconds)')
      .default(270),
    /** Random spread of the rekey margin, in percent. */
    rekeyFuzzPercentage: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 to 100 percent')
      .max(100, 'must be 0 to 100 percent')
      .default(100),
    /** ESP replay window, in packets. */
    replayWindowSize: z
      .number()
      .int('must be a whole number')
      .min(64, 'must be 64 to 2048 packets (AWS)')
      .max(2048, 'must be 64 to 2048 packets (AWS)')
      .default(1024),
  })
  .strict();

/** Tunnel options after defaults (read-only): the same for both tunnels. */
export type TunnelOptions = DeepReadonly<z.infer<typeof tunnelOptionsSchema>>;

/** The strong tunnel options used when none are given. */
export const DEFAULT_TUNNEL_OPTIONS: TunnelOptions = tunnelOptionsSchema.parse({});

/** How the customer side selects traffic: route-based (0.0.0.0/0 selectors, XFRM interfaces) or policy-based. */
export const CUSTOMER_CONFIG_MODES = ['route-based', 'policy-based'] as const;
/** A customer-side configuration style. */
export type CustomerConfigMode = (typeof CUSTOMER_CONFIG_MODES)[number];

/** A BGP ASN: a whole number from 1 to 4294967294 except 23456 (AS_TRANS). */
export const bgpAsn = z
  .number({ invalid_type_error: 'must be a number (a BGP ASN such as 65010)' })
  .int('must be a whole number')
  .superRefine((asn, ctx) => {
    const reason = bgpAsnProblem(asn);
    if (reason) ctx.addIssue({ code: z.ZodIssueCode.custom, message: reason });
  });

/** The `vpn` section. */
export const vpnSchema = z
  .object({
    /** The office/dev network's IPsec device. */
    customerGateway: z
      .object({
        /** Its static public IPv4 address. */
        ipAddress: z.string().superRefine((address, ctx) => {
          const reason = publicIpProblem(address);
          if (reason) ctx.addIssue({ code: z.ZodIssueCode.custom, message: reason });
        }),
        /** Its BGP ASN (used for BGP routing; AWS requires one either way). */
        bgpAsn: bgpAsn.default(65000),
        /** Optional device name shown in the AWS console. */
        deviceName: z.string().max(255).optional(),
      })
      .strict(),
    /** Address ranges of the office/dev network: routed into the VPC and allowed to the admin/test ports. */
    onPremCidrs: z.array(cidr).min(1, 'list at least one on-prem range'),
    /** `static` (on-prem CIDRs as static routes) or `bgp` (the customer gateway announces them). */
    routing: z.enum(['static', 'bgp']).default('static'),
    /** Terminate on this existing transit gateway instead of a new virtual private gateway. */
    transitGatewayId: z
      .string()
      .regex(/^tgw-[0-9a-f]{8,17}$/, 'must be a transit gateway id (tgw- and 8 or 17 hex digits)')
      .optional(),
    /** Transit gateway route table for the static on-prem routes (static routing on a transit gateway). */
    transitGatewayRouteTableId: z
      .string()
      .regex(/^tgw-rtb-[0-9a-f]{8,17}$/, 'must be a transit gateway route table id (tgw-rtb-...)')
      .optional(),
    /** ASN of the new virtual private gateway (AWS side). */
    amazonSideAsn: bgpAsn.optional(),
    /** Options of both tunnels. */
    tunnelOptions: tunnelOptionsSchema.default({}),
    /** Inside /30 ranges of tunnel 1 and tunnel 2, inside 169.254.0.0/16; AWS picks when absent. */
    insideCidrs: z.array(cidr).length(2, 'give exactly two /30 ranges, one per tunnel').optional(),
    /** Explicit opt-in to weak algorithms (IKEv1, AES128, SHA1, DH 2/5/22/23/24). */
    allowWeakCrypto: z.boolean().default(false),
    /** Days to keep the tunnel logs. */
    logRetentionDays: z.number().int().min(1).max(3653).default(90),
    /** The customer-side strongSwan configuration style rendered into the stack output. */
    customerConfig: z.enum(CUSTOMER_CONFIG_MODES).default('route-based'),
  })
  .strict();

/** VPN values after defaults. */
export type VpnValues = z.infer<typeof vpnSchema>;

/** One problem at a key path relative to the thing checked. */
export interface VpnProblem {
  /** Key path relative to the checked object. */
  readonly path: Array<string | number>;
  /** Why it is wrong, with the fix. */
  readonly message: string;
}

/** Why `asn` is not a usable BGP ASN, or `undefined`. */
export function bgpAsnProblem(asn: number): string | undefined {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4294967294)
    return `${asn} is not a BGP ASN (1 to 4294967294; private ranges are 64512-65534 and 4200000000-4294967294)`;
  if (asn === 23456) return '23456 is AS_TRANS, reserved for 4-byte ASN transition; pick another ASN';
  return undefined;
}

const PRIVATE_OR_SPECIAL = [
  ['0.0.0.0/8', 'a "this network" address'],
  ['10.0.0.0/8', 'a private (RFC 1918) address'],
  ['100.64.0.0/10', 'a carrier-grade NAT address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private (RFC 1918) address'],
  ['192.168.0.0/16', 'a private (RFC 1918) address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
] as const;

/** Why `address` cannot be a customer gateway's public IP, or `undefined`. */
export function publicIpProblem(address: string): string | undefined {
  const ip = parseIpv4(address);
  if (ip === undefined) return `"${address}" is not an IPv4 address`;
  for (const [range, what] of PRIVATE_OR_SPECIAL) {
    const block = parseCidr(range);
    if (typeof block !== 'string' && ip >= block.start && ip < block.start + block.size) {
      return `${address} is ${what}; AWS reaches the customer gateway at its static public IPv4 address`;
    }
  }
  return undefined;
}

/** Weak or inconsistent choices in tunnel options; empty when `allowWeakCrypto` or nothing is weak. */
export function tunnelOptionsProblems(options: TunnelOptions, allowWeakCrypto: boolean): VpnProblem[] {
  const problems: VpnProblem[] = [];
  const optIn = 'remove it, or set vpn.allowWeakCrypto: true to accept weak crypto explicitly';
  if (!allowWeakCrypto) {
    options.ikeVersions.forEach((v, i) => {
      const why = WEAK_CRYPTO.ikeVersions[v];
      if (why) problems.push({ path: ['ikeVersions', i], message: `"${v}" is weak (${why}); ${optIn}` });
    });
    for (const phase of ['phase1', 'phase2'] as const) {
      const p = options[phase];
      p.encryptionAlgorithms.forEach((a, i) => {
        const why = WEAK_CRYPTO.encryption[a];
        if (why)
          problems.push({ path: [phase, 'encryptionAlgorithms', i], message: `"${a}" is weak (${why}); ${optIn}` });
      });
      p.integrityAlgorithms.forEach((a, i) => {
        const why = WEAK_CRYPTO.integrity[a];
        if (why)
          problems.push({ path: [phase, 'integrityAlgorithms', i], message: `"${a}" is weak (${why}); ${optIn}` });
      });
      p.dhGroupNumbers.forEach((g, i) => {
        const why = WEAK_CRYPTO.dhGroups[g];
        if (why)
          problems.push({ path: [phase, 'dhGroupNumbers', i], message: `group ${g} is weak (${why}); ${optIn}` });
      });
    }
  }
  if (options.startupAction === 'start' && !options.ikeVersions.includes('ikev2')) {
    problems.push({
      path: ['startupAction'],
      message: '"start" needs IKEv2 (AWS only initiates IKEv2 tunnels); add ikev2 or use "add"',
    });
  }
  const halfPhase2 = options.phase2.lifetimeSeconds / 2;
  if (options.rekeyMarginTimeSeconds > halfPhase2) {
    problems.push({
      path: ['rekeyMarginTimeSeconds'],
      message: `${options.rekeyMarginTimeSeconds} exceeds half the phase 2 lifetime (${halfPhase2}); AWS refuses it`,
    });
  }
  if (options.phase2.lifetimeSeconds >= options.phase1.lifetimeSeconds) {
    problems.push({
      path: ['phase2', 'lifetimeSeconds'],
      message: `${options.phase2.lifetimeSeconds} must be less than phase1.lifetimeSeconds (${options.phase1.lifetimeSeconds}); AWS refuses it`,
    });
  }
  return problems;
}

/** Problems with the tunnel inside ranges: /30, inside 169.254.0.0/16, not reserved by AWS, distinct. */
export function insideCidrProblems(insideCidrs: readonly string[]): VpnProblem[] {
  const problems: VpnProblem[] = [];
  insideCidrs.forEach((c, i) => {
    const block = parseCidr(c);
    if (typeof block === 'string') return problems.push({ path: [i], message: block });
    if (block.prefix !== 30)
      return problems.push({
        path: [i],
        message: `${c} must be a /30 (one address for AWS, one for the customer gateway)`,
      });
    if (!cidrContains('169.254.0.0/16', c))
      return problems.push({
        path: [i],
        message: `${c} lies outside 169.254.0.0/16 (tunnel inside ranges are link-local)`,
      });
    const reserved = RESERVED_INSIDE_CIDRS.find((r) => r === c);
    if (reserved)
      return problems.push({
        path: [i],
        message: `${c} is reserved by AWS (reserved: ${RESERVED_INSIDE_CIDRS.join(', ')})`,
      });
    const clash = insideCidrs.slice(0, i).findIndex((o) => typeof parseCidr(o) !== 'string' && cidrsOverlap(o, c));
    if (clash >= 0)
      problems.push({
        path: [i],
        message: `${c} overlaps tunnel ${clash + 1}'s ${insideCidrs[clash]}; each tunnel needs its own /30`,
      });
    return undefined;
  });
  return problems;
}

/** Problems with the on-prem ranges: overlaps with the VPC or each other, or too wide to be an office network. */
export function onPremCidrProblems(onPremCidrs: readonly string[], vpcCidr: string): VpnProblem[] {
  const problems: VpnProblem[] = [];
  const valid = (c: string) => typeof parseCidr(c) !== 'string';
  onPremCidrs.forEach((c, i) => {
    const block = parseCidr(c);
    if (typeof block === 'string') return;
    if (block.prefix < 8) {
      problems.push({
        path: [i],
        message: `${c} is wider than a /8; the on-prem ranges are opened to admin ports, so list the office networks themselves`,
      });
      return;
    }
    if (valid(vpcCidr) && cidrsOverlap(c, vpcCidr)) {
      problems.push({
        path: [i],
        message: `${c} overlaps the VPC range ${vpcCidr} (network.vpcCidr); routes would be ambiguous, pick a non-overlapping range`,
      });
    }
    if (cidrsOverlap(c, '169.254.0.0/16'))
      problems.push({
        path: [i],
        message: `${c} overlaps 169.254.0.0/16 (link-local, used by the tunnel inside addresses)`,
      });
    const clash = onPremCidrs.slice(0, i).findIndex((o) => valid(o) && cidrsOverlap(o, c));
    if (clash >= 0)
      problems.push({ path: [i], message: `${c} overlaps ${onPremCidrs[clash]} (vpn.onPremCidrs[${clash}])` });
  });
  return problems;
}

/** Why `asn` cannot be a virtual private gateway's (Amazon side) ASN, or `undefined`: AWS takes private ASNs only. */
export function amazonSideAsnProblem(asn: number): string | undefined {
  const base = bgpAsnProblem(asn);
  if (base) return base;
  const isPrivate = (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294);
  return isPrivate
    ? undefined
    : `${asn} is a public ASN; the Amazon side takes a private one (64512-65534 or 4200000000-4294967294)`;
}

/** Cross-field checks of the `vpn` section against the cloud and the network. */
export function checkVpn(cloud: string, vpcCidr: string, vpn: VpnValues | undefined, ctx: z.RefinementCtx): void {
  if (!vpn) return;
  if (cloud !== 'aws') {
    report(ctx, ['vpn'], `site-to-site VPN is AWS-only; a ${cloud} environment cannot have a vpn section (remove it)`);
    return;
  }
  const at = (prefix: Array<string | number>) => (p: VpnProblem) =>
    report(ctx, ['vpn', ...prefix, ...p.path], p.message);
  onPremCidrProblems(vpn.onPremCidrs, vpcCidr).forEach(at(['onPremCidrs']));
  tunnelOptionsProblems(vpn.tunnelOptions, vpn.allowWeakCrypto).forEach(at(['tunnelOptions']));
  if (vpn.insideCidrs) insideCidrProblems(vpn.insideCidrs).forEach(at(['insideCidrs']));
  if (vpn.amazonSideAsn !== undefined && !bgpAsnProblem(vpn.amazonSideAsn)) {
    const reason = amazonSideAsnProblem(vpn.amazonSideAsn);
    if (reason) report(ctx, ['vpn', 'amazonSideAsn'], reason);
  }
  if (vpn.transitGatewayId && vpn.amazonSideAsn !== undefined) {
    report(
      ctx,
      ['vpn', 'amazonSideAsn'],
      'applies to a new virtual private gateway only; the transit gateway has its own ASN',
    );
  }
  if (!vpn.transitGatewayId && vpn.transitGatewayRouteTableId) {
    report(ctx, ['vpn', 'transitGatewayRouteTableId'], 'needs vpn.transitGatewayId');
  }
  if (vpn.transitGatewayId && vpn.routing === 'static' && !vpn.transitGatewayRouteTableId) {
    report(
      ctx,
      ['vpn', 'transitGatewayRouteTableId'],
      'required for static routing on a transit gateway: the route table that gets the on-prem routes',
    );
  }
  if (vpn.customerConfig === 'policy-based' && vpn.onPremCidrs.length !== 1) {
    report(
      ctx,
      ['vpn', 'customerConfig'],
      `policy-based supports exactly one on-prem range (AWS keeps one SA pair per tunnel; got ${vpn.onPremCidrs.length}); use route-based`,
    );
  }
  const amazonAsn = vpn.amazonSideAsn ?? 64512;
  if (vpn.routing === 'bgp' && !vpn.transitGatewayId && vpn.customerGateway.bgpAsn === amazonAsn) {
    report(
      ctx,
      ['vpn', 'customerGateway', 'bgpAsn'],
      `must differ from the AWS side ASN (${amazonAsn}) for BGP; set another ASN or vpn.amazonSideAsn`,
    );
  }
}
