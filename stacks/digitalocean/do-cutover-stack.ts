import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { Color } from '../../lib/config';
import { testListenerTarget } from '../../lib/config/sections/cutover-safety';
import { liveColor } from '../../lib/config/sections/traffic';
import { CertificateCheck } from '../../lib/digitalocean/certificate-check';
import { HostRecord } from '../../lib/digitalocean/host-record';
import { LbIngressFirewall } from '../../lib/digitalocean/lb-ingress-firewall';
import { LoadBalancer } from '../../lib/digitalocean/load-balancer';
import { SharedLookup } from '../../lib/digitalocean/shared-lookup';
import { CUTOVER_OUTPUTS, doResourceNames } from '../contract';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider } from './do-provider';
import { digitaloceanValues } from './do-shared-stack';

/** Props for {@link DoCutoverStack}. */
export type DoCutoverStackProps = EnvironmentStackProps;

/**
 * `<env>-cutover` on DigitalOcean: the live load balancer, whose `droplet_tag` is the live color's tag, and the
 * preview load balancer on the idle color (reachable only from `digitalocean.adminCidrs` and
 * `loadBalancer.testListener.allowedCidrs`) for functional tests before a cutover (not for strategy
 * hard-cutover); plus the firewall that lets only these two reach the droplets' application port.
 * A cutover or rollback is two deploys of this stack alone: with `digitalocean.cutoverJoining` set, the live load
 * balancer serves both colors (its `droplet_tag` is the fleet tag) while the joining color's droplets pass its health
 * check; then the traffic switch moves it to the new color's tag. With `digitalocean.dns`, the host names become
 * explicit `A` records; the load balancers never create DNS records themselves.
 */
export class DoCutoverStack extends EnvironmentStack {
  /** The VPC and project of `<env>-shared`, looked up by name. */
  public readonly shared: SharedLookup;
  /** The color that takes the traffic. */
  public readonly liveColor: Color;
  /** The public load balancer, in front of the live color. */
  public readonly live: LoadBalancer;
  /** The restricted load balancer in front of the idle color (absent for strategy hard-cutover). */
  public readonly preview?: LoadBalancer;
  /** Opens the application port to the two load balancers only. */
  public readonly ingress: LbIngressFirewall;
  /** Plan-time check of the certificate (by name: exists, issued, covers the host names). */
  public readonly certificate?: CertificateCheck;
  /** The explicit DNS records (with `digitalocean.dns`). */
  public readonly records: HostRecord[] = [];

  constructor(scope: Construct, props: DoCutoverStackProps) {
    super(scope, 'cutover', props);
    addDigitalOceanProvider(this);
    const { config } = this;
    const d = digitaloceanValues(this);
    const names = doResourceNames(config.app.name, config.name, d.project.name);
    this.shared = new SharedLookup(this, 'shared', { environment: config.name, names });
    this.liveColor = liveColor(config.traffic) ?? 'blue'; // the schema allows only 0/100 on DigitalOcean
    const previewColor = testListenerTarget(config).color;
    const hostnames = [d.liveHostname, previewColor ? d.previewHostname : undefined].filter(
      (h): h is string => h !== undefined,
    );
    if (d.certificate.name) {
      this.certificate = new CertificateCheck(this, 'certificate', { certificateName: d.certificate.name, hostnames });
    }

    const common = {
      region: config.region,
      vpcId: this.shared.vpcId,
      projectId: this.shared.projectId,
      appPort: config.app.port,
      healthCheckPath: config.app.healthCheckPath,
      certificateName: d.certificate.name,
      certificateId: d.certificate.id,
      sizeUnit: d.loadBalancerSizeUnit,
      stickinessSeconds: config.traffic.stickinessSeconds,
    };
    this.live = new LoadBalancer(this, 'live', {
      ...common,
      name: names.liveLoadBalancer,
      // The join step of a cutover: both colors (the fleet tag), so the joining color passes the health check while the
      // live one still serves; the switch step (traffic moved, cutoverJoining removed) leaves only the new color.
      dropletTag: d.cutoverJoining ? names.fleetTag : names.colorTags[this.liveColor],
      // The address users' DNS points at; the preview one may come and go with the strategy.
      preventDestroy: config.loadBalancer.deletionProtection,
    });
    if (previewColor) {
      this.preview = new LoadBalancer(this, 'preview', {
        ...common,
        name: names.previewLoadBalancer,
        dropletTag: names.colorTags[previewColor],
        allowedCidrs: [...new Set([...d.adminCidrs, ...config.loadBalancer.testListener.allowedCidrs])],
        preventDestroy: false,
      });
    }
    const balancers = this.preview ? [this.live, this.preview] : [this.live];
    this.ingress = new LbIngressFirewall(this, 'lb-ingress', {
      name: names.lbIngressFirewall,
      tags: [names.fleetTag],
      loadBalancerIds: balancers.map((b) => b.loadBalancer.id),
      appPort: config.app.port,
    });

    if (d.dns) {
      const records: Array<[string, string | undefined, LoadBalancer | undefined]> = [
        ['live', d.liveHostname, this.live],
        ['preview', d.previewHostname, this.preview],
      ];
      for (const [id, hostname, lb] of records) {
        if (hostname && lb) {
          this.records.push(
            new HostRecord(this, `dns-${id}`, {
              domain: d.dns.domain,
              hostname,
              ipv4Address: lb.loadBalancer.ip,
              ttlSeconds: d.dns.ttlSeconds,
            }),
          );
        }
      }
    }

    // The cross-cloud output names (CUTOVER_OUTPUTS: `npm run smoke -- --env <env>` reads them), plus the
    // DigitalOcean-specific preview_* and *_ip ones.
    const url = (host: string | undefined, lb: LoadBalancer) => `https://${host ?? lb.loadBalancer.ip}`;
    new TerraformOutput(this, CUTOVER_OUTPUTS.liveUrl, {
      value: url(d.liveHostname, this.live),
      description: 'URL users reach the live color by',
    });
    new TerraformOutput(this, CUTOVER_OUTPUTS.liveColor, {
      value: d.cutoverJoining ? `${this.liveColor}+${d.cutoverJoining}` : this.liveColor,
      description: 'The colors the live load balancer serves (`blue+green` while a color joins during a cutover)',
    });
    new TerraformOutput(this, CUTOVER_OUTPUTS.weights, {
      value: { blue: config.traffic.blue, green: config.traffic.green },
      description: 'Percent of traffic per color',
    });
    new TerraformOutput(this, 'live_ip', {
      value: this.live.loadBalancer.ip,
      description: 'Public address of the live load balancer (point DNS here)',
    });
    if (this.preview && previewColor) {
      const previewUrl = url(d.previewHostname, this.preview);
      new TerraformOutput(this, 'preview_url', {
        value: previewUrl,
        description: 'URL of the idle color, for tests before a cutover',
      });
      new TerraformOutput(this, CUTOVER_OUTPUTS.testUrl, {
        value: previewUrl,
        description: `The idle color (${previewColor}) for smoke tests: the preview load balancer`,
      });
      new TerraformOutput(this, 'preview_color', {
        value: previewColor,
        description: 'The color the preview load balancer serves',
      });
      new TerraformOutput(this, 'preview_ip', {
        value: this.preview.loadBalancer.ip,
        description: 'Public address of the preview load balancer',
      });
    }
  }
}
