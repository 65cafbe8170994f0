import { DataDigitaloceanDatabaseCa } from '@cdktf/provider-digitalocean/lib/data-digitalocean-database-ca';
import { DataDigitaloceanDatabaseCluster } from '@cdktf/provider-digitalocean/lib/data-digitalocean-database-cluster';
import { DataDigitaloceanDatabaseUser } from '@cdktf/provider-digitalocean/lib/data-digitalocean-database-user';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DO_FORWARDER_USER } from './log-store';

/** Props for {@link LogStoreLookup}. */
export interface LogStoreLookupProps {
  /** Name of the OpenSearch cluster `<env>-shared` created (`doResourceNames(...).logStore`). */
  readonly clusterName: string;
  /**
   * Read only after these (e.g. the shared stack's project lookup, whose message says to deploy `<env>-shared`).
   * @default - no ordering
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Finds the environment's OpenSearch cluster by name at plan time (no access to the shared stack's state), with
 * its CA certificate (DigitalOcean databases use a per-project CA, not a public one) and the log forwarder's user:
 * what the droplets' log forwarder needs to verify and authenticate to the store.
 */
export class LogStoreLookup extends Construct {
  /** The cluster lookup. */
  public readonly cluster: DataDigitaloceanDatabaseCluster;
  /** The cluster's CA certificate (PEM). */
  public readonly ca: DataDigitaloceanDatabaseCa;
  /** The log forwarder's database user (its password is sensitive). */
  public readonly forwarderUser: DataDigitaloceanDatabaseUser;

  constructor(scope: Construct, id: string, props: LogStoreLookupProps) {
    super(scope, id);
    this.cluster = new DataDigitaloceanDatabaseCluster(this, 'cluster', {
      name: props.clusterName,
      dependsOn: props.dependsOn,
    });
    this.ca = new DataDigitaloceanDatabaseCa(this, 'ca', { clusterId: this.cluster.id });
    this.forwarderUser = new DataDigitaloceanDatabaseUser(this, 'forwarder-user', {
      clusterId: this.cluster.id,
      name: DO_FORWARDER_USER,
    });
  }
}
