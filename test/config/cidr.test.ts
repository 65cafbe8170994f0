import { cidrContains, cidrHasAddress, cidrsOverlap, parseCidr, parseIpv4 } from '../../lib/config/cidr';

describe('CIDR arithmetic', () => {
  test('parses aligned blocks', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ start: 0x0a000000, prefix: 16, size: 65536 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ start: 0, prefix: 0, size: 2 ** 32 });
  });

  test('fails on host bits set, suggesting the network address', () => {
    expect(parseCidr('10.0.0.1/16')).toBe('"10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?');
  });

  test.each(['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', '10.0.0.0/8/1', 'ten/8', '010.0.0.0/8'])('fails on malformed %s', (text) => {
    expect(parseCidr(text)).toMatch(/is not an IPv4 CIDR block/);
  });

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
