import {
  cidrContains,
  cidrHasAddress,
  cidrsOverlap,
  internetWideSourcesProblem,
  parseCidr,
  parseIpv4,
  PUBLIC_IPV4_ADDRESSES,
  publicIpv4Addresses,
} from '../../lib/config/cidr';

describe('CIDR arithmetic', () => {
  test('parses aligned blocks', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ start: 0x0a000000, prefix: 16, size: 65536 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ start: 0, prefix: 0, size: 2 ** 32 });
  });

  test('fails on host bits set, suggesting the network address', () => {
    expect(parseCidr('10.0.0.1/16')).toBe('"10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?');
  });

  test.each(['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', '10.0.0.0/8/1', 'ten/8', '010.0.0.0/8'])(
    'fails on malformed %s',
    (text) => {
      expect(parseCidr(text)).toMatch(/is not an IPv4 CIDR block/);
    },
  );

  test('containment and overlap', () => {
    expect(cidrContains('10.0.0.0/16', '10.0.3.0/24')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(cidrContains('10.0.0.0/24', '10.0.0.0/16')).toBe(false);
    expect(cidrsOverlap('10.0.0.0/16', '10.0.255.0/24')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/24', '10.0.1.0/24')).toBe(false);
  });

  test('addresses', () => {
    expect(parseIpv4('203.0.113.10')).toBe(0xcb00710a);
    expect(parseIpv4('1.2.3')).toBeUndefined();
    expect(cidrHasAddress('203.0.113.0/24', '203.0.113.10')).toBe(true);
    expect(cidrHasAddress('203.0.113.0/24', '203.0.114.10')).toBe(false);
  });
});

describe('internetWideSourcesProblem: sets of sources that admit too much of the internet', () => {
  test('passes private ranges of any width and public ranges up to a /8', () => {
    expect(internetWideSourcesProblem(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])).toBeUndefined();
    expect(internetWideSourcesProblem(['198.51.100.0/24', '52.0.0.0/8'])).toBeUndefined();
    expect(internetWideSourcesProblem(['2001:db8::/32'])).toBeUndefined();
  });

  test('fails 0.0.0.0/0 and ::/0', () => {
    expect(internetWideSourcesProblem(['0.0.0.0/0'])).toBe(
      '0.0.0.0/0 covers the whole internet (every public IPv4 address)',
    );
    expect(internetWideSourcesProblem(['::/0'])).toBe('::/0 is wider than an IPv6 /16 (::/0 is the whole internet)');
  });

  test('fails halves and other splits that together cover the whole internet', () => {
    expect(internetWideSourcesProblem(['0.0.0.0/1', '128.0.0.0/1'])).toBe(
      '0.0.0.0/1, 128.0.0.0/1 together cover the whole internet (every public IPv4 address)',
    );
    const sixteenths = Array.from({ length: 16 }, (_, i) => `${i * 16}.0.0.0/4`);
    expect(internetWideSourcesProblem(sixteenths)).toMatch(/together cover the whole internet/);
    // Every public address, but not the private ranges: still the whole internet.
    const publicOnly = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`).filter(
      (c) => !['0.0.0.0/8', '10.0.0.0/8', '127.0.0.0/8'].includes(c) && Number(c.split('.')[0]) < 224,
    );
    expect(internetWideSourcesProblem(publicOnly)).toMatch(/together cover the whole internet/);
  });

  test('fails a single public range wider than a /8, and /8s that add up to more than one', () => {
    expect(internetWideSourcesProblem(['52.0.0.0/7'])).toBe(
      '52.0.0.0/7 admits 33,554,432 public IPv4 addresses, more than a /8 (16,777,216)',
    );
    expect(internetWideSourcesProblem(['52.0.0.0/8', '54.0.0.0/8'])).toMatch(
      /^52\.0\.0\.0\/8, 54\.0\.0\.0\/8 together admit 33,554,432 public IPv4 addresses/,
    );
    expect(internetWideSourcesProblem(['2000::/3'])).toMatch(/wider than an IPv6 \/16/);
  });

  test('counts public addresses once and never the reserved ones', () => {
    expect(publicIpv4Addresses(['52.0.0.0/8', '52.1.0.0/16'])).toBe(2 ** 24);
    expect(publicIpv4Addresses(['10.0.0.0/8', '8.0.0.0/7'])).toBe(2 ** 25); // 8/8 and 9/8 public; 10/8 private
    expect(PUBLIC_IPV4_ADDRESSES).toBeLessThan(2 ** 32);
  });
});
