import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { ProjectResources } from '@cdktf/provider-digitalocean/lib/project-resources';
import { Token } from 'cdktf';
import { Construct } from 'constructs';

/** Props for {@link DropletFleet}. */
export interface DropletFleetProps {
  /** Name prefix; droplets are `<name>-0`, `<name>-1`, ... e.g. `shop-dev-blue`. */
  readonly name: string;
  /** Number of droplets (0–100). */
  readonly count: number;
  /** Snapshot id of the release (numeric); distribution slugs change in place, so they are refused. */
  readonly image: string;
  /** Droplet size slug, e.g. `s-1vcpu-2gb`. */
  readonly size: string;
  /** Region slug, e.g. `fra1`. */
  readonly region: string;
  /** ID of the VPC the droplets join. */
  readonly vpcId: string;
  /**
   * SSH key fingerprints the droplets trust. With at least one key DigitalOcean sets no root password and
   * mails none.
   */
  readonly sshKeyFingerprints: readonly string[];
  /** Tags: the fleet and color tags the firewalls and load balancers select by, plus the default tags. */
  readonly tags: readonly string[];
  /**
   * cloud-init user data (a literal, so it shows in the synthesized JSON and in diffs).
   * @default - none
   */
  readonly userData?: string;
  /**
   * Project to attach the droplets to.
   * @default - the account's default project
   */
  readonly projectId?: string;
}

/**
 * One color's droplets: `count` identical droplets from the release's snapshot, in the VPC, with monitoring
 * on, SSH keys by fingerprint and no root password, tagged so that the fleet firewall, the database firewall
 * and the load balancers find them. Replacing them never touches the other color.
 */
export class DropletFleet extends Construct {
  /** The droplets, in index order. */
  public readonly droplets: Droplet[];
  /** The droplets' attachment to the project (absent with no droplets or no project). */
  public readonly projectResources?: ProjectResources;

  constructor(scope: Construct, id: string, props: DropletFleetProps) {
    super(scope, id);
    validate(props);
    this.droplets = Array.from(
      { length: props.count },
      (_, i) =>
        new Droplet(this, `droplet-${i}`, {
          name: `${props.name}-${i}`,
          image: props.image,
          size: props.size,
          region: props.region,
          vpcUuid: props.vpcId,
          monitoring: true,
          ipv6: false,
          backups: false,
          gracefulShutdown: true,
          sshKeys: [...props.sshKeyFingerprints],
          tags: [...props.tags],
          userData: props.userData,
        }),
    );
    if (props.projectId && this.droplets.length > 0) {
      this.projectResources = new ProjectResources(this, 'project', {
        project: props.projectId,
        resources: this.droplets.map((d) => d.urn),
      });
    }
  }
}

function validate(props: DropletFleetProps): void {
  const fail = (msg: string) => {
    throw new Error(`DropletFleet ${props.name}: ${msg}`);
  };
  if (!Number.isInteger(props.count) || props.count < 0 || props.count > 100) fail(`count must be a whole number from 0 to 100 (got ${props.count})`);
  if (!Token.isUnresolved(props.image) && !/^\d+$/.test(props.image)) {
    fail(`image "${props.image}" is not a snapshot id; distribution slugs change in place, so bake a snapshot and use its numeric id`);
  }
  if (props.sshKeyFingerprints.length === 0) fail('sshKeyFingerprints is empty; without a key DigitalOcean sets a root password and mails it');
  if (props.tags.length === 0) fail('tags is empty; untagged droplets get no firewall and no load balancer traffic');
}
