/**
 * IPv4 CIDR arithmetic used by the values schema: parsing, alignment, containment and overlap.
 *
 * Kept dependency-free and pure so every schema check that touches addresses is cheap and testable.
 */

/** A parsed IPv4 block: the first address as an unsigned 32-bit integer and the prefix length. */
export interface Ipv4Block {
  /** First address of the block, as an unsigned 32-bit integer. */
  readonly start: number;
  /** Prefix length, 0–32. */
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted-quad IPv4 address; returns `undefined` when it is not one. */
export function parseIpv4(address: string): number | undefined {
  const m = IPV4.exec(address);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

/** Formats an unsigned 32-bit integer as a dotted-quad address. */
export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/**
 * Parses `a.b.c.d/n`. Returns a reason string instead of a block when the text is malformed or has
 * host bits set (so the error can suggest the aligned network address).
 */
export function parseCidr(cidr: string): Ipv4Block | string {
  const [address, prefixText, ...rest] = cidr.split('/');
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) {
    return `"${cidr}" is not an IPv4 CIDR block (expected a.b.c.d/n)`;
  }
  const ip = parseIpv4(address);
  const prefix = Number(prefixText);
  if (ip === undefined || prefix > 32) return `"${cidr}" is not an IPv4 CIDR block (expected a.b.c.d/n)`;
  const size = 2 ** (32 - prefix);
  const start = ip - (ip % size);
  if (start !== ip) {
    return `"${cidr}" has host bits set; did you mean ${formatIpv4(start)}/${prefix}?`;
  }
  return { start, prefix, size };
}

/** Parses a CIDR that is known to be valid (already checked by the schema); throws otherwise. */
export function cidrBlock(cidr: string): Ipv4Block {
  const block = parseCidr(cidr);
  if (typeof block === 'string') throw new Error(block);
  return block;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = cidrBlock(outer);
  const i = cidrBlock(inner);
  return i.start >= o.start && i.start + i.size <= o.start + o.size;
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = cidrBlock(a);
  const y = cidrBlock(b);
  return x.start < y.start + y.size && y.start < x.start + x.size;
}

/** True when `address` (a dotted quad) lies inside `cidr`. */
export function cidrHasAddress(cidr: string, address: string): boolean {
  const block = cidrBlock(cidr);
  const ip = parseIpv4(address);
  return ip !== undefined && ip >= block.start && ip < block.start + block.size;
}

/**
 * IPv4 blocks that are not reachable public internet addresses (RFC 6890 special-purpose ranges: "this network",
 * private, shared CGN, loopback, link-local, documentation, benchmarking, multicast, reserved).
 */
export const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
] as const;

/** The most public IPv4 addresses a source list may admit together: one /8 (16,777,216 addresses). */
export const MAX_PUBLIC_IPV4_ADDRESSES = 2 ** 24;

/** The widest IPv6 prefix a source may have (a /16 and narrower are accepted; `::/0`, `2000::/3` are not). */
export const MIN_IPV6_SOURCE_PREFIX = 16;

type Interval = [start: number, end: number];

function union(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

const NON_PUBLIC_INTERVALS = union(NON_PUBLIC_IPV4.map((c) => cidrBlock(c)).map((b) => [b.start, b.start + b.size]));

/** Every public IPv4 address (2^32 minus {@link NON_PUBLIC_IPV4}). */
export const PUBLIC_IPV4_ADDRESSES = 2 ** 32 - NON_PUBLIC_INTERVALS.reduce((n, [s, e]) => n + e - s, 0);

/** How many public IPv4 addresses the blocks admit together (overlaps counted once; malformed and IPv6 entries ignored). */
export function publicIpv4Addresses(cidrs: readonly string[]): number {
  const blocks = cidrs.map((c) => parseCidr(c)).filter((b): b is Ipv4Block => typeof b !== 'string');
  let total = 0;
  for (const [s, e] of union(blocks.map((b) => [b.start, b.start + b.size]))) {
    let n = e - s;
    for (const [ps, pe] of NON_PUBLIC_INTERVALS) n -= Math.max(0, Math.min(e, pe) - Math.max(s, ps));
    total += n;
  }
  return total;
}

/** The prefix length of an IPv6 CIDR (`2001:db8::/32`), or `undefined` when the text is not one. */
export function ipv6Prefix(cidr: string): number | undefined {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(cidr);
  if (!m || !m[1].includes(':')) return undefined;
  const prefix = Number(m[2]);
  return prefix <= 128 ? prefix : undefined;
}

/**
 * Why a list of source ranges (firewall or security group sources, allowed CIDRs) admits too much of the internet,
 * or `undefined` when it does not. Too much: together they cover every public IPv4 address (`0.0.0.0/0`, or
 * `0.0.0.0/1` + `128.0.0.0/1`, or any other split), more public IPv4 addresses than a /8 holds, or an IPv6 range
 * wider than a /16 (`::/0`, `2000::/3`). Private, shared and reserved ranges do not count: `10.0.0.0/8` is fine.
 */
export function internetWideSourcesProblem(cidrs: readonly string[]): string | undefined {
  const v6 = cidrs.filter((c) => (ipv6Prefix(c) ?? 128) < MIN_IPV6_SOURCE_PREFIX);
  if (v6.length > 0)
    return `${v6.join(', ')} ${v6.length > 1 ? 'are' : 'is'} wider than an IPv6 /${MIN_IPV6_SOURCE_PREFIX}${v6.includes('::/0') ? ' (::/0 is the whole internet)' : ''}`;
  const count = publicIpv4Addresses(cidrs);
  const list = cidrs.filter((c) => typeof parseCidr(c) !== 'string').join(', ');
  if (count >= PUBLIC_IPV4_ADDRESSES)
    return `${list} ${cidrs.length > 1 ? 'together cover' : 'covers'} the whole internet (every public IPv4 address)`;
  if (count > MAX_PUBLIC_IPV4_ADDRESSES) {
    return `${list} ${cidrs.length > 1 ? 'together admit' : 'admits'} ${count.toLocaleString('en-US')} public IPv4 addresses, more than a /8 (${MAX_PUBLIC_IPV4_ADDRESSES.toLocaleString('en-US')})`;
  }
  return undefined;
}
