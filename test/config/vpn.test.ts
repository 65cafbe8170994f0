import { loadEnvironments } from '../../lib/config';
import {
  DEFAULT_TUNNEL_OPTIONS,
  insideCidrProblems,
  publicIpProblem,
  tunnelOptionsProblems,
} from '../../lib/config/sections/vpn';
import { configProblems as problems } from '../support/config-problems';
import { envDir, withValue } from '../support/env-dir';

/** prod.yaml with `vpn.<keyPath>` set to `value`, loaded; returns the problems. */
function prodWith(keyPath: Array<string | number>, value: unknown): string[] {
  return problems(envDir({ 'prod.yaml': withValue('prod.yaml', ['vpn', ...keyPath], value) }));
}

describe('vpn section: the shipped prod values', () => {
  const prod = loadEnvironments({ dir: envDir(), only: ['prod'] })[0];

  test('prod has a VPN with strong defaults filled in', () => {
    const vpn = prod.vpn!;
    expect(vpn.customerGateway).toEqual({ ipAddress: '203.0.113.10', bgpAsn: 65010 });
    expect(vpn.onPremCidrs).toEqual(['192.168.0.0/16']);
    expect(vpn.routing).toBe('static');
    expect(vpn.allowWeakCrypto).toBe(false);
    expect(vpn.tunnelOptions.ikeVersions).toEqual(['ikev2']);
    for (const phase of [vpn.tunnelOptions.phase1, vpn.tunnelOptions.phase2]) {
      expect(phase.encryptionAlgorithms).toEqual(['AES256-GCM-16']);
      expect(phase.integrityAlgorithms).toEqual(['SHA2-256', 'SHA2-384', 'SHA2-512']);
      expect([...phase.dhGroupNumbers].sort()).toEqual([14, 19, 20, 21]);
    }
    expect(vpn.tunnelOptions.dpdTimeoutAction).toBe('restart');
    expect(vpn.tunnelOptions.phase1.lifetimeSeconds).toBe(28800);
    expect(vpn.tunnelOptions.phase2.lifetimeSeconds).toBe(3600);
  });

  test('the default tunnel options raise no problem', () => {
    expect(tunnelOptionsProblems(DEFAULT_TUNNEL_OPTIONS, false)).toEqual([]);
  });

  test('staging and dev have no VPN', () => {
    const all = loadEnvironments({ dir: envDir() });
    expect(all.filter((c) => c.vpn).map((c) => c.name)).toEqual(['prod']);
  });
});

describe('vpn section: bad input names the file, the key path and the reason', () => {
  test('fails on on-prem ranges that overlap the VPC', () => {
    expect(prodWith(['onPremCidrs'], ['192.168.0.0/16', '10.30.128.0/17'])).toEqual([
      'environments/prod.yaml: vpn.onPremCidrs[1]: 10.30.128.0/17 overlaps the VPC range 10.30.0.0/16 (network.vpcCidr); routes would be ambiguous, pick a non-overlapping range',
    ]);
  });

  test('fails on on-prem ranges that overlap each other', () => {
    expect(prodWith(['onPremCidrs'], ['192.168.0.0/16', '192.168.4.0/24'])).toEqual([
      'environments/prod.yaml: vpn.onPremCidrs[1]: 192.168.4.0/24 overlaps 192.168.0.0/16 (vpn.onPremCidrs[0])',
    ]);
  });

  test('fails on an on-prem range as wide as the internet (it would open the admin ports to everyone)', () => {
    expect(prodWith(['onPremCidrs'], ['0.0.0.0/0'])).toEqual([
      expect.stringMatching(/^environments\/prod\.yaml: vpn\.onPremCidrs\[0\]: 0\.0\.0\.0\/0 is wider than a \/8/),
    ]);
  });

  test('fails on an invalid ASN', () => {
    expect(prodWith(['customerGateway', 'bgpAsn'], 4294967295)).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: vpn\.customerGateway\.bgpAsn: 4294967295 is not a BGP ASN \(1 to 4294967294/,
      ),
    ]);
    expect(prodWith(['customerGateway', 'bgpAsn'], 23456)).toEqual([
      expect.stringContaining('vpn.customerGateway.bgpAsn: 23456 is AS_TRANS'),
    ]);
    expect(prodWith(['customerGateway', 'bgpAsn'], 'sixty-five')).toEqual([
      'environments/prod.yaml: vpn.customerGateway.bgpAsn: expected number, got string "sixty-five"',
    ]);
  });

  test('fails on an invalid or non-public customer gateway IP', () => {
    expect(prodWith(['customerGateway', 'ipAddress'], '203.0.113.300')).toEqual([
      'environments/prod.yaml: vpn.customerGateway.ipAddress: "203.0.113.300" is not an IPv4 address',
    ]);
    expect(prodWith(['customerGateway', 'ipAddress'], '192.168.1.1')).toEqual([
      'environments/prod.yaml: vpn.customerGateway.ipAddress: 192.168.1.1 is a private (RFC 1918) address; AWS reaches the customer gateway at its static public IPv4 address',
    ]);
  });

  test('fails on weak crypto without allowWeakCrypto, naming each weak entry', () => {
    const dir = envDir({
      'prod.yaml': withValue('prod.yaml', ['vpn', 'tunnelOptions'], {
        ikeVersions: ['ikev1', 'ikev2'],
        phase1: { encryptionAlgorithms: ['AES256', 'AES128'], integrityAlgorithms: ['SHA1'] },
        phase2: { dhGroupNumbers: [2, 14] },
      }),
    });
    const optIn = 'remove it, or set vpn.allowWeakCrypto: true to accept weak crypto explicitly';
    expect(problems(dir)).toEqual([
      `environments/prod.yaml: vpn.tunnelOptions.ikeVersions[0]: "ikev1" is weak (IKEv1 is deprecated (RFC 9395)); ${optIn}`,
      `environments/prod.yaml: vpn.tunnelOptions.phase1.encryptionAlgorithms[1]: "AES128" is weak (below the 256-bit key policy (AES128-CBC)); ${optIn}`,
      `environments/prod.yaml: vpn.tunnelOptions.phase1.integrityAlgorithms[0]: "SHA1" is weak (SHA-1 is broken for collision resistance); ${optIn}`,
      `environments/prod.yaml: vpn.tunnelOptions.phase2.dhGroupNumbers[0]: group 2 is weak (MODP-1024 is breakable); ${optIn}`,
    ]);
  });

  test('weak crypto is accepted with an explicit allowWeakCrypto: true', () => {
    let text = withValue('prod.yaml', ['vpn', 'tunnelOptions'], {
      phase2: { dhGroupNumbers: [2, 14], integrityAlgorithms: ['SHA1'] },
    });
    const dir = envDir({ 'prod.yaml': text });
    expect(problems(dir)).toHaveLength(2);
    text = text.replace('vpn:', 'vpn:\n  allowWeakCrypto: true');
    const prod = loadEnvironments({ dir: envDir({ 'prod.yaml': text }), only: ['prod'] })[0];
    expect(prod.vpn!.tunnelOptions.phase2.dhGroupNumbers).toEqual([2, 14]);
  });

  test('fails on an unknown algorithm, listing the accepted ones', () => {
    expect(prodWith(['tunnelOptions'], { phase1: { encryptionAlgorithms: ['3DES'] } })).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: vpn\.tunnelOptions\.phase1\.encryptionAlgorithms\[0\]: must be one of AES128, AES256, AES128-GCM-16, AES256-GCM-16/,
      ),
    ]);
  });

  test('fails on inside ranges that are not /30s in 169.254.0.0/16, reserved, or shared', () => {
    expect(prodWith(['insideCidrs'], ['169.254.1.0/30', '10.0.0.0/30'])).toEqual([
      expect.stringMatching(/vpn\.insideCidrs\[0\]: 169\.254\.1\.0\/30 is reserved by AWS/),
      'environments/prod.yaml: vpn.insideCidrs[1]: 10.0.0.0/30 lies outside 169.254.0.0/16 (tunnel inside ranges are link-local)',
    ]);
    expect(prodWith(['insideCidrs'], ['169.254.20.0/29', '169.254.20.0/30'])).toEqual([
      'environments/prod.yaml: vpn.insideCidrs[0]: 169.254.20.0/29 must be a /30 (one address for AWS, one for the customer gateway)',
      "environments/prod.yaml: vpn.insideCidrs[1]: 169.254.20.0/30 overlaps tunnel 1's 169.254.20.0/29; each tunnel needs its own /30",
    ]);
    expect(prodWith(['insideCidrs'], ['169.254.20.0/30', '169.254.20.0/30'])).toEqual([
      "environments/prod.yaml: vpn.insideCidrs[1]: 169.254.20.0/30 overlaps tunnel 1's 169.254.20.0/30; each tunnel needs its own /30",
    ]);
  });

  test('fails on a rekey margin AWS would refuse', () => {
    expect(prodWith(['tunnelOptions', 'rekeyMarginTimeSeconds'], 2000)).toEqual([
      'environments/prod.yaml: vpn.tunnelOptions.rekeyMarginTimeSeconds: 2000 exceeds half the phase 2 lifetime (1800); AWS refuses it',
    ]);
  });

  test('fails on static routing on a transit gateway without its route table', () => {
    expect(prodWith(['transitGatewayId'], 'tgw-0123456789abcdef0')).toEqual([
      'environments/prod.yaml: vpn.transitGatewayRouteTableId: required for static routing on a transit gateway: the route table that gets the on-prem routes',
    ]);
  });

  test('fails on BGP with the same ASN on both sides', () => {
    const text = withValue('prod.yaml', ['vpn', 'routing'], 'bgp').replace('bgpAsn: 65010', 'bgpAsn: 64512');
    expect(problems(envDir({ 'prod.yaml': text }))).toEqual([
      'environments/prod.yaml: vpn.customerGateway.bgpAsn: must differ from the AWS side ASN (64512) for BGP; set another ASN or vpn.amazonSideAsn',
    ]);
  });

  test('fails on a public Amazon side ASN', () => {
    expect(prodWith(['amazonSideAsn'], 16509)).toEqual([
      'environments/prod.yaml: vpn.amazonSideAsn: 16509 is a public ASN; the Amazon side takes a private one (64512-65534 or 4200000000-4294967294)',
    ]);
  });

  test('fails on a vpn section in a DigitalOcean environment', () => {
    const dev = withValue('dev.yaml', ['vpn'], {
      customerGateway: { ipAddress: '203.0.113.10' },
      onPremCidrs: ['192.168.0.0/16'],
    });
    expect(problems(envDir({ 'dev.yaml': dev }))).toEqual([
      'environments/dev.yaml: vpn: site-to-site VPN is AWS-only; a digitalocean environment cannot have a vpn section (remove it)',
    ]);
  });

  test('fails on an unknown key, listing the allowed ones', () => {
    expect(prodWith(['psk'], 'hunter2')).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: vpn\.psk: unknown key \(allowed keys: customerGateway, onPremCidrs,/,
      ),
    ]);
  });
});

describe('vpn checks as pure functions', () => {
  test('public IP check accepts documentation and public addresses, refuses special ones', () => {
    expect(publicIpProblem('203.0.113.10')).toBeUndefined();
    expect(publicIpProblem('52.1.2.3')).toBeUndefined();
    expect(publicIpProblem('100.64.0.1')).toMatch(/carrier-grade NAT/);
    expect(publicIpProblem('127.0.0.1')).toMatch(/loopback/);
  });

  test('inside range check passes distinct /30s', () => {
    expect(insideCidrProblems(['169.254.110.0/30', '169.254.110.4/30'])).toEqual([]);
  });
});

/** Every constraint AWS documents for VpnTunnelOptionsSpecification, each refused with file + key + reason. */
describe('vpn.tunnelOptions: the constraints AWS documents (EC2 VpnTunnelOptionsSpecification)', () => {
  const at = (key: string) => `environments/prod.yaml: vpn.tunnelOptions.${key}: `;
  test.each([
    [
      'phase 1 lifetime under 900 s',
      ['phase1', 'lifetimeSeconds'],
      899,
      'phase1.lifetimeSeconds',
      'must be 900 to 28800 seconds (AWS refuses a shorter lifetime)',
    ],
    [
      'phase 1 lifetime over 28800 s',
      ['phase1', 'lifetimeSeconds'],
      28801,
      'phase1.lifetimeSeconds',
      'must be 900 to 28800 seconds (AWS refuses a longer lifetime)',
    ],
    [
      'phase 2 lifetime under 900 s',
      ['phase2', 'lifetimeSeconds'],
      600,
      'phase2.lifetimeSeconds',
      'must be 900 to 3600 seconds (AWS refuses a shorter lifetime)',
    ],
    [
      'phase 2 lifetime over 3600 s',
      ['phase2', 'lifetimeSeconds'],
      7200,
      'phase2.lifetimeSeconds',
      'must be 900 to 3600 seconds (AWS refuses a longer lifetime)',
    ],
    [
      'a rekey margin under 60 s',
      ['rekeyMarginTimeSeconds'],
      59,
      'rekeyMarginTimeSeconds',
      'must be at least 60 seconds (AWS: 60 to half of phase2.lifetimeSeconds)',
    ],
    [
      'a rekey margin over half the phase 2 lifetime',
      ['rekeyMarginTimeSeconds'],
      1801,
      'rekeyMarginTimeSeconds',
      '1801 exceeds half the phase 2 lifetime (1800); AWS refuses it',
    ],
    ['a rekey fuzz over 100 %', ['rekeyFuzzPercentage'], 101, 'rekeyFuzzPercentage', 'must be 0 to 100 percent'],
    ['a negative rekey fuzz', ['rekeyFuzzPercentage'], -1, 'rekeyFuzzPercentage', 'must be 0 to 100 percent'],
    [
      'a replay window under 64 packets',
      ['replayWindowSize'],
      32,
      'replayWindowSize',
      'must be 64 to 2048 packets (AWS)',
    ],
    [
      'a replay window over 2048 packets',
      ['replayWindowSize'],
      4096,
      'replayWindowSize',
      'must be 64 to 2048 packets (AWS)',
    ],
    [
      'a DPD timeout under 30 s',
      ['dpdTimeoutSeconds'],
      29,
      'dpdTimeoutSeconds',
      'must be at least 30 seconds (AWS refuses a shorter DPD timeout)',
    ],
    ['a fractional DPD timeout', ['dpdTimeoutSeconds'], 30.5, 'dpdTimeoutSeconds', 'must be a whole number'],
  ] as Array<[string, string[], number, string, string]>)('fails on %s', (_name, keyPath, value, key, reason) => {
    // A phase 1 lifetime under 900 s also falls below phase 2's: both problems are reported, ours first.
    expect(prodWith(['tunnelOptions', ...keyPath], value)[0]).toBe(at(key) + reason);
  });

  test('fails on a phase 2 lifetime equal to the phase 1 lifetime (AWS wants it less)', () => {
    const text = withValue('prod.yaml', ['vpn', 'tunnelOptions', 'phase1', 'lifetimeSeconds'], 3600);
    const dir = envDir({ 'prod.yaml': text });
    expect(problems(dir)).toEqual([
      at('phase2.lifetimeSeconds') + '3600 must be less than phase1.lifetimeSeconds (3600); AWS refuses it',
    ]);
  });

  test('fails on an unknown DPD timeout action or startup action, listing the accepted ones', () => {
    expect(prodWith(['tunnelOptions', 'dpdTimeoutAction'], 'reset')).toEqual([
      at('dpdTimeoutAction') + 'must be one of clear, none, restart (got "reset")',
    ]);
    expect(prodWith(['tunnelOptions', 'startupAction'], 'initiate')).toEqual([
      at('startupAction') + 'must be one of add, start (got "initiate")',
    ]);
  });

  test('fails on startup action "start" without IKEv2 (AWS initiates IKEv2 only)', () => {
    const text = withValue('prod.yaml', ['vpn', 'tunnelOptions'], { ikeVersions: ['ikev1'], startupAction: 'start' });
    expect(problems(envDir({ 'prod.yaml': text.replace(/^(vpn:\n)/m, '$1  allowWeakCrypto: true\n') }))).toEqual([
      at('startupAction') + '"start" needs IKEv2 (AWS only initiates IKEv2 tunnels); add ikev2 or use "add"',
    ]);
  });

  test('fails on a phase 1 DH group AWS does not accept in phase 1 (5), listing the accepted ones', () => {
    expect(prodWith(['tunnelOptions', 'phase1', 'dhGroupNumbers'], [5])).toContain(
      at('phase1.dhGroupNumbers[0]') +
        'group 5 is not accepted by AWS here (accepted: 2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24)',
    );
  });

  test('fails on an inside range at a reserved AWS address', () => {
    expect(prodWith(['insideCidrs'], ['169.254.169.252/30', '169.254.20.0/30'])).toEqual([
      'environments/prod.yaml: vpn.insideCidrs[0]: 169.254.169.252/30 is reserved by AWS (reserved: 169.254.0.0/30, 169.254.1.0/30, 169.254.2.0/30, 169.254.3.0/30, 169.254.4.0/30, 169.254.5.0/30, 169.254.169.252/30)',
    ]);
  });
});
