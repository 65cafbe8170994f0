import { Droplet, DropletConfig } from '@cdktf/provider-digitalocean/lib/droplet';
import { ProjectResources } from '@cdktf/provider-digitalocean/lib/project-resources';
import { TerraformSelf } from 'cdktf';
import { Construct } from 'constructs';
import { propsValidator } from '../construct-errors';

/** A file written onto each droplet over SSH right after it is created. */
export interface DropletFile {
  /** Absolute path on the droplet. */
  readonly path: string;
  /** The file's content (may be a Terraform expression, e.g. a sensitive data source attribute). */
  readonly content: string;
  /** Octal mode, e.g. `0600`. */
  readonly mode: string;
}

/**
 * What the deploy delivers to each new droplet over SSH (as `root`, with the deploying machine's SSH agent), after
 * cloud-init has finished: files, then commands. A droplet whose delivery fails is not created as far as Terraform
 * is concerned (the apply fails and the droplet is tainted), so a release never ships a droplet without them.
 */
export interface DropletDelivery {
  /** Files to write. */
  readonly files: readonly DropletFile[];
  /**
   * Shell commands to run after the files are written, e.g. `systemctl restart rsyslog.service`.
   * @default []
   */
  readonly commands?: readonly string[];
  /**
   * Minutes to wait for SSH to answer.
   * @default 5
   */
  readonly connectTimeoutMinutes?: number;
}

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
  /**
   * Minutes Terraform waits for a droplet to shut down gracefully before deleting it (every release replaces the
   * droplets). The provider's default, 60 seconds, is shorter than a shutdown that lets systemd stop each unit
   * (90 seconds apiece by default) and rsyslog flush its queue, and fails with "context deadline exceeded".
   * @default 10
   */
  readonly deleteTimeoutMinutes?: number;
  /**
   * Files (and commands) delivered over SSH to each droplet when it is created.
   * @default - none
   */
  readonly delivery?: DropletDelivery;
}

/**
 * One color's droplets: `count` identical droplets from the release's snapshot, in the VPC, with monitoring
 * on, SSH keys by fingerprint and no root password, tagged so that the fleet firewall, the database firewall
 * and the load balancers find them. Replacing them never touches the other color. `resize_disk` is off, so a
 * size change resizes CPU and memory only and can be undone; a delete waits for a graceful shutdown.
 */
export class DropletFleet extends Construct {
  /** The droplets, in index order. */
  public readonly droplets: Droplet[];
  /** The droplets' attachment to the project (absent with no droplets or no project). */
  public readonly projectResources?: ProjectResources;

  constructor(scope: Construct, id: string, props: DropletFleetProps) {
    super(scope, id);
    validate(this, props);
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
          // The provider's default is true, which grows the disk with the size and makes the size irreversible.
          resizeDisk: false,
          // resource_droplet.go (2.71.0): the graceful shutdown waits for status "off" within the delete timeout.
          timeouts: { delete: `${props.deleteTimeoutMinutes ?? 10}m` },
          sshKeys: [...props.sshKeyFingerprints],
          tags: [...props.tags],
          userData: props.userData,
          ...(props.delivery ? delivery(props.delivery) : {}),
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

/** The SSH connection and provisioners that deliver files to a droplet after cloud-init has finished. */
function delivery(d: DropletDelivery): Pick<DropletConfig, 'connection' | 'provisioners'> {
  return {
    connection: {
      type: 'ssh',
      host: TerraformSelf.getString('ipv4_address'),
      user: 'root',
      timeout: `${d.connectTimeoutMinutes ?? 5}m`,
    },
    provisioners: [
      // cloud-init installs the packages and writes the unit drop-ins; wait for it, whatever its outcome.
      {
        type: 'remote-exec',
        inline: [
          'cloud-init status --wait >/dev/null || true',
          ...new Set(d.files.map((f) => `mkdir -p ${dirname(f.path)}`)),
        ],
      },
      ...d.files.map((f) => ({ type: 'file' as const, content: f.content, destination: f.path })),
      { type: 'remote-exec', inline: [...d.files.map((f) => `chmod ${f.mode} ${f.path}`), ...(d.commands ?? [])] },
    ],
  };
}

function dirname(file: string): string {
  return file.slice(0, file.lastIndexOf('/')) || '/';
}

function validate(scope: Construct, props: DropletFleetProps): void {
  const { check, fail } = propsValidator(scope);
  check(props.count, (count) =>
    !Number.isInteger(count) || count < 0 || count > 100
      ? `count must be a whole number from 0 to 100 (got ${count}). Fix: set count within 0-100`
      : undefined,
  );
  check(props.image, (image) =>
    /^\d+$/.test(image)
      ? undefined
      : `image "${image}" is not a snapshot id; distribution slugs change in place. Fix: bake a snapshot and use its numeric id`,
  );
  if (props.sshKeyFingerprints.length === 0)
    fail(
      'sshKeyFingerprints is empty; without a key DigitalOcean sets a root password and mails it. Fix: give at least one',
    );
  if (props.tags.length === 0)
    fail(
      'tags is empty; untagged droplets get no firewall and no load balancer traffic. Fix: give the fleet and color tags',
    );
  check(props.deleteTimeoutMinutes ?? 10, (minutes) =>
    !Number.isInteger(minutes) || minutes < 1
      ? `deleteTimeoutMinutes must be a whole number ≥ 1 (got ${minutes}). Fix: set deleteTimeoutMinutes to 1 or more`
      : undefined,
  );
  for (const f of props.delivery?.files ?? []) {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(f.path))
      fail(
        `delivery file "${f.path}" must be an absolute path of letters, digits, ".", "_", "-" and "/". Fix: rename the file with those characters only`,
      );
    if (!/^0[0-7]{3}$/.test(f.mode))
      fail(
        `delivery file ${f.path}: mode "${f.mode}" must be octal such as 0600. Fix: give the mode as four octal digits`,
      );
  }
}
