import { sgPublicWebPortsOnly } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const rule = (name: string, port: number, cidr: string, group = 'alb') => ({
  type: 'aws_vpc_security_group_ingress_rule',
  name,
  config: {
    security_group_id: `\${aws_security_group.${group}.id}`,
    ip_protocol: 'tcp',
    from_port: port,
    to_port: port,
    cidr_ipv4: cidr,
  },
});

describe('sg-public-web-ports-only', () => {
  test('passes 443 and 80 from anywhere and the test listener from CI ranges', () => {
    expect(verdict(sgPublicWebPortsOnly, [rule('https', 443, '0.0.0.0/0')])).toBe('compliant');
    expect(verdict(sgPublicWebPortsOnly, [rule('http', 80, '0.0.0.0/0')])).toBe('compliant');
    expect(verdict(sgPublicWebPortsOnly, [rule('t0', 8443, '198.51.100.0/24'), rule('t1', 8443, '10.0.0.0/8')])).toBe(
      'compliant',
    );
  });
  test('fails the test listener open to 0.0.0.0/0', () => {
    expect(check(sgPublicWebPortsOnly, [rule('t', 8443, '0.0.0.0/0')])).toEqual({
      compliance: 'non-compliant',
      detail: 'tcp 8443 open to 0.0.0.0/0',
    });
  });
  test('fails the test listener open to halves of the internet split over two rules', () => {
    const out = check(sgPublicWebPortsOnly, [rule('t0', 8443, '0.0.0.0/1'), rule('t1', 8443, '128.0.0.0/1')]);
    expect(out.compliance).toBe('non-compliant');
    expect(out.detail).toMatch(/together cover the whole internet/);
  });
  test('fails /8s that add up to more than a /8 of public space on one port', () => {
    expect(verdict(sgPublicWebPortsOnly, [rule('t0', 8443, '52.0.0.0/8'), rule('t1', 8443, '54.0.0.0/8')])).toBe(
      'non-compliant',
    );
  });
});
