import { Firewall } from '@cdktf/provider-digitalocean/lib/firewall';
import { Construct } from 'constructs';
import { refuseProps } from '../construct-errors';

/** Props for {@link LbIngressFirewall}. */
export interface LbIngressFirewallProps {
  /** Firewall name, e.g. `shop-dev-lb-ingress`. */
  readonly name: string;
  /** Droplet tags it applies to (the environment's fleet tag: both colors). */
  readonly tags: readonly string[];
  /** IDs of the load balancers allowed to reach the application port. */
  readonly loadBalancerIds: readonly string[];
  /** The application port on the droplets. */
  readonly appPort: number;
}

/**
 * Opens the application port on the droplets to the given load balancers and nothing else: the public reaches
 * the application only through a load balancer's 443 (or 80, which redirects). Lives next to the load
 * balancers (its sources are their ids); a cutover does not change it.
 */
export class LbIngressFirewall extends Construct {
  /** The firewall. */
  public readonly firewall: Firewall;

  constructor(scope: Construct, id: string, props: LbIngressFirewallProps) {
    super(scope, id);
    if (props.loadBalancerIds.length === 0)
      refuseProps(
        this,
        'loadBalancerIds is empty; nothing could reach the application. Fix: pass the load balancer ids',
      );
    if (props.tags.length === 0)
      refuseProps(this, 'tags is empty; the firewall would apply to no droplet. Fix: pass the fleet tag');
    this.firewall = new Firewall(this, 'firewall', {
      name: props.name,
      tags: [...props.tags],
      inboundRule: [
        { protocol: 'tcp', portRange: String(props.appPort), sourceLoadBalancerUids: [...props.loadBalancerIds] },
      ],
    });
  }
}
