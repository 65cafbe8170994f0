import { Loadbalancer } from '@cdktf/provider-digitalocean/lib/loadbalancer';
import { Construct } from 'constructs';
import { parseCidr } from '../config/cidr';
import { propsValidator } from '../construct-errors';

/** Props for {@link LoadBalancer}. */
export interface LoadBalancerProps {
  /** Load balancer name, e.g. `shop-dev-live`. Stable across cutovers. */
  readonly name: string;
  /** Region slug, e.g. `fra1`. */
  readonly region: string;
  /** ID of the VPC the load balancer joins (it reaches droplets over private addresses). */
  readonly vpcId: string;
  /**
   * Tag of the droplets that get the traffic: the only attribute a cutover changes (during a zero-downtime cutover,
   * the fleet tag of both colors).
   */
  readonly dropletTag: string;
  /** Port the application listens on, on each droplet (plain HTTP inside the VPC). */
  readonly appPort: number;
  /** Path of the health check, e.g. `/health`. */
  readonly healthCheckPath: string;
  /**
   * Name of an existing DigitalOcean certificate for HTTPS (give exactly one of this and `certificateId`).
   * @default - none; `certificateId` is used
   */
  readonly certificateName?: string;
  /**
   * ID of an existing DigitalOcean certificate (give exactly one of this and `certificateName`).
   * @default - none; `certificateName` is used
   */
  readonly certificateId?: string;
  /**
   * Size in load balancer units.
   * @default 1
   */
  readonly sizeUnit?: number;
  /**
   * Source CIDRs allowed to connect; anyone else is refused by the load balancer's own firewall.
   * @default - open to everyone (a public site)
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * Seconds a client sticks to the droplet it first reached (cookie `DO-LB`); 0 turns stickiness off.
   * @default 0
   */
  readonly stickinessSeconds?: number;
  /**
   * Refuse to destroy (or replace) the load balancer: Terraform `prevent_destroy`. Its address is what DNS
   * points at, so losing it is an outage.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Project to place the load balancer in.
   * @default - the account's default project
   */
  readonly projectId?: string;
}

/**
 * A DigitalOcean load balancer in front of the droplets of one tag: HTTPS on 443 with an account
 * certificate and the STRONG cipher policy, HTTP on 80 only to redirect to HTTPS, an HTTP health check on
 * the application's path, optional cookie stickiness, optionally its own firewall restricting who may connect,
 * and `prevent_destroy` unless turned off. It never touches DNS: `disable_lets_encrypt_dns_records` is set, so a
 * Let's Encrypt certificate does not make DigitalOcean point the domain's apex at this load balancer (records
 * are explicit, see {@link HostRecord}).
 */
export class LoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: Loadbalancer;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    validate(this, props);
    const target = { targetPort: props.appPort, targetProtocol: 'http' };
    this.loadBalancer = new Loadbalancer(this, 'lb', {
      name: props.name,
      region: props.region,
      vpcUuid: props.vpcId,
      projectId: props.projectId,
      sizeUnit: props.sizeUnit ?? 1,
      dropletTag: props.dropletTag,
      redirectHttpToHttps: true,
      // Without it, a Let's Encrypt certificate makes DigitalOcean create an A record at the domain's apex pointing
      // here (provider docs, digitalocean_loadbalancer: disable_lets_encrypt_dns_records, default false).
      disableLetsEncryptDnsRecords: true,
      tlsCipherPolicy: 'STRONG',
      enableBackendKeepalive: true,
      httpIdleTimeoutSeconds: 60,
      forwardingRule: [
        {
          entryPort: 443,
          entryProtocol: 'https',
          ...target,
          certificateName: props.certificateName,
          certificateId: props.certificateId,
        },
        { entryPort: 80, entryProtocol: 'http', ...target },
      ],
      healthcheck: {
        protocol: 'http',
        port: props.appPort,
        path: props.healthCheckPath,
        checkIntervalSeconds: 10,
        responseTimeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
      firewall: props.allowedCidrs ? { allow: props.allowedCidrs.map((c) => `cidr:${c}`) } : undefined,
      stickySessions: props.stickinessSeconds
        ? { type: 'cookies', cookieName: 'DO-LB', cookieTtlSeconds: props.stickinessSeconds }
        : { type: 'none' },
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
  }
}

function validate(scope: Construct, props: LoadBalancerProps): void {
  const { check, fail } = propsValidator(scope);
  if ((props.certificateName === undefined) === (props.certificateId === undefined)) {
    fail('give exactly one of certificateName or certificateId for the HTTPS rule. Fix: set one of them, not both');
  }
  check(props.appPort, (port) =>
    !Number.isInteger(port) || port < 1 || port > 65535
      ? `appPort must be 1–65535 (got ${port}). Fix: give the port the app listens on`
      : undefined,
  );
  check(props.healthCheckPath, (path) =>
    path.startsWith('/')
      ? undefined
      : `healthCheckPath "${path}" must be an absolute path. Fix: give a path such as /health`,
  );
  check(props.stickinessSeconds ?? 0, (sticky) =>
    !Number.isInteger(sticky) || sticky < 0
      ? `stickinessSeconds must be a whole number ≥ 0 (got ${sticky}). Fix: use 0 (off) or more`
      : undefined,
  );
  if (props.allowedCidrs) {
    if (props.allowedCidrs.length === 0)
      fail('allowedCidrs is empty, which would refuse everyone. Fix: omit it for a public load balancer');
    for (const cidr of props.allowedCidrs)
      check(cidr, (c) => {
        const block = parseCidr(c);
        return typeof block === 'string'
          ? `allowedCidrs: ${block}. Fix: give an IPv4 CIDR block such as 203.0.113.0/24`
          : undefined;
      });
  }
}
