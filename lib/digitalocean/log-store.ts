import { DatabaseCluster } from '@cdktf/provider-digitalocean/lib/database-cluster';
import { DatabaseFirewall } from '@cdktf/provider-digitalocean/lib/database-firewall';
import { DatabaseUser } from '@cdktf/provider-digitalocean/lib/database-user';
import { Construct } from 'constructs';
import { checkProp, refuseProps } from '../construct-errors';

/**
 * The port of every DigitalOcean managed database, OpenSearch included (HTTPS). A constant, known before the
 * cluster exists: the fleet firewall's egress rule takes it, because the provider's firewall validation
 * (digitalocean/firewall/resource_firewall.go, 2.71.0) reads an unknown `port_range` as empty and stops the first
 * plan with "`port_range` of outbound rules is required".
 */
export const DO_DATABASE_PORT = 25060;

/** Name of the log forwarder's database user (write-only on the log indices). */
export const DO_FORWARDER_USER = 'log-forwarder';

/** Props for {@link LogStore}. */
export interface LogStoreProps {
  /** Cluster name, e.g. `shop-dev-logs`. */
  readonly name: string;
  /** Region slug, e.g. `fra1`. */
  readonly region: string;
  /** ID of the VPC the cluster joins (private host inside it). */
  readonly vpcId: string;
  /** Droplet tags allowed to connect: the environment's fleet tag. Nothing else is admitted. */
  readonly allowedTags: readonly string[];
  /**
   * Node size slug.
   * @default 'db-s-1vcpu-2gb'
   */
  readonly size?: string;
  /**
   * Number of nodes.
   * @default 1
   */
  readonly nodeCount?: number;
  /**
   * OpenSearch major version.
   * @default '2'
   */
  readonly version?: string;
  /**
   * Project to place the cluster in.
   * @default - the account's default project
   */
  readonly projectId?: string;
  /**
   * Index pattern the log forwarder's own user may write to, e.g. `logs-*`; the user may do nothing else.
   * @default - no forwarder user (servers would need the admin credentials)
   */
  readonly forwarderIndexPattern?: string;
  /**
   * Tags (DigitalOcean form, `key:value`) on the cluster.
   * @default - none
   */
  readonly tags?: readonly string[];
  /**
   * Terraform `prevent_destroy` on the cluster: a plan that would delete (or replace) it fails.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The environment's central log store on DigitalOcean: a managed OpenSearch cluster in the VPC (TLS-only
 * endpoints, encrypted at rest by the platform) behind a database firewall that admits only droplets carrying
 * the allowed tags. `prevent_destroy` (unless `preventDestroy` is false) keeps the logs through any stack mistake.
 *
 * With `forwarderIndexPattern`, a `log-forwarder` user that may only write to the log indices is created for the
 * servers. Credentials stay in Terraform state (sensitive outputs); they are never put in droplet user data.
 */
export class LogStore extends Construct {
  /** The OpenSearch cluster. */
  public readonly cluster: DatabaseCluster;
  /** The cluster's trusted sources. */
  public readonly firewall: DatabaseFirewall;
  /** The log forwarder's user (write-only on the log indices), when `forwarderIndexPattern` is given. */
  public readonly forwarderUser?: DatabaseUser;

  constructor(scope: Construct, id: string, props: LogStoreProps) {
    super(scope, id);
    if (props.allowedTags.length === 0)
      refuseProps(
        this,
        'allowedTags is empty; a database firewall without rules admits every source. Fix: give the fleet tag',
      );
    const nodeCount = props.nodeCount ?? 1;
    checkProp(this, nodeCount, (count) =>
      !Number.isInteger(count) || count < 1
        ? `nodeCount must be a whole number ≥ 1 (got ${count}). Fix: use 1, or 3 for a highly available cluster`
        : undefined,
    );
    this.cluster = new DatabaseCluster(this, 'cluster', {
      name: props.name,
      engine: 'opensearch',
      version: props.version ?? '2',
      size: props.size ?? 'db-s-1vcpu-2gb',
      nodeCount,
      region: props.region,
      privateNetworkUuid: props.vpcId,
      projectId: props.projectId,
      tags: props.tags ? [...props.tags] : undefined,
      maintenanceWindow: [{ day: 'sunday', hour: '03:00:00' }],
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.firewall = new DatabaseFirewall(this, 'firewall', {
      clusterId: this.cluster.id,
      rule: props.allowedTags.map((tag) => ({ type: 'tag', value: tag })),
    });
    if (props.forwarderIndexPattern !== undefined) {
      checkProp(this, props.forwarderIndexPattern, (pattern) =>
        /^[a-z0-9][a-z0-9._-]*\*?$/.test(pattern)
          ? undefined
          : `forwarderIndexPattern "${pattern}" must be an index name or prefix pattern. Fix: give a pattern such as logs-*`,
      );
      this.forwarderUser = new DatabaseUser(this, 'forwarder-user', {
        clusterId: this.cluster.id,
        name: DO_FORWARDER_USER,
        settings: [{ opensearchAcl: [{ index: props.forwarderIndexPattern, permission: 'write' }] }],
      });
    }
  }
}
