import { ProjectResources } from '@cdktf/provider-digitalocean/lib/project-resources';
import { TerraformOutput } from 'cdktf';
import { renderLogStoreBootstrap } from '../../lib/agents/log-store-bootstrap';
import { Construct } from 'constructs';
import { DigitalOceanValues } from '../../lib/config/sections/digitalocean';
import { renderFor } from '../../lib/construct-errors';
import { DeploymentBucket } from '../../lib/digitalocean/deployment-bucket';
import { DO_DATABASE_PORT, LogStore } from '../../lib/digitalocean/log-store';
import { Network } from '../../lib/digitalocean/network';
import { Project } from '../../lib/digitalocean/project';
import { FleetFirewall } from '../../lib/digitalocean/fleet-firewall';
import { FleetTags } from '../../lib/digitalocean/fleet-tags';
import { SshKeyCheck } from '../../lib/digitalocean/ssh-key-check';
import { ARCHIVE_OUTPUTS, LOG_OUTPUTS, SHARED_OUTPUTS, doResourceNames } from '../contract';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider, doTags } from './do-provider';

/** The `digitalocean` values of an environment, which the schema guarantees on DigitalOcean. */
export function digitaloceanValues(stack: EnvironmentStack): DigitalOceanValues {
  const values = stack.config.digitalocean;
  if (!values)
    throw new Error(
      `${stack.node.id}: the environment has no digitalocean section (the values schema requires one on DigitalOcean)`,
    );
  return values as DigitalOceanValues;
}

/**
 * `<env>-shared` on DigitalOcean: everything both colors use and that outlives any release: the project, the
 * VPC, the droplet tags and firewall, the SSH key check, the Spaces bucket for deployment records and
 * application files, and the managed OpenSearch cluster that stores the logs.
 */
export class DoSharedStack extends EnvironmentStack {
  /** The project grouping the environment's resources. */
  public readonly project: Project;
  /** The environment's VPC. */
  public readonly network: Network;
  /** The fleet tag and one tag per color. */
  public readonly fleetTags: FleetTags;
  /** Plan-time check that the SSH keys exist. */
  public readonly sshKeys: SshKeyCheck;
  /** The droplets' firewall (SSH from admin CIDRs, restricted egress). */
  public readonly firewall: FleetFirewall;
  /** Spaces bucket for deployment records and application files. */
  public readonly deployments: DeploymentBucket;
  /** Managed OpenSearch cluster, the central log store. */
  public readonly logStore: LogStore;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, 'shared', props);
    addDigitalOceanProvider(this);
    const { config } = this;
    const d = digitaloceanValues(this);
    // The names the color and cutover stacks look the VPC, project and cluster up by (they never read this stack's state).
    const names = doResourceNames(config.app.name, config.name, d.project.name);
    this.project = new Project(this, 'project', { name: names.project, environment: d.project.environment });
    this.network = new Network(this, 'network', {
      name: names.vpc,
      region: config.region,
      ipRange: config.network.vpcCidr,
    });
    this.fleetTags = new FleetTags(this, 'tags', { app: config.app.name, env: config.name });
    this.sshKeys = new SshKeyCheck(this, 'ssh-keys', { fingerprints: d.sshKeyFingerprints });

    this.logStore = new LogStore(this, 'log-store', {
      name: names.logStore,
      region: config.region,
      vpcId: this.network.vpc.id,
      allowedTags: [this.fleetTags.fleet.name],
      size: d.opensearch.size,
      nodeCount: d.opensearch.nodeCount,
      version: d.opensearch.version,
      projectId: this.project.project.id,
      forwarderIndexPattern: `${config.logging.indexPrefix}-*`,
      tags: doTags(this),
      preventDestroy: d.preventDestroy,
    });

    this.firewall = new FleetFirewall(this, 'firewall', {
      name: names.fleetFirewall,
      tags: [this.fleetTags.fleet.name],
      adminCidrs: d.adminCidrs,
      vpcCidr: config.network.vpcCidr,
      // The constant, not the cluster's `port`: that is unknown until the cluster exists, and the provider's firewall
      // validation would read it as missing and stop the first plan of a new environment.
      vpcEgressPorts: [String(DO_DATABASE_PORT)],
    });

    this.deployments = new DeploymentBucket(this, 'deployments', {
      bucketName: d.spaces.bucket ?? '', // required by the values checks; an empty name fails DeploymentBucket's own check
      region: d.spaces.region ?? config.region,
      noncurrentVersionExpirationDays: d.spaces.noncurrentVersionExpirationDays,
      preventDestroy: d.preventDestroy,
    });
    new ProjectResources(this, 'project-resources', {
      project: this.project.project.id,
      resources: [this.deployments.bucket.urn],
    });

    new TerraformOutput(this, SHARED_OUTPUTS.vpcId, {
      value: this.network.vpc.id,
      description: 'ID of the environment VPC',
    });
    new TerraformOutput(this, SHARED_OUTPUTS.projectId, {
      value: this.project.project.id,
      description: 'ID of the DigitalOcean project',
    });
    // The names the deploy and archive commands read, as on AWS: one Spaces bucket holds both the deployment
    // records and the app files.
    const bucket = this.deployments.bucket;
    new TerraformOutput(this, ARCHIVE_OUTPUTS.recordsBucket, {
      value: bucket.name,
      description: 'Spaces bucket for deployment records',
    });
    new TerraformOutput(this, ARCHIVE_OUTPUTS.appFilesBucket, {
      value: bucket.name,
      description: 'Spaces bucket for application files (the same bucket)',
    });
    new TerraformOutput(this, ARCHIVE_OUTPUTS.region, {
      value: bucket.region,
      description: 'Spaces region of the bucket',
    });
    new TerraformOutput(this, ARCHIVE_OUTPUTS.endpoint, {
      value: `https://${bucket.endpoint}`,
      description: 'S3-compatible endpoint URL of the bucket',
    });
    new TerraformOutput(this, LOG_OUTPUTS.endpoint, {
      value: this.logStore.cluster.privateHost,
      description: 'Private host of the OpenSearch cluster (inside the VPC)',
    });
    new TerraformOutput(this, 'log_store_port', {
      value: this.logStore.cluster.port,
      description: 'Port of the OpenSearch cluster (TLS)',
    });
    new TerraformOutput(this, 'log_forwarder_username', {
      value: this.logStore.forwarderUser!.name,
      description: 'OpenSearch user of the log forwarder',
    });
    new TerraformOutput(this, 'log_forwarder_password', {
      value: this.logStore.forwarderUser!.password,
      sensitive: true,
      description: 'Password of the log forwarder user (goes into /etc/log-forwarder/destination.env, never user data)',
    });
    // What the DigitalOcean API cannot set (index retention, index template), applied once with
    // `npm run log-store-bootstrap`. Users and their rights are the API's job here (the forwarder user above), so
    // the security-plugin requests are left out.
    const bootstrap = renderFor(this, () =>
      renderLogStoreBootstrap({
        indexPrefix: config.logging.indexPrefix,
        retentionDays: config.logging.indexRetentionDays,
        replicas: d.opensearch.nodeCount > 1 ? 1 : 0,
      }),
    ).filter((r) => !r.path.startsWith('/_plugins/_security/'));
    new TerraformOutput(this, LOG_OUTPUTS.bootstrap, {
      value: JSON.stringify(bootstrap),
      description:
        'REST requests to apply once to the log store (ISM retention, index template); see README "DigitalOcean"',
    });
  }
}
