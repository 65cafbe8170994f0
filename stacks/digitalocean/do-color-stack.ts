import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { forwarderConfigFromValues } from '../../lib/agents/log-forwarder';
import { renderUserData } from '../../lib/agents/user-data';
import { Color } from '../../lib/config';
import { DoSharedLookup } from '../../lib/digitalocean/do-shared-lookup';
import { DropletFleet } from '../../lib/digitalocean/droplet-fleet';
import { colorTagName, fleetTagName, toDoTags } from '../../lib/digitalocean/tag-names';
import { COLOR_OUTPUTS, doSharedNames } from '../contract';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider, doTags } from './do-provider';
import { digitaloceanValues } from './do-shared-stack';

/** Port of DigitalOcean managed databases, OpenSearch included (HTTPS). */
export const DO_OPENSEARCH_PORT = 25060;

/** Props for {@link DoColorStack}. */
export interface DoColorStackProps extends EnvironmentStackProps {
  /** Which fleet this stack holds. */
  readonly color: Color;
}

/**
 * `<env>-blue` / `<env>-green` on DigitalOcean: the droplets of one color, from the color's release snapshot,
 * tagged `<app>-<env>` (firewalls, log store access) and `<app>-<env>-<color>` (load balancers). Deploying it
 * never changes the other color's stack or which color is live. The VPC and project of `<env>-shared` are looked up
 * by name ({@link DoSharedLookup}), never read from its state.
 */
export class DoColorStack extends EnvironmentStack {
  /** The VPC and project of `<env>-shared`, looked up by name. */
  public readonly shared: DoSharedLookup;
  /** The droplets. */
  public readonly fleet: DropletFleet;

  constructor(scope: Construct, props: DoColorStackProps) {
    super(scope, props.color, props);
    addDigitalOceanProvider(this);
    const { config } = this;
    const color = props.color;
    const d = digitaloceanValues(this);
    this.shared = new DoSharedLookup(this, 'shared', { environment: config.name, names: doSharedNames(config.app.name, config.name, d.project.name) });
    const values = config.colors[color];
    const app = config.app.name;
    const forwarder = forwarderConfigFromValues(config, color);

    this.fleet = new DropletFleet(this, 'fleet', {
      name: colorTagName(app, config.name, color),
      count: values.capacity.desired,
      image: values.release.image,
      size: config.app.dropletSize ?? '',
      region: config.region,
      vpcId: this.shared.vpcId,
      sshKeyFingerprints: d.sshKeyFingerprints,
      tags: [fleetTagName(app, config.name), colorTagName(app, config.name, color), ...doTags(this), ...toDoTags({ release: values.release.version })],
      projectId: this.shared.projectId,
      userData: renderUserData({
        // The host is only known after deploy: rsyslog reads it, and the forwarder's credentials, from
        // /etc/log-forwarder/destination.env (see README "DigitalOcean"), never from user data.
        forwarder: { ...forwarder, destination: { ...forwarder.destination, port: DO_OPENSEARCH_PORT } },
        credentials: { type: 'env-file' },
      }),
    });

    new TerraformOutput(this, COLOR_OUTPUTS.releaseVersion, { value: values.release.version, description: `Release the ${color} droplets run` });
    new TerraformOutput(this, COLOR_OUTPUTS.dropletIds, { value: this.fleet.droplets.map((x) => x.id), description: `IDs of the ${color} droplets` });
    new TerraformOutput(this, COLOR_OUTPUTS.privateIps, {
      value: this.fleet.droplets.map((x) => x.ipv4AddressPrivate),
      description: `Private addresses of the ${color} droplets`,
    });
  }
}
