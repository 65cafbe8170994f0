/**
 * Customer-side strongSwan configuration (`swanctl.conf`) for an AWS site-to-site VPN: pure functions of the
 * tunnel options and the connection's attributes, so the same text is rendered into the stack output, by
 * `npm run vpn-config`, and in the end-to-end test that negotiates it with a real charon.
 *
 * Proposals are derived one-to-one from the AWS tunnel options (AWS names → strongSwan keywords), so the
 * customer side offers exactly what the AWS tunnel accepts and nothing weaker.
 */
import { Token } from 'cdktf';
import { CustomerConfigMode, TunnelOptions } from '../config/sections/vpn';
import { RenderInputError } from '../construct-errors';

const ENCRYPTION: Readonly<Record<string, { keyword: string; aead: boolean }>> = {
  AES128: { keyword: 'aes128', aead: false },
  AES256: { keyword: 'aes256', aead: false },
  'AES128-GCM-16': { keyword: 'aes128gcm16', aead: true },
  'AES256-GCM-16': { keyword: 'aes256gcm16', aead: true },
};
const INTEGRITY: Readonly<Record<string, string>> = {
  SHA1: 'sha1',
  'SHA2-256': 'sha256',
  'SHA2-384': 'sha384',
  'SHA2-512': 'sha512',
};
const DH_GROUPS: Readonly<Record<number, string>> = {
  2: 'modp1024',
  5: 'modp1536',
  14: 'modp2048',
  15: 'modp3072',
  16: 'modp4096',
  17: 'modp6144',
  18: 'modp8192',
  19: 'ecp256',
  20: 'ecp384',
  21: 'ecp521',
  22: 'modp1024s160',
  23: 'modp2048s224',
  24: 'modp2048s256',
};

/** One AWS tunnel as the customer gateway sees it (values may be unresolved cdktf tokens). */
export interface StrongswanTunnel {
  /** AWS outside (public) address of the tunnel endpoint. */
  readonly outsideAddress: string;
  /** The tunnel's pre-shared key (AWS-generated; sensitive). */
  readonly presharedKey: string;
  /** Customer gateway's inside address, e.g. `169.254.110.2` (the /30's second host). */
  readonly cgwInsideAddress: string;
  /** AWS side's inside address, e.g. `169.254.110.1` (BGP peer in BGP mode). */
  readonly vgwInsideAddress: string;
}

/** Everything the customer-side configuration is rendered from. */
export interface CustomerConfigInput {
  /** Connection name prefix, e.g. `shop-prod` (connections become `shop-prod-tunnel1`, `-tunnel2`). */
  readonly name: string;
  /** The customer gateway's public address: its IKE identity. */
  readonly customerGatewayIp: string;
  /** The office/dev ranges. */
  readonly onPremCidrs: readonly string[];
  /** The VPC ranges reached through the tunnels. */
  readonly vpcCidrs: readonly string[];
  /** The connection's tunnels (AWS always has two; one is enough to render). */
  readonly tunnels: readonly StrongswanTunnel[];
  /** The tunnel options both tunnels were created with. */
  readonly options: TunnelOptions;
  /** `static` routes or `bgp` over the inside addresses. */
  readonly routing: 'static' | 'bgp';
  /** The customer gateway's BGP ASN (BGP mode comments). */
  readonly customerAsn?: number;
  /** The AWS side's BGP ASN (BGP mode comments). */
  readonly awsAsn?: string | number;
}

/** Options for {@link renderSwanctlConf}. */
export interface RenderSwanctlOptions {
  /**
   * `route-based`: 0.0.0.0/0 selectors bound to one XFRM interface per tunnel, routes decide what enters
   * (recommended: both tunnels active, BGP possible). `policy-based`: selectors are the on-prem and VPC ranges.
   * @default 'route-based'
   */
  readonly mode?: CustomerConfigMode;
  /**
   * XFRM interface ids of tunnel 1 and tunnel 2 (route-based).
   * @default [101, 102]
   */
  readonly interfaceIds?: readonly [number, number];
  /**
   * Local address IKE binds to; set it when the device has several.
   * @default - any (`%any`), chosen by the kernel's route to the AWS endpoint
   */
  readonly localAddress?: string;
}

/** The strongSwan IKE (phase 1) proposals matching the tunnel options: AEAD and classic ciphers in separate proposals. */
export function ikeProposals(options: TunnelOptions): string[] {
  const groups = options.phase1.dhGroupNumbers.map(dhKeyword);
  const integ = options.phase1.integrityAlgorithms.map(integrityKeyword);
  const { aead, classic } = splitCiphers(options.phase1.encryptionAlgorithms);
  const out: string[] = [];
  if (aead.length) out.push([...aead, ...integ.map((i) => `prf${i}`), ...groups].join('-'));
  if (classic.length) out.push([...classic, ...integ, ...integ.map((i) => `prf${i}`), ...groups].join('-'));
  return out;
}

/** The strongSwan ESP (phase 2) proposals matching the tunnel options; DH groups make PFS mandatory on rekey. */
export function espProposals(options: TunnelOptions): string[] {
  const groups = options.phase2.dhGroupNumbers.map(dhKeyword);
  const integ = options.phase2.integrityAlgorithms.map(integrityKeyword);
  const { aead, classic } = splitCiphers(options.phase2.encryptionAlgorithms);
  const out: string[] = [];
  if (aead.length) out.push([...aead, ...groups].join('-'));
  if (classic.length) out.push([...classic, ...integ, ...groups].join('-'));
  return out;
}

/** The swanctl `version` for the IKE versions: 2, 1, or 0 (either). */
export function ikeVersionNumber(options: TunnelOptions): 0 | 1 | 2 {
  const v1 = options.ikeVersions.includes('ikev1');
  const v2 = options.ikeVersions.includes('ikev2');
  return v1 && v2 ? 0 : v2 ? 2 : 1;
}

/** Renders the customer gateway's `swanctl.conf` for the connection's tunnels. Holds the PSKs: keep it secret. */
export function renderSwanctlConf(input: CustomerConfigInput, render: RenderSwanctlOptions = {}): string {
  const mode = render.mode ?? 'route-based';
  const ids = render.interfaceIds ?? [101, 102];
  validate(input, mode, ids, render.localAddress);
  const o = input.options;
  const margin = o.rekeyMarginTimeSeconds;
  const rand = Math.floor((margin * o.rekeyFuzzPercentage) / 100);
  const ike = ikeProposals(o).join(',');
  const esp = espProposals(o).join(',');
  const conn = (n: number) => `${input.name}-tunnel${n}`;

  const lines: string[] = [
    `# swanctl.conf: customer side of the AWS site-to-site VPN "${input.name}" (${mode}, ${input.routing} routing).`,
    '# Rendered by cdktf-bluegreen from the tunnel options; it holds the pre-shared keys, so keep it mode 0600.',
    `# IKE:  ${ike}`,
    `# ESP:  ${esp}`,
    `# Lifetimes: IKE ${o.phase1.lifetimeSeconds}s, ESP ${o.phase2.lifetimeSeconds}s; rekey ${margin}s before (+ up to ${rand}s random).`,
  ];
  if (mode === 'route-based') {
    lines.push(
      '#',
      '# Route-based: each tunnel is an XFRM interface; routes decide what enters it. Before loading, per tunnel:',
      ...input.tunnels.flatMap((t, i) => [
        `#   ip link add aws-tun${i + 1} type xfrm dev <uplink> if_id ${ids[i]}`,
        `#   ip addr add ${t.cgwInsideAddress}/30 dev aws-tun${i + 1}   # AWS side: ${t.vgwInsideAddress}`,
        `#   ip link set aws-tun${i + 1} up`,
      ]),
      ...(input.routing === 'static'
        ? input.vpcCidrs.map(
            (c) => `#   ip route add ${c} dev aws-tun1 metric 100   # and dev aws-tun2 metric 200 as standby`,
          )
        : [
            `# BGP: peer ${input.tunnels.map((t) => t.vgwInsideAddress).join(' and ')} (remote-as ${input.awsAsn ?? 64512})` +
              ` from local-as ${input.customerAsn ?? '<your ASN>'}; announce ${input.onPremCidrs.join(', ')}.`,
          ]),
      '# strongSwan installs no routes for XFRM-interface SAs, so the host routing table stays yours.',
    );
  }
  lines.push('', 'connections {');
  input.tunnels.forEach((t, i) => {
    const n = i + 1;
    lines.push(
      `  ${conn(n)} {`,
      `    version = ${ikeVersionNumber(o)}`,
      ...(render.localAddress ? [`    local_addrs = ${render.localAddress}`] : []),
      `    remote_addrs = ${t.outsideAddress}`,
      `    proposals = ${ike}`,
      `    rekey_time = ${o.phase1.lifetimeSeconds - margin}s`,
      `    over_time = ${margin}s`,
      `    rand_time = ${rand}s`,
      '    dpd_delay = 10s',
      '    mobike = no',
      '    local {',
      '      auth = psk',
      `      id = ${input.customerGatewayIp}`,
      '    }',
      '    remote {',
      '      auth = psk',
      `      id = ${t.outsideAddress}`,
      '    }',
      '    children {',
      `      ${conn(n)} {`,
      ...(mode === 'route-based'
        ? [
            '        local_ts = 0.0.0.0/0',
            '        remote_ts = 0.0.0.0/0',
            `        if_id_in = ${ids[i]}`,
            `        if_id_out = ${ids[i]}`,
          ]
        : [`        local_ts = ${input.onPremCidrs.join(',')}`, `        remote_ts = ${input.vpcCidrs.join(',')}`]),
      `        esp_proposals = ${esp}`,
      `        rekey_time = ${o.phase2.lifetimeSeconds - margin}s`,
      `        life_time = ${o.phase2.lifetimeSeconds}s`,
      `        rand_time = ${rand}s`,
      `        replay_window = ${o.replayWindowSize}`,
      '        dpd_action = restart',
      '        close_action = start',
      '        start_action = start',
      '      }',
      '    }',
      '  }',
    );
  });
  lines.push('}', '', 'secrets {');
  input.tunnels.forEach((t, i) => {
    lines.push(
      `  ike-${conn(i + 1)} {`,
      `    id-1 = ${input.customerGatewayIp}`,
      `    id-2 = ${t.outsideAddress}`,
      `    secret = "${t.presharedKey}"`,
      '  }',
    );
  });
  lines.push('}', '');
  return lines.join('\n');
}

function dhKeyword(group: number): string {
  const k = DH_GROUPS[group];
  if (!k)
    throw new Error(
      `strongSwan config: DH group ${group} has no strongSwan equivalent (known: ${Object.keys(DH_GROUPS).join(', ')})`,
    );
  return k;
}

function integrityKeyword(name: string): string {
  const k = INTEGRITY[name];
  if (!k)
    throw new Error(
      `strongSwan config: integrity algorithm "${name}" is unknown (known: ${Object.keys(INTEGRITY).join(', ')})`,
    );
  return k;
}

function splitCiphers(names: readonly string[]): { aead: string[]; classic: string[] } {
  const aead: string[] = [];
  const classic: string[] = [];
  for (const name of names) {
    const c = ENCRYPTION[name];
    if (!c)
      throw new Error(
        `strongSwan config: encryption algorithm "${name}" is unknown (known: ${Object.keys(ENCRYPTION).join(', ')})`,
      );
    (c.aead ? aead : classic).push(c.keyword);
  }
  return { aead, classic };
}

/** Refuses input that would produce a broken or injected config (unresolved tokens are checked by Terraform). */
function validate(
  input: CustomerConfigInput,
  mode: CustomerConfigMode,
  ids: readonly number[],
  localAddress?: string,
): void {
  const fail = (msg: string, fix: string): never => {
    throw new RenderInputError(`strongSwan config ${input.name}: ${msg}. Fix: ${fix}`);
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(input.name))
    fail(
      'name must be letters, digits, "-" and "_" (it names swanctl sections)',
      'rename the VPN with those characters only',
    );
  if (input.tunnels.length < 1 || input.tunnels.length > 2)
    fail(`needs 1 or 2 tunnels, got ${input.tunnels.length}`, 'give one or two tunnels');
  if (ids.length !== 2 || ids.some((id) => !Number.isInteger(id) || id < 1 || id > 0xffffffff))
    fail('interfaceIds must be two whole numbers from 1 to 4294967295', 'give two ids within that range');
  if (ids[0] === ids[1])
    fail('interfaceIds must differ: each tunnel needs its own XFRM interface', 'give two different ids');
  if (mode === 'policy-based' && (input.onPremCidrs.length !== 1 || input.vpcCidrs.length !== 1)) {
    fail(
      `policy-based configs support exactly one on-prem and one VPC range (AWS keeps one SA pair per tunnel); got ${input.onPremCidrs.length} and ${input.vpcCidrs.length}`,
      'use route-based, or summarize the ranges',
    );
  }
  const plain = (what: string, v: string) => {
    if (!Token.isUnresolved(v) && !/^[A-Za-z0-9.:/_%-]+$/.test(v))
      fail(
        `${what} ${JSON.stringify(v)} contains characters that do not belong in swanctl.conf`,
        `give ${what} as a plain address or range`,
      );
  };
  plain('customerGatewayIp', input.customerGatewayIp);
  if (localAddress) plain('localAddress', localAddress);
  input.onPremCidrs.forEach((c) => plain('on-prem range', c));
  input.vpcCidrs.forEach((c) => plain('VPC range', c));
  input.tunnels.forEach((t, i) => {
    plain(`tunnel ${i + 1} outside address`, t.outsideAddress);
    plain(`tunnel ${i + 1} inside address`, t.cgwInsideAddress);
    plain(`tunnel ${i + 1} inside address`, t.vgwInsideAddress);
    if (!Token.isUnresolved(t.presharedKey) && !/^[A-Za-z0-9._]{8,64}$/.test(t.presharedKey)) {
      fail(
        `tunnel ${i + 1} pre-shared key must be 8-64 letters, digits, "." and "_" (as AWS generates them)`,
        'use the key AWS generated, or 8-64 of those characters',
      );
    }
  });
}
