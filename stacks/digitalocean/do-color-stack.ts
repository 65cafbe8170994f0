import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { forwarderConfigFromValues, LOG_STORE_ENV } from '../../lib/agents/log-forwarder';
import { DESTINATION_ENV_FILE, renderUserData } from '../../lib/agents/user-data';
import { Color } from '../../lib/config';
import { renderFor } from '../../lib/construct-errors';
import { DO_DATABASE_PORT, DO_FORWARDER_USER } from '../../lib/digitalocean/log-store';
import { LogStoreLookup } from '../../lib/digitalocean/log-store-lookup';
import { SharedLookup } from '../../lib/digitalocean/shared-lookup';
import { DropletFleet } from '../../lib/digitalocean/droplet-fleet';
import { SshKeyCheck } from '../../lib/digitalocean/ssh-key-check';
import { toDoTags } from '../../lib/digitalocean/tag-names';
import { COLOR_OUTPUTS, doResourceNames } from '../contract';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider, doTags } from './do-provider';
import { digitaloceanValues } from './do-shared-stack';

/** Port of DigitalOcean managed databases, OpenSearch included (HTTPS): {@link DO_DATABASE_PORT}. */
export const DO_OPENSEARCH_PORT = DO_DATABASE_PORT;

/**
 * Where the droplets get the log store's CA certificate: the system trust store (`update-ca-certificates`), which
 * rsyslog's HTTPS (libcurl) reads. DigitalOcean databases use a per-project CA, not a public one. Through the store,
 * not rsyslog's `tls.cacert`, so rsyslog starts cleanly at boot before the certificate is delivered.
 */
export const DO_LOG_STORE_CA_FILE = '/usr/local/share/ca-certificates/do-database-ca.crt';

/** Props for {@link DoColorStack}. */
export interface DoColorStackProps extends EnvironmentStackProps {
  /** Which fleet this stack holds. */
  readonly color: Color;
}

/**
 * `<env>-blue` / `<env>-green` on DigitalOcean: the droplets of one color, from the color's release snapshot,
 * tagged `<app>-<env>` (firewalls, log store access) and `<app>-<env>-<color>` (load balancers). Deploying it
 * never changes the other color's stack or which color is live. The VPC and project of `<env>-shared` are looked up
 * by name ({@link SharedLookup}), never read from its state.
 *
 * The log forwarder: the user data (no secret) configures rsyslog with the store's port; the deploy then writes the
 * CA certificate into the system trust store and `/etc/log-forwarder/destination.env` (host, user, password, looked
 * up at plan time with {@link LogStoreLookup}) onto each new droplet over SSH and restarts rsyslog, so every
 * release's droplets deliver without a manual step (see README "DigitalOcean" for what that requires and guarantees).
 */
export class DoColorStack extends EnvironmentStack {
  /** The VPC and project of `<env>-shared`, looked up by name. */
  public readonly shared: SharedLookup;
  /** The droplets. */
  public readonly fleet: DropletFleet;
  /** Plan-time check that the SSH keys exist (a droplet with an unknown key would fail at creation). */
  public readonly sshKeys: SshKeyCheck;
  /** The OpenSearch cluster, its CA and the forwarder's user, looked up by name. */
  public readonly logStore: LogStoreLookup;

  constructor(scope: Construct, props: DoColorStackProps) {
    super(scope, props.color, props);
    addDigitalOceanProvider(this);
    const { config } = this;
    const color = props.color;
    const d = digitaloceanValues(this);
    const names = doResourceNames(config.app.name, config.name, d.project.name);
    this.shared = new SharedLookup(this, 'shared', { environment: config.name, names });
    this.sshKeys = new SshKeyCheck(this, 'ssh-keys', { fingerprints: d.sshKeyFingerprints });
    this.logStore = new LogStoreLookup(this, 'log-store', {
      clusterName: names.logStore,
      dependsOn: [this.shared.projects],
    });
    const values = config.colors[color];
    const forwarder = forwarderConfigFromValues(config, color);
    const env = [
      `${LOG_STORE_ENV.host}=${this.logStore.cluster.privateHost}`,
      `${LOG_STORE_ENV.username}=${DO_FORWARDER_USER}`,
      `${LOG_STORE_ENV.password}=${this.logStore.forwarderUser.password}`,
      '',
    ].join('\n');

    this.fleet = new DropletFleet(this, 'fleet', {
      name: names.colorTags[color],
      count: values.capacity.desired,
      image: values.release.image,
      size: config.app.dropletSize ?? '',
      region: config.region,
      vpcId: this.shared.vpcId,
      sshKeyFingerprints: d.sshKeyFingerprints,
      tags: [names.fleetTag, names.colorTags[color], ...doTags(this), ...toDoTags({ release: values.release.version })],
      projectId: this.shared.projectId,
      userData: renderFor(this, () =>
        renderUserData({
          // No secret and no Terraform expression here: rsyslog reads the host and the credentials from
          // destination.env, which the delivery below writes.
          forwarder: { ...forwarder, destination: { ...forwarder.destination, port: DO_DATABASE_PORT } },
          credentials: { type: 'env-file' },
        }),
      ),
      delivery: {
        files: [
          { path: DO_LOG_STORE_CA_FILE, content: this.logStore.ca.certificate, mode: '0644' },
          { path: DESTINATION_ENV_FILE, content: env, mode: '0600' },
        ],
        commands: ['update-ca-certificates', 'systemctl restart rsyslog.service'],
      },
    });

    new TerraformOutput(this, COLOR_OUTPUTS.releaseVersion, {
      value: values.release.version,
      description: `Release the ${color} droplets run`,
    });
    new TerraformOutput(this, COLOR_OUTPUTS.dropletIds, {
      value: this.fleet.droplets.map((x) => x.id),
      description: `IDs of the ${color} droplets`,
    });
    new TerraformOutput(this, COLOR_OUTPUTS.privateIps, {
      value: this.fleet.droplets.map((x) => x.ipv4AddressPrivate),
      description: `Private addresses of the ${color} droplets`,
    });
  }
}
