import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CustomerGateway } from '@cdktf/provider-aws/lib/customer-gateway';
import { Ec2TransitGatewayRoute } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { VpnConnection, VpnConnectionConfig } from '@cdktf/provider-aws/lib/vpn-connection';
import { VpnConnectionRoute } from '@cdktf/provider-aws/lib/vpn-connection-route';
import { VpnGateway } from '@cdktf/provider-aws/lib/vpn-gateway';
import { VpnGatewayRoutePropagation } from '@cdktf/provider-aws/lib/vpn-gateway-route-propagation';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { protectStateful } from './stateful';
import { IKmsKeyRef } from './references';
import { checkProp, isUnresolvedValue, propsValidator, renderFor } from '../construct-errors';
import { idKey, movedFromId } from '../construct-ids';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { CustomerConfigInput, renderSwanctlConf, StrongswanTunnel } from '../agents/strongswan';
import { parseCidr } from '../config/cidr';
import {
  amazonSideAsnProblem,
  bgpAsnProblem,
  CustomerConfigMode,
  DEFAULT_TUNNEL_OPTIONS,
  insideCidrProblems,
  onPremCidrProblems,
  publicIpProblem,
  TunnelOptions,
  tunnelOptionsProblems,
  VpnProblem,
} from '../config/sections/vpn';
import { suppress } from '../policy/suppression';

/** Props for {@link SiteToSiteVpn}. */
export interface SiteToSiteVpnProps {
  /** Name prefix for resources and the `Name` tag, e.g. `shop-prod`. */
  readonly name: string;
  /** The VPC the office reaches (its CIDR is checked against the on-prem ranges). */
  readonly vpc: Vpc;
  /** Route tables that learn the on-prem routes (usually `network.privateRouteTables`). */
  readonly routeTables: readonly RouteTable[];
  /** The customer gateway's static public IPv4 address. */
  readonly customerGatewayIp: string;
  /**
   * The customer gateway's BGP ASN (AWS requires one even for static routing).
   * @default 65000
   */
  readonly customerGatewayAsn?: number;
  /**
   * Device name shown in the AWS console.
   * @default - none
   */
  readonly customerGatewayDeviceName?: string;
  /** Office/dev ranges: routed into the VPC and the only sources {@link SiteToSiteVpn.allowFromOnPrem} admits. */
  readonly onPremCidrs: readonly string[];
  /**
   * `static`: the on-prem ranges become static routes of the connection; `bgp`: the customer gateway announces them.
   * @default 'static'
   */
  readonly routing?: 'static' | 'bgp';
  /**
   * Terminate on this existing transit gateway instead of a new virtual private gateway. The transit gateway's
   * VPC attachment is managed outside this construct; the route tables get routes to the on-prem ranges via it.
   * @default - a new virtual private gateway attached to `vpc`
   */
  readonly transitGatewayId?: string;
  /**
   * Transit gateway route table that gets the static on-prem routes (required for static routing on a transit gateway).
   * @default - none
   */
  readonly transitGatewayRouteTableId?: string;
  /**
   * ASN of the new virtual private gateway.
   * @default 64512
   */
  readonly amazonSideAsn?: number;
  /**
   * Options of both tunnels.
   * @default - {@link DEFAULT_TUNNEL_OPTIONS}: IKEv2, AES256-GCM-16, SHA2-256/384/512, DH 19/20/21/14, DPD restart
   */
  readonly tunnelOptions?: TunnelOptions;
  /**
   * Inside /30 ranges of tunnel 1 and tunnel 2 (inside 169.254.0.0/16, not AWS-reserved).
   * @default - AWS picks
   */
  readonly insideCidrs?: readonly string[];
  /**
   * Accept weak algorithms (IKEv1, AES128, SHA1, DH 2/5/22/23/24) in `tunnelOptions`. The guardrail
   * `vpn-strong-crypto` is then suppressed on the connection with that reason.
   * @default false
   */
  readonly allowWeakCrypto?: boolean;
  /** KMS key that encrypts the tunnel log group (a {@link LogEncryptionKey}, a `KmsKey`, or `{ arn }`). */
  readonly logKey: IKmsKeyRef;
  /**
   * Days to keep tunnel logs.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * Style of the rendered customer-side configuration ({@link SiteToSiteVpn.customerConfig}).
   * @default 'route-based'
   */
  readonly customerConfigMode?: CustomerConfigMode;
  /**
   * Terraform's `prevent_destroy` on the customer gateway, the VPN gateway, the connection (their replacement would
   * change the tunnel addresses and PSKs the office is configured with) and the tunnel log group (with `skip_destroy`):
   * a plan that would delete them fails. `false` is the opt-out for disposable environments (the guardrail finding is
   * then suppressed with that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A site-to-site IPsec VPN from an office/dev network into a VPC: customer gateway, virtual private gateway
 * attached to the VPC (or an existing transit gateway), the VPN connection with both tunnels pinned to strong
 * crypto, static routes or BGP, route propagation into the given route tables, and tunnel logs in an encrypted
 * CloudWatch log group.
 *
 * Pre-shared keys are generated by AWS (never in the values files or the synthesized JSON) and live only in
 * the Terraform state as sensitive attributes; {@link customerConfig} renders them into a value that must
 * only be exposed as a sensitive output.
 */
export class SiteToSiteVpn extends Construct {
  /** The customer gateway. */
  public readonly customerGateway: CustomerGateway;
  /** The virtual private gateway (absent on a transit gateway). */
  public readonly vpnGateway?: VpnGateway;
  /** The VPN connection and its two tunnels. */
  public readonly connection: VpnConnection;
  /** Static routes of the connection (VGW, static routing). */
  public readonly staticRoutes: VpnConnectionRoute[];
  /** Route propagations into the route tables (VGW). */
  public readonly propagations: VpnGatewayRoutePropagation[];
  /** Tunnel (and BGP) logs. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The on-prem ranges, as given. */
  public readonly onPremCidrs: readonly string[];
  /** The tunnel options both tunnels use. */
  public readonly tunnelOptions: TunnelOptions;
  /** Routing mode. */
  public readonly routing: 'static' | 'bgp';

  private readonly props: SiteToSiteVpnProps;

  constructor(scope: Construct, id: string, props: SiteToSiteVpnProps) {
    super(scope, id);
    this.props = props;
    this.tunnelOptions = props.tunnelOptions ?? DEFAULT_TUNNEL_OPTIONS;
    this.routing = props.routing ?? 'static';
    this.onPremCidrs = [...props.onPremCidrs];
    validate(this, props, this.tunnelOptions);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.logGroup, `/vpn/${props.name}/tunnels`);
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });
    const asn = props.customerGatewayAsn ?? 65000;

    this.customerGateway = new CustomerGateway(this, 'customer-gateway', {
      type: 'ipsec.1',
      ipAddress: props.customerGatewayIp,
      ...(asn > 2147483647 ? { bgpAsnExtended: String(asn) } : { bgpAsn: String(asn) }),
      deviceName: props.customerGatewayDeviceName,
      tags: tag('office'),
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    if (!props.transitGatewayId) {
      this.vpnGateway = new VpnGateway(this, 'vpn-gateway', {
        vpcId: props.vpc.id,
        amazonSideAsn: String(props.amazonSideAsn ?? 64512),
        tags: tag('vgw'),
        lifecycle: { preventDestroy: props.preventDestroy ?? true },
      });
    }

    this.logGroup = new CloudwatchLogGroup(this, 'tunnel-logs', {
      name: `/vpn/${props.name}/tunnels`,
      retentionInDays: props.logRetentionDays ?? 90,
      kmsKeyId: props.logKey.arn,
    });
    protectStateful([this.logGroup], props.preventDestroy);
    const logOptions = {
      cloudwatchLogOptions: {
        logEnabled: true,
        logGroupArn: this.logGroup.arn,
        logOutputFormat: 'json',
        ...(this.routing === 'bgp'
          ? { bgpLogEnabled: true, bgpLogGroupArn: this.logGroup.arn, bgpLogOutputFormat: 'json' }
          : {}),
      },
    };

    const o = this.tunnelOptions;
    const tunnel = (n: 1 | 2): Partial<VpnConnectionConfig> => {
      const inside = props.insideCidrs?.[n - 1];
      const t = `tunnel${n}` as const;
      return {
        [`${t}IkeVersions`]: [...o.ikeVersions],
        [`${t}Phase1EncryptionAlgorithms`]: [...o.phase1.encryptionAlgorithms],
        [`${t}Phase1IntegrityAlgorithms`]: [...o.phase1.integrityAlgorithms],
        [`${t}Phase1DhGroupNumbers`]: [...o.phase1.dhGroupNumbers],
        [`${t}Phase1LifetimeSeconds`]: o.phase1.lifetimeSeconds,
        [`${t}Phase2EncryptionAlgorithms`]: [...o.phase2.encryptionAlgorithms],
        [`${t}Phase2IntegrityAlgorithms`]: [...o.phase2.integrityAlgorithms],
        [`${t}Phase2DhGroupNumbers`]: [...o.phase2.dhGroupNumbers],
        [`${t}Phase2LifetimeSeconds`]: o.phase2.lifetimeSeconds,
        [`${t}DpdTimeoutSeconds`]: o.dpdTimeoutSeconds,
        [`${t}DpdTimeoutAction`]: o.dpdTimeoutAction,
        [`${t}StartupAction`]: o.startupAction,
        [`${t}RekeyMarginTimeSeconds`]: o.rekeyMarginTimeSeconds,
        [`${t}RekeyFuzzPercentage`]: o.rekeyFuzzPercentage,
        [`${t}ReplayWindowSize`]: o.replayWindowSize,
        [`${t}LogOptions`]: logOptions,
        ...(inside ? { [`${t}InsideCidr`]: inside } : {}),
      };
    };
    this.connection = new VpnConnection(this, 'connection', {
      type: 'ipsec.1',
      customerGatewayId: this.customerGateway.id,
      ...(this.vpnGateway ? { vpnGatewayId: this.vpnGateway.id } : { transitGatewayId: props.transitGatewayId }),
      staticRoutesOnly: this.routing === 'static',
      tunnelInsideIpVersion: 'ipv4',
      ...tunnel(1),
      ...tunnel(2),
      tags: tag('vpn'),
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    } as VpnConnectionConfig);
    if (props.allowWeakCrypto && tunnelOptionsProblems(this.tunnelOptions, false).length > 0) {
      suppress(
        this.connection,
        'vpn-strong-crypto',
        'weak algorithms accepted explicitly with allowWeakCrypto: true (a legacy customer gateway)',
      );
    }

    this.staticRoutes = [];
    this.propagations = [];
    if (this.vpnGateway) {
      if (this.routing === 'static') {
        this.staticRoutes = this.onPremCidrs.map((cidr, i) =>
          movedFromId(
            new VpnConnectionRoute(this, `static-route-${idKey(cidr, i)}`, {
              vpnConnectionId: this.connection.id,
              destinationCidrBlock: cidr,
            }),
            `static-route-${i}`,
          ),
        );
      }
      const vgw = this.vpnGateway;
      this.propagations = props.routeTables.map(
        (rt, i) =>
          new VpnGatewayRoutePropagation(this, `propagation-${i}`, { vpnGatewayId: vgw.id, routeTableId: rt.id }),
      );
    } else {
      if (this.routing === 'static') {
        this.onPremCidrs.forEach((cidr, i) =>
          movedFromId(
            new Ec2TransitGatewayRoute(this, `tgw-route-${idKey(cidr, i)}`, {
              destinationCidrBlock: cidr,
              transitGatewayAttachmentId: this.connection.transitGatewayAttachmentId,
              transitGatewayRouteTableId: props.transitGatewayRouteTableId!,
            }),
            `tgw-route-${i}`,
          ),
        );
      }
      props.routeTables.forEach((rt, t) =>
        this.onPremCidrs.forEach((cidr, i) =>
          movedFromId(
            new Route(this, `tgw-vpc-route-${t}-${idKey(cidr, i)}`, {
              routeTableId: rt.id,
              destinationCidrBlock: cidr,
              transitGatewayId: props.transitGatewayId,
            }),
            `tgw-vpc-route-${t}-${i}`,
          ),
        ),
      );
    }
  }

  /**
   * Admits the on-prem ranges (and only them) to `port` on `securityGroup`: one ingress rule per range.
   * Use it for admin and test ports that must never be open to the internet.
   */
  public allowFromOnPrem(
    id: string,
    securityGroup: SecurityGroup,
    port: number,
    description: string,
  ): VpcSecurityGroupIngressRule[] {
    checkProp(this, port, (p) =>
      !Number.isInteger(p) || p < 1 || p > 65535
        ? `allowFromOnPrem(${id}): port ${p} is not a port number. Fix: give a whole number from 1 to 65535`
        : undefined,
    );
    return this.onPremCidrs.map((cidr, i) =>
      movedFromId(
        new VpcSecurityGroupIngressRule(this, `${id}-${idKey(cidr, i)}`, {
          securityGroupId: securityGroup.id,
          description: `${description} from on-prem ${cidr} over the VPN`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        }),
        `${id}-${i}`,
      ),
    );
  }

  /** The two tunnels as the customer gateway sees them (token values; the PSKs are sensitive). */
  public get tunnels(): StrongswanTunnel[] {
    const c = this.connection;
    return [
      {
        outsideAddress: c.tunnel1Address,
        presharedKey: c.tunnel1PresharedKey,
        cgwInsideAddress: c.tunnel1CgwInsideAddress,
        vgwInsideAddress: c.tunnel1VgwInsideAddress,
      },
      {
        outsideAddress: c.tunnel2Address,
        presharedKey: c.tunnel2PresharedKey,
        cgwInsideAddress: c.tunnel2CgwInsideAddress,
        vgwInsideAddress: c.tunnel2VgwInsideAddress,
      },
    ];
  }

  /**
   * Everything the customer side is rendered from ({@link renderSwanctlConf}); holds the PSKs, so expose it
   * only as a sensitive output. `npm run vpn-config` reads it back from the deployed outputs.
   */
  public customerConfigInput(): CustomerConfigInput {
    return {
      name: this.props.name,
      customerGatewayIp: this.props.customerGatewayIp,
      onPremCidrs: [...this.onPremCidrs],
      vpcCidrs: [this.props.vpc.cidrBlockInput ?? this.props.vpc.cidrBlock],
      tunnels: this.tunnels,
      options: this.tunnelOptions,
      routing: this.routing,
      customerAsn: this.props.customerGatewayAsn ?? 65000,
      awsAsn: this.vpnGateway ? String(this.props.amazonSideAsn ?? 64512) : this.connection.tunnel1BgpAsn,
    };
  }

  /** The customer gateway's `swanctl.conf` (with PSKs: sensitive), in `mode` or the construct's configured mode. */
  public customerConfig(mode: CustomerConfigMode = this.props.customerConfigMode ?? 'route-based'): string {
    return renderFor(this, () => renderSwanctlConf(this.customerConfigInput(), { mode }));
  }
}

function validate(scope: Construct, props: SiteToSiteVpnProps, options: TunnelOptions): void {
  const { check, fail } = propsValidator(scope);
  const first = (what: string, problems: VpnProblem[]) => {
    if (problems.length > 0)
      fail(
        `${what}${problems[0].path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}: ${problems[0].message}`,
      );
  };
  const labelled = (prop: string, reason: string | undefined) =>
    reason === undefined ? undefined : `${prop}: ${reason}`;
  check(props.customerGatewayIp, (ip) => labelled('customerGatewayIp', publicIpProblem(ip)));
  check(props.customerGatewayAsn ?? 65000, (asn) => labelled('customerGatewayAsn', bgpAsnProblem(asn)));
  if (props.amazonSideAsn !== undefined) {
    check(props.amazonSideAsn, (asn) => labelled('amazonSideAsn', amazonSideAsnProblem(asn)));
    if (props.transitGatewayId)
      fail('amazonSideAsn applies to a new virtual private gateway only; the transit gateway has its own ASN');
  }
  if (props.onPremCidrs.length === 0) fail('onPremCidrs is empty; list the office/dev ranges');
  const cidrs = props.onPremCidrs.filter((c) => !isUnresolvedValue(c));
  for (const c of props.onPremCidrs)
    check(c, (cidr) => {
      const block = parseCidr(cidr);
      return typeof block === 'string' ? `onPremCidrs: ${block}` : undefined;
    });
  const vpcCidr = props.vpc.cidrBlockInput;
  if (cidrs.length === props.onPremCidrs.length && vpcCidr && !Token.isUnresolved(vpcCidr))
    first('onPremCidrs', onPremCidrProblems(cidrs, vpcCidr));
  first('tunnelOptions', tunnelOptionsProblems(options, props.allowWeakCrypto ?? false));
  if (props.insideCidrs) {
    if (props.insideCidrs.length !== 2)
      fail(`insideCidrs needs two /30 ranges, one per tunnel (got ${props.insideCidrs.length})`);
    first('insideCidrs', insideCidrProblems(props.insideCidrs));
  }
  if (props.transitGatewayId && (props.routing ?? 'static') === 'static' && !props.transitGatewayRouteTableId) {
    fail(
      'transitGatewayRouteTableId is required for static routing on a transit gateway (the table that gets the on-prem routes)',
    );
  }
  if (props.routeTables.length === 0)
    fail('routeTables is empty; pass the private route tables that must reach the office');
  if ((props.customerConfigMode ?? 'route-based') === 'policy-based' && props.onPremCidrs.length !== 1) {
    fail(
      `a policy-based customer config supports exactly one on-prem range (AWS keeps one SA pair per tunnel; got ${props.onPremCidrs.length}); use route-based`,
    );
  }
}
