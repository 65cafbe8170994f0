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
