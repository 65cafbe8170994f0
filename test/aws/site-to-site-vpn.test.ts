import { SiteToSiteVpn, SiteToSiteVpnProps } from '../../lib/aws/site-to-site-vpn';
import { DEFAULT_TUNNEL_OPTIONS, TunnelOptions } from '../../lib/config/sections/vpn';
import { vpnStrongCrypto } from '../../lib/policy/rules/vpn-strong-crypto';
import { AppView, StackView } from '../../lib/policy/stack-view';
import { suppressionsOf } from '../../lib/policy/suppression';
import { byId, lbFixture, synthJson } from '../support/aws-fixture';
import { envDir } from '../support/env-dir';
import { resources, synthEnvironments } from '../support/synth';

type Json = Record<string, unknown>;
const KMS = 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000';

/** A fixture stack (network + load balancer) with a VPN; `overrides` change the VPN props. */
function vpnFixture(overrides: Partial<SiteToSiteVpnProps> = {}) {
  const fx = lbFixture();
  const vpn = new SiteToSiteVpn(fx.stack, 'vpn', {
    name: 'shop-test',
    vpc: fx.network.vpc,
    routeTables: fx.network.privateRouteTables,
    customerGatewayIp: '203.0.113.10',
    customerGatewayAsn: 65010,
    onPremCidrs: ['192.168.0.0/16', '172.16.0.0/16'],
    logKey: { arn: KMS },
    ...overrides,
  });
  return { ...fx, vpn };
}

const only = (json: ReturnType<typeof synthJson>, type: string): Json => {
  const all = Object.values(byId(json, type));
  expect(all).toHaveLength(1);
  return all[0];
};

describe('SiteToSiteVpn with defaults: static routing on a virtual private gateway', () => {
  const { stack, vpn, alb } = vpnFixture();
  vpn.allowFromOnPrem('onprem-ssh', alb.instanceSecurityGroup, 22, 'SSH');
  vpn.allowFromOnPrem('onprem-test', alb.securityGroup, alb.testListenerPort, 'Test listener');
  const json = synthJson(stack);
  const connection = only(json, 'aws_vpn_connection');

  test('creates a customer gateway for the office address and ASN, protected from destroy', () => {
    expect(only(json, 'aws_customer_gateway')).toMatchObject({
      type: 'ipsec.1',
      ip_address: '203.0.113.10',
      bgp_asn: '65010',
      lifecycle: { prevent_destroy: true },
    });
  });

  test('attaches a virtual private gateway to the VPC', () => {
    const vgw = only(json, 'aws_vpn_gateway');
    expect(vgw.vpc_id).toMatch(/^\$\{aws_vpc\.network_vpc_[0-9A-F]+\.id\}$/);
    expect(vgw).toMatchObject({ amazon_side_asn: '64512', lifecycle: { prevent_destroy: true } });
    expect(connection.vpn_gateway_id).toMatch(/aws_vpn_gateway\.vpn_vpn-gateway_/);
    expect(connection.transit_gateway_id).toBeUndefined();
  });

  test('pins both tunnels to IKEv2 and strong algorithms, with DPD restart', () => {
    for (const t of ['tunnel1', 'tunnel2']) {
      expect(connection[`${t}_ike_versions`]).toEqual(['ikev2']);
      for (const phase of ['phase1', 'phase2']) {
        expect(connection[`${t}_${phase}_encryption_algorithms`]).toEqual(['AES256-GCM-16']);
        expect(connection[`${t}_${phase}_integrity_algorithms`]).toEqual(['SHA2-256', 'SHA2-384', 'SHA2-512']);
        expect([...(connection[`${t}_${phase}_dh_group_numbers`] as number[])].sort()).toEqual([14, 19, 20, 21]);
      }
      expect(connection[`${t}_phase1_lifetime_seconds`]).toBe(28800);
      expect(connection[`${t}_phase2_lifetime_seconds`]).toBe(3600);
      expect(connection[`${t}_dpd_timeout_action`]).toBe('restart');
      expect(connection[`${t}_startup_action`]).toBe('add');
      expect(connection[`${t}_dpd_timeout_seconds`]).toBe(30);
      expect(connection[`${t}_rekey_margin_time_seconds`]).toBe(270);
      expect(connection[`${t}_rekey_fuzz_percentage`]).toBe(100);
      expect(connection[`${t}_replay_window_size`]).toBe(1024);
    }
    expect(connection).toMatchObject({
      static_routes_only: true,
      type: 'ipsec.1',
      lifecycle: { prevent_destroy: true },
    });
  });

  test('passes the vpn-strong-crypto guardrail', () => {
    const view = new StackView('test', json as unknown as Json);
    const [resource] = view.ofType('aws_vpn_connection');
    expect(vpnStrongCrypto.evaluate(resource, view, new AppView([view]))).toBe('compliant');
  });

  test('never puts a pre-shared key into the synthesized configuration (AWS generates them)', () => {
    expect(Object.keys(connection).filter((k) => k.includes('preshared'))).toEqual([]);
  });

  test('routes each on-prem range statically and propagates into every private route table', () => {
    const routes = Object.values(byId(json, 'aws_vpn_connection_route'));
    // sorted: the routes' ids are keyed by CIDR, and the JSON lists resources by id
    expect(routes.map((r) => r.destination_cidr_block).sort()).toEqual(['172.16.0.0/16', '192.168.0.0/16']);
    const props = Object.values(byId(json, 'aws_vpn_gateway_route_propagation'));
    expect(props.map((p) => p.route_table_id)).toEqual([
      expect.stringMatching(/aws_route_table\.network_private-rt-eu-west-1a_/),
      expect.stringMatching(/aws_route_table\.network_private-rt-eu-west-1b_/),
    ]);
  });

  test('logs both tunnels to a KMS-encrypted log group with retention', () => {
    const groups = Object.values(byId(json, 'aws_cloudwatch_log_group')).filter((g) =>
      String(g.name).startsWith('/vpn/'),
    );
    expect(groups).toEqual([
      expect.objectContaining({ name: '/vpn/shop-test/tunnels', retention_in_days: 90, kms_key_id: KMS }),
    ]);
    for (const t of ['tunnel1', 'tunnel2']) {
      expect(connection[`${t}_log_options`]).toEqual({
        cloudwatch_log_options: {
          log_enabled: true,
          log_group_arn: expect.stringMatching(/aws_cloudwatch_log_group\.vpn_tunnel-logs_[0-9A-F]+\.arn/),
          log_output_format: 'json',
        },
      });
    }
  });

  test('admits only the on-prem ranges to SSH and the test listener', () => {
    const rules = Object.entries(byId(json, 'aws_vpc_security_group_ingress_rule')).filter(([id]) =>
      id.startsWith('vpn_'),
    );
    expect(rules.map(([, r]) => [r.cidr_ipv4, r.from_port, r.to_port]).sort()).toEqual([
      ['172.16.0.0/16', 22, 22],
      ['172.16.0.0/16', 8443, 8443],
      ['192.168.0.0/16', 22, 22],
      ['192.168.0.0/16', 8443, 8443],
    ]);
    const ssh = rules.filter(([, r]) => r.from_port === 22).map(([, r]) => r.security_group_id);
    expect(ssh).toEqual([expect.stringMatching(/alb_instance-sg_/), expect.stringMatching(/alb_instance-sg_/)]);
    const test = rules.filter(([, r]) => r.from_port === 8443).map(([, r]) => r.security_group_id);
    expect(test).toEqual([expect.stringMatching(/alb_alb-sg_/), expect.stringMatching(/alb_alb-sg_/)]);
  });

  test('renders the customer config from the connection attributes, PSKs included as references', () => {
    const text = vpn.customerConfig();
    expect(text).toContain('remote_addrs = ${TfToken[');
    expect(text).toMatch(/proposals = aes256gcm16-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-modp2048\n/);
    const input = vpn.customerConfigInput();
    expect(input.vpcCidrs).toEqual(['10.0.0.0/16']);
    expect(input.onPremCidrs).toEqual(['192.168.0.0/16', '172.16.0.0/16']);
    expect(input.tunnels).toHaveLength(2);
  });
});

describe('SiteToSiteVpn with BGP on a transit gateway', () => {
  const { stack } = vpnFixture({
    routing: 'bgp',
    transitGatewayId: 'tgw-0123456789abcdef0',
    customerGatewayAsn: 4200000001,
    insideCidrs: ['169.254.120.0/30', '169.254.120.4/30'],
  });
  const json = synthJson(stack);
  const connection = only(json, 'aws_vpn_connection');

  test('terminates on the transit gateway with dynamic routing and no virtual private gateway', () => {
    expect(connection).toMatchObject({ transit_gateway_id: 'tgw-0123456789abcdef0', static_routes_only: false });
    expect(byId(json, 'aws_vpn_gateway')).toEqual({});
    expect(byId(json, 'aws_vpn_connection_route')).toEqual({});
  });

  test('uses the extended ASN field for 4-byte ASNs', () => {
    expect(only(json, 'aws_customer_gateway')).toMatchObject({ bgp_asn_extended: '4200000001' });
  });

  test('sets the inside ranges and logs BGP too', () => {
    expect(connection).toMatchObject({
      tunnel1_inside_cidr: '169.254.120.0/30',
      tunnel2_inside_cidr: '169.254.120.4/30',
    });
    expect((connection.tunnel1_log_options as { cloudwatch_log_options: Json }).cloudwatch_log_options).toMatchObject({
      bgp_log_enabled: true,
      bgp_log_output_format: 'json',
    });
  });

  test('routes the on-prem ranges from each private route table to the transit gateway', () => {
    const routes = Object.values(byId(json, 'aws_route')).filter((r) => r.transit_gateway_id);
    expect(routes).toHaveLength(4);
    expect(new Set(routes.map((r) => r.destination_cidr_block))).toEqual(new Set(['192.168.0.0/16', '172.16.0.0/16']));
  });
});

describe('SiteToSiteVpn static routing on a transit gateway', () => {
  test('puts the on-prem routes into the given transit gateway route table', () => {
    const { stack } = vpnFixture({
      transitGatewayId: 'tgw-0123456789abcdef0',
      transitGatewayRouteTableId: 'tgw-rtb-0123456789abcdef0',
    });
    const routes = Object.values(byId(synthJson(stack), 'aws_ec2_transit_gateway_route'));
    expect(routes.map((r) => [r.destination_cidr_block, r.transit_gateway_route_table_id]).sort()).toEqual([
      ['172.16.0.0/16', 'tgw-rtb-0123456789abcdef0'],
      ['192.168.0.0/16', 'tgw-rtb-0123456789abcdef0'],
    ]);
    expect(routes[0].transit_gateway_attachment_id).toMatch(
      /aws_vpn_connection\.vpn_connection_[0-9A-F]+\.transit_gateway_attachment_id/,
    );
  });
});

describe('SiteToSiteVpn with allowWeakCrypto', () => {
  const weak: TunnelOptions = {
    ...DEFAULT_TUNNEL_OPTIONS,
    phase2: { ...DEFAULT_TUNNEL_OPTIONS.phase2, dhGroupNumbers: [2, 14] },
  };

  test('accepts weak options and records a reasoned suppression of vpn-strong-crypto', () => {
    const { vpn, stack } = vpnFixture({ tunnelOptions: weak, allowWeakCrypto: true });
    expect(only(synthJson(stack), 'aws_vpn_connection').tunnel1_phase2_dh_group_numbers).toEqual([2, 14]);
    expect(suppressionsOf(vpn.connection)).toEqual([
      { id: 'vpn-strong-crypto', reason: expect.stringContaining('allowWeakCrypto: true') },
    ]);
  });

  test('records no suppression when nothing weak is configured', () => {
    const { vpn } = vpnFixture({ allowWeakCrypto: true });
    expect(suppressionsOf(vpn.connection)).toEqual([]);
  });
});

describe('SiteToSiteVpn validation', () => {
  test('fails on a private customer gateway address', () => {
    expect(() => vpnFixture({ customerGatewayIp: '10.1.2.3' })).toThrow(
      /^test\/vpn: customerGatewayIp: 10\.1\.2\.3 is a private \(RFC 1918\) address/,
    );
  });

  test('fails on an invalid ASN', () => {
    expect(() => vpnFixture({ customerGatewayAsn: 0 })).toThrow(/customerGatewayAsn: 0 is not a BGP ASN/);
  });

  test('fails on a public Amazon side ASN', () => {
    expect(() => vpnFixture({ amazonSideAsn: 16509 })).toThrow(/amazonSideAsn: 16509 is a public ASN/);
  });

  test('fails on an on-prem range that overlaps the VPC', () => {
    expect(() => vpnFixture({ onPremCidrs: ['10.0.128.0/17'] })).toThrow(
      /onPremCidrs\[0\]: 10\.0\.128\.0\/17 overlaps the VPC range 10\.0\.0\.0\/16/,
    );
  });

  test('fails on weak crypto without allowWeakCrypto', () => {
    const weak: TunnelOptions = { ...DEFAULT_TUNNEL_OPTIONS, ikeVersions: ['ikev1', 'ikev2'] };
    expect(() => vpnFixture({ tunnelOptions: weak })).toThrow(
      /tunnelOptions\.ikeVersions\[0\]: "ikev1" is weak .*allowWeakCrypto: true/,
    );
  });

  test('fails on a reserved inside range', () => {
    expect(() => vpnFixture({ insideCidrs: ['169.254.169.252/30', '169.254.10.0/30'] })).toThrow(
      /insideCidrs\[0\]: 169\.254\.169\.252\/30 is reserved by AWS/,
    );
  });

  test('fails on static routing on a transit gateway without its route table', () => {
    expect(() => vpnFixture({ transitGatewayId: 'tgw-0123456789abcdef0' })).toThrow(
      /transitGatewayRouteTableId is required/,
    );
  });

  test('fails on a policy-based customer config with several on-prem ranges', () => {
    expect(() => vpnFixture({ customerConfigMode: 'policy-based' })).toThrow(
      /policy-based customer config supports exactly one on-prem range/,
    );
  });

  test('fails on no route tables', () => {
    expect(() => vpnFixture({ routeTables: [] })).toThrow(/routeTables is empty/);
  });

  test('fails on a port that is not one', () => {
    const { vpn, alb } = vpnFixture();
    expect(() => vpn.allowFromOnPrem('bad', alb.securityGroup, 70000, 'x')).toThrow(/70000 is not a port number/);
  });
});

describe('prod-shared holds the office VPN', () => {
  const shared = synthEnvironments(envDir(), ['prod']).get('prod-shared')!;

  test('with IKEv2-only strong tunnels, the static office route and propagation into the three private route tables', () => {
    const [connection] = resources(shared, 'aws_vpn_connection');
    expect(connection).toMatchObject({
      tunnel1_ike_versions: ['ikev2'],
      tunnel2_ike_versions: ['ikev2'],
      tunnel1_inside_cidr: '169.254.110.0/30',
    });
    expect(resources(shared, 'aws_vpn_connection_route').map((r) => r.destination_cidr_block)).toEqual([
      '192.168.0.0/16',
    ]);
    expect(resources(shared, 'aws_vpn_gateway_route_propagation')).toHaveLength(3);
    expect(resources(shared, 'aws_customer_gateway')[0]).toMatchObject({
      ip_address: '203.0.113.10',
      bgp_asn: '65010',
    });
  });

  test('with the customer config and its inputs as sensitive outputs only', () => {
    const out = shared.output!;
    expect(out.vpn_customer_config).toMatchObject({ sensitive: true });
    expect(out.vpn_customer_config_input).toMatchObject({ sensitive: true });
    expect(String(out.vpn_customer_config.value)).toContain('secret = "${aws_vpn_connection.vpn_connection_');
    for (const [name, o] of Object.entries(out)) {
      if (JSON.stringify(o.value).includes('preshared_key')) expect([name, o.sensitive]).toEqual([name, true]);
    }
    expect(out.vpn_tunnel_addresses.sensitive).toBeUndefined();
  });

  test('opens SSH and the test listener to the office range only', () => {
    const rules = resources(shared, 'aws_vpc_security_group_ingress_rule').filter((r) =>
      String(r.description).includes('over the VPN'),
    );
    expect(rules.map((r) => [r.cidr_ipv4, r.from_port]).sort()).toEqual([
      ['192.168.0.0/16', 22],
      ['192.168.0.0/16', 8443],
    ]);
  });
});

describe('SiteToSiteVpn preventDestroy', () => {
  const lifecycles = (overrides: Partial<SiteToSiteVpnProps>) => {
    const json = synthJson(vpnFixture(overrides).stack);
    return ['aws_customer_gateway', 'aws_vpn_gateway', 'aws_vpn_connection', 'aws_cloudwatch_log_group'].map((type) => {
      const vpnOnes = Object.entries(byId(json, type)).filter(([id]) => id.startsWith('vpn_'));
      expect(vpnOnes).toHaveLength(1);
      return [type, (vpnOnes[0][1].lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy];
    });
  };

  test('protects the gateways, the connection and the tunnel log group by default', () => {
    expect(lifecycles({}).every(([, p]) => p === true)).toBe(true);
  });

  test('preventDestroy: false turns it off on all four (a disposable environment)', () => {
    expect(lifecycles({ preventDestroy: false })).toEqual([
      ['aws_customer_gateway', false],
      ['aws_vpn_gateway', false],
      ['aws_vpn_connection', false],
      ['aws_cloudwatch_log_group', false],
    ]);
  });
});
