import { sgNoPublicAdminPorts } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const sg = (ingress: object[]) => ({ type: 'aws_security_group', name: 'sg', config: { ingress } });
const rule = (from: number, to: number, cidr: string) => ({ from_port: from, to_port: to, protocol: 'tcp', cidr_blocks: [cidr] });

describe('sg-no-public-admin-ports', () => {
  test('passes SSH from a private range and HTTPS from anywhere', () => {
    expect(verdict(sgNoPublicAdminPorts, [sg([rule(22, 22, '10.0.0.0/8'), rule(443, 443, '0.0.0.0/0')])])).toBe('compliant');
  });
  test('fails SSH from 0.0.0.0/0 on an inline rule', () => {
    expect(check(sgNoPublicAdminPorts, [sg([rule(22, 22, '0.0.0.0/0')])])).toEqual({ compliance: 'non-compliant', detail: 'port 22 open to 0.0.0.0/0' });
  });
  test('fails RDP from ::/0 on an aws_vpc_security_group_ingress_rule', () => {
    const r = { type: 'aws_vpc_security_group_ingress_rule', name: 'rdp', config: { ip_protocol: 'tcp', from_port: 3389, to_port: 3389, cidr_ipv6: '::/0' } };
    expect(check(sgNoPublicAdminPorts, [r]).detail).toBe('port 3389 open to ::/0');
  });
  test('fails a port range covering 22 on an aws_security_group_rule', () => {
    const r = { type: 'aws_security_group_rule', name: 'range', config: { type: 'ingress', protocol: 'tcp', from_port: 20, to_port: 30, cidr_blocks: ['0.0.0.0/0'] } };
    expect(verdict(sgNoPublicAdminPorts, [r])).toBe('non-compliant');
  });
  test('ignores egress rules', () => {
    const r = { type: 'aws_security_group_rule', name: 'out', config: { type: 'egress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] } };
    expect(verdict(sgNoPublicAdminPorts, [r])).toBe('compliant');
  });
});
