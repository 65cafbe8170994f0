import { Firewall, FirewallOutboundRule } from '@cdktf/provider-digitalocean/lib/firewall';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { parseCidr } from '../config/cidr';
import { propsValidator } from '../construct-errors';

/** Props for {@link FleetFirewall}. */
export interface FleetFirewallProps {
  /** Firewall name, e.g. `shop-dev-fleet`. */
  readonly name: string;
  /** Droplet tags the firewall applies to (the environment's fleet tag). */
  readonly tags: readonly string[];
  /** CIDRs allowed to SSH in (port 22). Never `0.0.0.0/0`. */
  readonly adminCidrs: readonly string[];
  /** The VPC range, destination of private egress. */
  readonly vpcCidr: string;
  /**
   * TCP ports the droplets may reach inside the VPC (e.g. `DO_DATABASE_PORT` for the OpenSearch cluster). Known
   * values only: the provider validates `port_range` at plan time and reads an unknown one as missing.
   * @default - none
   */
  readonly vpcEgressPorts?: readonly string[];
  /**
   * TCP ports the droplets may reach on the internet (package mirrors, the agent's downloads).
   * @default ['80', '443']
   */
  readonly internetEgressPorts?: readonly string[];
}

const ANYWHERE = ['0.0.0.0/0', '::/0'];

/**
 * The droplets' cloud firewall, applied by tag: inbound only SSH from the admin CIDRs (application ports are
 * opened by {@link LbIngressFirewall}, to the load balancers only); outbound only DNS, NTP, the given
 * internet ports, and the given ports inside the VPC. Everything else is dropped.
 */
export class FleetFirewall extends Construct {
  /** The firewall. */
  public readonly firewall: Firewall;

  constructor(scope: Construct, id: string, props: FleetFirewallProps) {
    super(scope, id);
    validate(this, props);
    const tcp = (port: string, to: string[]): FirewallOutboundRule => ({
      protocol: 'tcp',
      portRange: port,
      destinationAddresses: to,
    });
    const outbound: FirewallOutboundRule[] = [
      { protocol: 'udp', portRange: '53', destinationAddresses: ANYWHERE },
      tcp('53', ANYWHERE),
      { protocol: 'udp', portRange: '123', destinationAddresses: ANYWHERE },
      ...(props.internetEgressPorts ?? ['80', '443']).map((p) => tcp(p, ANYWHERE)),
      ...(props.vpcEgressPorts ?? []).map((p) => tcp(p, [props.vpcCidr])),
    ];
    this.firewall = new Firewall(this, 'firewall', {
      name: props.name,
      tags: [...props.tags],
      inboundRule: [{ protocol: 'tcp', portRange: '22', sourceAddresses: [...props.adminCidrs] }],
      outboundRule: outbound,
    });
  }
}

function validate(scope: Construct, props: FleetFirewallProps): void {
  const { check, fail } = propsValidator(scope);
  if (props.tags.length === 0) fail('tags is empty; the firewall would apply to no droplet. Fix: give the fleet tag');
  if (props.adminCidrs.length === 0) fail('adminCidrs is empty. Fix: list the office/VPN ranges allowed to SSH in');
  for (const port of [...(props.vpcEgressPorts ?? []), ...(props.internetEgressPorts ?? [])]) {
    if (Token.isUnresolved(port)) {
      fail(
        `a port is a Terraform expression (${port}); the provider validates port_range at plan time and reads an unknown value as missing, so a new environment could never be planned. Fix: give the number (e.g. DO_DATABASE_PORT)`,
      );
    }
    if (!/^\d{1,5}(-\d{1,5})?$/.test(port))
      fail(`port "${port}" must be a port or a range. Fix: give a port such as 443 or a range such as 8000-8100`);
  }
  for (const cidr of props.adminCidrs) {
    check(cidr, (c) => {
      if (c === '::/0')
        return `adminCidrs contains ${c}: SSH must never be open to the whole internet. Fix: list the office/VPN ranges`;
      const block = parseCidr(c);
      if (typeof block === 'string') return `adminCidrs: ${block}. Fix: give an IPv4 CIDR block such as 203.0.113.0/24`;
      return block.prefix === 0
        ? `adminCidrs contains ${c}: SSH must never be open to the whole internet. Fix: list the office/VPN ranges`
        : undefined;
    });
  }
}
