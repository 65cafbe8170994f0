import { sgNoPublicAdminPorts } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const sg = (ingress: object[]) => ({ type: 'aws_security_group', name: 'sg', config: { ingress } });
const rule = (from: number, to: number, cidr: string) => ({
  from_port: from,
  to_port: to,
  protocol: 'tcp',
  cidr_blocks: [cidr],
});

describe('sg-no-public-admin-ports', () => {
  test('passes SSH from a private range and HTTPS from anywhere', () => {
    expect(verdict(sgNoPublicAdminPorts, [sg([rule(22, 22, '10.0.0.0/8'), rule(443, 443, '0.0.0.0/0')])])).toBe(
      'compliant',
    );
  });
  test('fails SSH from 0.0.0.0/0 on an inline rule', () => {
    expect(check(sgNoPublicAdminPorts, [sg([rule(22, 22, '0.0.0.0/0')])])).toEqual({
      compliance: 'non-compliant',
      detail: 'port 22 open to 0.0.0.0/0',
    });
  });
  test('fails RDP from ::/0 on an aws_vpc_security_group_ingress_rule', () => {
    const r = {
      type: 'aws_vpc_security_group_ingress_rule',
      name: 'rdp',
      config: { ip_protocol: 'tcp', from_port: 3389, to_port: 3389, cidr_ipv6: '::/0' },
    };
    expect(check(sgNoPublicAdminPorts, [r]).detail).toBe('port 3389 open to ::/0');
  });
  test('fails a port range covering 22 on an aws_security_group_rule', () => {
    const r = {
      type: 'aws_security_group_rule',
      name: 'range',
      config: { type: 'ingress', protocol: 'tcp', from_port: 20, to_port: 30, cidr_blocks: ['0.0.0.0/0'] },
    };
    expect(verdict(sgNoPublicAdminPorts, [r])).toBe('non-compliant');
  });
  test('ignores egress rules', () => {
    const r = {
      type: 'aws_security_group_rule',
      name: 'out',
      config: { type: 'egress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] },
    };
    expect(verdict(sgNoPublicAdminPorts, [r])).toBe('compliant');
  });
});

describe('sg-no-public-admin-ports: sources that together cover the internet', () => {
  const single = (name: string, cidr: string, port = 22) => ({
    type: 'aws_vpc_security_group_ingress_rule',
    name,
    config: {
      security_group_id: '${aws_security_group.sg.id}',
      ip_protocol: 'tcp',
      from_port: port,
      to_port: port,
      cidr_ipv4: cidr,
    },
  });
  test('fails SSH from 0.0.0.0/1 and 128.0.0.0/1 in two rules of one group', () => {
    const out = check(sgNoPublicAdminPorts, [single('a', '0.0.0.0/1'), single('b', '128.0.0.0/1')]);
    expect(out).toEqual({
      compliance: 'non-compliant',
      detail:
        'port 22 open to more of the internet than allowed: 0.0.0.0/1, 128.0.0.0/1 together cover the whole internet (every public IPv4 address)',
    });
  });
  test('fails RDP from a public /7 on an inline rule', () => {
    expect(check(sgNoPublicAdminPorts, [sg([rule(3389, 3389, '52.0.0.0/7')])]).detail).toMatch(
      /^port 3389 open to more of the internet than allowed: 52\.0\.0\.0\/7 admits/,
    );
  });
  test('passes the same halves when they reach two different groups', () => {
    const other = {
      ...single('b', '128.0.0.0/1'),
      config: { ...single('b', '128.0.0.0/1').config, security_group_id: '${aws_security_group.other.id}' },
    };
    expect(verdict(sgNoPublicAdminPorts, [single('a', '0.0.0.0/1'), other])).toBe('non-compliant'); // a /1 alone is far wider than a /8
    expect(
      verdict(sgNoPublicAdminPorts, [
        single('a', '52.0.0.0/8'),
        { ...other, config: { ...other.config, cidr_ipv4: '54.0.0.0/8' } },
      ]),
    ).toBe('compliant');
  });
});
