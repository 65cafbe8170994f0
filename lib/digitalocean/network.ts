import { Vpc } from '@cdktf/provider-digitalocean/lib/vpc';
import { Construct } from 'constructs';
import { parseCidr } from '../config/cidr';
import { checkProp } from '../construct-errors';

/** Props for {@link Network}. */
export interface NetworkProps {
  /** VPC name, unique in the account, e.g. `shop-dev`. */
  readonly name: string;
  /** Region slug, e.g. `fra1`. */
  readonly region: string;
  /** The VPC range: RFC 1918, from /16 to /28, e.g. `10.10.0.0/20`. */
  readonly ipRange: string;
  /**
   * Free-text description shown in the control panel.
   * @default - names the environment's VPC and who manages it
   */
  readonly description?: string;
}

/**
 * The environment's private network on DigitalOcean: one VPC with the environment's range. Droplets, the
 * load balancers and the OpenSearch cluster join it and talk over private addresses only.
 */
export class Network extends Construct {
  /** The VPC. */
  public readonly vpc: Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    checkProp(this, props.ipRange, (range) => {
      const block = parseCidr(range);
      if (typeof block === 'string')
        return `ipRange ${block}. Fix: give an aligned IPv4 CIDR block such as 10.20.0.0/16`;
      return block.prefix < 16 || block.prefix > 28
        ? `ipRange ${range} is a /${block.prefix}; DigitalOcean VPCs range from /16 to /28. Fix: pick a prefix from /16 to /28`
        : undefined;
    });
    this.vpc = new Vpc(this, 'vpc', {
      name: props.name,
      region: props.region,
      ipRange: props.ipRange,
      description: props.description ?? `${props.name}: environment network (managed by cdktf-bluegreen)`,
    });
  }
}
