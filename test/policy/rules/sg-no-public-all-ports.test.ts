import { sgNoPublicAllPorts } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

describe('sg-no-public-all-ports', () => {
  test('passes a single port open to anywhere', () => {
    const r = {
      type: 'aws_vpc_security_group_ingress_rule',
      name: 'https',
      config: { ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' },
    };
    expect(verdict(sgNoPublicAllPorts, [r])).toBe('compliant');
  });
  test('passes every protocol from inside the VPC', () => {
    const r = {
      type: 'aws_vpc_security_group_ingress_rule',
      name: 'vpc',
      config: { ip_protocol: '-1', cidr_ipv4: '10.30.0.0/16' },
    };
    expect(verdict(sgNoPublicAllPorts, [r])).toBe('compliant');
  });
  test('fails protocol -1 from 0.0.0.0/0', () => {
    const r = {
      type: 'aws_vpc_security_group_ingress_rule',
      name: 'all',
      config: { ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0' },
    };
    expect(check(sgNoPublicAllPorts, [r]).compliance).toBe('non-compliant');
  });
  test('fails TCP 0-65535 from ::/0 inline', () => {
    const r = {
      type: 'aws_security_group',
      name: 'sg',
      config: { ingress: [{ protocol: 'tcp', from_port: 0, to_port: 65535, ipv6_cidr_blocks: ['::/0'] }] },
    };
    expect(check(sgNoPublicAllPorts, [r]).detail).toMatch(/::\/0/);
  });
});
