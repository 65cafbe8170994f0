import { Token } from 'cdktf';
import {
  CustomerConfigInput,
  espProposals,
  ikeProposals,
  ikeVersionNumber,
  renderSwanctlConf,
} from '../../lib/agents/strongswan';
import { DEFAULT_TUNNEL_OPTIONS, TunnelOptions } from '../../lib/config/sections/vpn';

const input: CustomerConfigInput = {
  name: 'shop-prod',
  customerGatewayIp: '203.0.113.10',
  onPremCidrs: ['192.168.0.0/16'],
  vpcCidrs: ['10.30.0.0/16'],
  tunnels: [
    {
      outsideAddress: '198.51.100.1',
      presharedKey: 'psk_one.12345678',
      cgwInsideAddress: '169.254.110.2',
      vgwInsideAddress: '169.254.110.1',
    },
    {
      outsideAddress: '198.51.100.2',
      presharedKey: 'psk_two.12345678',
      cgwInsideAddress: '169.254.110.6',
      vgwInsideAddress: '169.254.110.5',
    },
  ],
  options: DEFAULT_TUNNEL_OPTIONS,
  routing: 'static',
};

/** The body of one named swanctl section (up to its closing brace at the same indent). */
function section(text: string, name: string, indent: string): string {
  const start = text.indexOf(`\n${indent}${name} {\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = text.indexOf(`\n${indent}}\n`, start + 1);
  return text.slice(start, end);
}

describe('strongSwan proposals from AWS tunnel options', () => {
  test('the strong defaults become one AEAD proposal per phase, in the configured order', () => {
    expect(ikeProposals(DEFAULT_TUNNEL_OPTIONS)).toEqual([
      'aes256gcm16-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-modp2048',
    ]);
    expect(espProposals(DEFAULT_TUNNEL_OPTIONS)).toEqual(['aes256gcm16-ecp256-ecp384-ecp521-modp2048']);
  });

  test('AEAD and classic ciphers go into separate proposals (strongSwan refuses mixing them)', () => {
    const options: TunnelOptions = {
      ...DEFAULT_TUNNEL_OPTIONS,
      phase1: {
        ...DEFAULT_TUNNEL_OPTIONS.phase1,
        encryptionAlgorithms: ['AES256-GCM-16', 'AES256'],
        integrityAlgorithms: ['SHA2-384'],
        dhGroupNumbers: [20],
      },
      phase2: {
        ...DEFAULT_TUNNEL_OPTIONS.phase2,
        encryptionAlgorithms: ['AES256', 'AES256-GCM-16'],
        integrityAlgorithms: ['SHA2-512'],
        dhGroupNumbers: [21, 14],
      },
    };
    expect(ikeProposals(options)).toEqual(['aes256gcm16-prfsha384-ecp384', 'aes256-sha384-prfsha384-ecp384']);
    expect(espProposals(options)).toEqual(['aes256gcm16-ecp521-modp2048', 'aes256-sha512-ecp521-modp2048']);
  });

  test('weak algorithms map one-to-one too (only reachable with allowWeakCrypto)', () => {
    const weak: TunnelOptions = {
      ...DEFAULT_TUNNEL_OPTIONS,
      phase1: {
        ...DEFAULT_TUNNEL_OPTIONS.phase1,
        encryptionAlgorithms: ['AES128'],
        integrityAlgorithms: ['SHA1'],
        dhGroupNumbers: [2, 24],
      },
    };
    expect(ikeProposals(weak)).toEqual(['aes128-sha1-prfsha1-modp1024-modp2048s256']);
  });

  test('IKE versions become the swanctl version number', () => {
    expect(ikeVersionNumber(DEFAULT_TUNNEL_OPTIONS)).toBe(2);
    expect(ikeVersionNumber({ ...DEFAULT_TUNNEL_OPTIONS, ikeVersions: ['ikev1'] })).toBe(1);
    expect(ikeVersionNumber({ ...DEFAULT_TUNNEL_OPTIONS, ikeVersions: ['ikev2', 'ikev1'] })).toBe(0);
  });
});

describe('renderSwanctlConf: route-based (default)', () => {
  const text = renderSwanctlConf(input);

  test('has one connection per tunnel, each to its AWS outside address with IP identities', () => {
    const t1 = section(text, 'shop-prod-tunnel1', '  ');
    expect(t1).toContain('remote_addrs = 198.51.100.1\n');
    expect(t1).toMatch(/local \{\n\s+auth = psk\n\s+id = 203\.0\.113\.10\n/);
    expect(t1).toMatch(/remote \{\n\s+auth = psk\n\s+id = 198\.51\.100\.1\n/);
    expect(section(text, 'shop-prod-tunnel2', '  ')).toContain('remote_addrs = 198.51.100.2\n');
    expect(text).not.toContain('local_addrs');
  });

  test('uses 0.0.0.0/0 selectors bound to a distinct XFRM interface per tunnel', () => {
    const c1 = section(text, 'shop-prod-tunnel1', '      ');
    const c2 = section(text, 'shop-prod-tunnel2', '      ');
    expect(c1).toMatch(
      /local_ts = 0\.0\.0\.0\/0\n\s+remote_ts = 0\.0\.0\.0\/0\n\s+if_id_in = 101\n\s+if_id_out = 101\n/,
    );
    expect(c2).toMatch(/if_id_in = 102\n\s+if_id_out = 102\n/);
    expect(text).toContain('ip link add aws-tun1 type xfrm dev <uplink> if_id 101');
    expect(text).toContain('ip addr add 169.254.110.2/30 dev aws-tun1   # AWS side: 169.254.110.1');
    expect(text).toContain('ip route add 10.30.0.0/16 dev aws-tun1 metric 100');
  });

  test('offers exactly the tunnel options, IKEv2 only, and rekeys before AWS does', () => {
    const t1 = section(text, 'shop-prod-tunnel1', '  ');
    expect(t1).toContain('version = 2\n');
    expect(t1).toContain('proposals = aes256gcm16-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-modp2048\n');
    expect(t1).toContain('esp_proposals = aes256gcm16-ecp256-ecp384-ecp521-modp2048\n');
    // IKE: 28800 s lifetime, 270 s margin → rekey at 28530 s, hard limit 28800 s, up to 270 s earlier at random.
    expect(t1).toMatch(/rekey_time = 28530s\n\s+over_time = 270s\n\s+rand_time = 270s\n/);
    expect(t1).toMatch(/rekey_time = 3330s\n\s+life_time = 3600s\n\s+rand_time = 270s\n\s+replay_window = 1024\n/);
    expect(t1).toMatch(/dpd_delay = 10s\n/);
    expect(t1).toMatch(/dpd_action = restart\n\s+close_action = start\n\s+start_action = start\n/);
    expect(t1).toContain('mobike = no\n');
  });

  test("keeps each tunnel's pre-shared key in its own secret, matched by both identities", () => {
    expect(section(text, 'ike-shop-prod-tunnel1', '  ')).toMatch(
      /id-1 = 203\.0\.113\.10\n\s+id-2 = 198\.51\.100\.1\n\s+secret = "psk_one\.12345678"/,
    );
    expect(section(text, 'ike-shop-prod-tunnel2', '  ')).toMatch(
      /id-2 = 198\.51\.100\.2\n\s+secret = "psk_two\.12345678"/,
    );
  });

  test('is balanced: every opened section is closed', () => {
    const body = text.replace(/#.*$/gm, '');
    expect((body.match(/\{/g) ?? []).length).toBe((body.match(/\}/g) ?? []).length);
  });

  test('renders BGP hints with the peers and ASNs in BGP mode', () => {
    const bgp = renderSwanctlConf({ ...input, routing: 'bgp', customerAsn: 65010, awsAsn: 64512 });
    expect(bgp).toContain(
      '# BGP: peer 169.254.110.1 and 169.254.110.5 (remote-as 64512) from local-as 65010; announce 192.168.0.0/16.',
    );
    expect(bgp).not.toContain('ip route add');
  });

  test('takes interface ids and a local address when given', () => {
    const custom = renderSwanctlConf(input, { interfaceIds: [7, 8], localAddress: '192.0.2.5' });
    expect(custom).toContain('if_id_in = 8\n');
    expect(custom).toContain('local_addrs = 192.0.2.5\n');
  });

  test('passes unresolved tokens through (the stack output resolves them at apply time)', () => {
    const token = Token.asString({ Ref: 'x' });
    const withTokens = renderSwanctlConf({
      ...input,
      tunnels: [{ ...input.tunnels[0], outsideAddress: token, presharedKey: token }],
    });
    expect(withTokens).toContain(`remote_addrs = ${token}\n`);
  });
});

describe('renderSwanctlConf: policy-based', () => {
  const text = renderSwanctlConf(input, { mode: 'policy-based' });

  test('selects the on-prem range to the VPC range, without XFRM interfaces', () => {
    expect(section(text, 'shop-prod-tunnel1', '      ')).toMatch(
      /local_ts = 192\.168\.0\.0\/16\n\s+remote_ts = 10\.30\.0\.0\/16\n/,
    );
    expect(text).not.toContain('if_id');
    expect(text).not.toContain('xfrm');
  });

  test('fails on several on-prem ranges (AWS keeps one SA pair per tunnel)', () => {
    expect(() =>
      renderSwanctlConf({ ...input, onPremCidrs: ['192.168.0.0/16', '172.16.0.0/16'] }, { mode: 'policy-based' }),
    ).toThrow(
      /strongSwan config shop-prod: policy-based configs support exactly one on-prem and one VPC range .* got 2 and 1\. Fix: use route-based/,
    );
  });
});

describe('renderSwanctlConf: bad input', () => {
  test('fails on a pre-shared key that would break out of its quotes', () => {
    expect(() =>
      renderSwanctlConf({ ...input, tunnels: [{ ...input.tunnels[0], presharedKey: 'abc"def\n}' }] }),
    ).toThrow(/tunnel 1 pre-shared key must be 8-64 letters/);
  });

  test('fails on an address with stray characters', () => {
    expect(() => renderSwanctlConf({ ...input, customerGatewayIp: '203.0.113.10 }' })).toThrow(
      /customerGatewayIp "203\.0\.113\.10 }" contains characters/,
    );
  });

  test('fails on a name that cannot name a section', () => {
    expect(() => renderSwanctlConf({ ...input, name: 'shop prod' })).toThrow(/name must be letters, digits/);
  });

  test('fails on zero or three tunnels', () => {
    expect(() => renderSwanctlConf({ ...input, tunnels: [] })).toThrow(/needs 1 or 2 tunnels, got 0/);
    expect(() => renderSwanctlConf({ ...input, tunnels: [...input.tunnels, input.tunnels[0]] })).toThrow(/got 3/);
  });

  test('fails on equal interface ids', () => {
    expect(() => renderSwanctlConf(input, { interfaceIds: [5, 5] })).toThrow(/interfaceIds must differ/);
  });

  test('fails on a DH group strongSwan has no name for', () => {
    const odd = { ...DEFAULT_TUNNEL_OPTIONS, phase1: { ...DEFAULT_TUNNEL_OPTIONS.phase1, dhGroupNumbers: [99] } };
    expect(() => ikeProposals(odd)).toThrow(/DH group 99 has no strongSwan equivalent/);
  });
});
