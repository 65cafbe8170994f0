import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AlarmTopic } from '../../lib/aws/alarm-topic';
import { AppLoadBalancer } from '../../lib/aws/app-load-balancer';
import { ArchiveBucket } from '../../lib/aws/archive-bucket';
import { LogBucket } from '../../lib/aws/log-bucket';
import { LogEncryptionKey } from '../../lib/aws/log-encryption-key';
import { LogMetrics } from '../../lib/aws/log-metrics';
import { LogStore } from '../../lib/aws/log-store';
import { Network } from '../../lib/aws/network';
import { SiteToSiteVpn } from '../../lib/aws/site-to-site-vpn';
import { TlsCertificate } from '../../lib/aws/tls-certificate';
import { ReleaseRegistry } from '../../lib/aws/release-registry';
import { SharedParameters } from '../../lib/aws/shared-parameters';
import { ARCHIVE_OUTPUTS, LOG_OUTPUTS, SHARED_OUTPUTS, VPN_OUTPUTS } from '../contract';
import { ecrRepositoryName } from '../../lib/aws/aws-names';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addAwsProvider } from './aws-provider';
import { hasLogStore } from '../../lib/config/sections/logging';

/**
 * `<env>-shared` on AWS: everything both colors use and that outlives any release: the network, the load
 * balancer and target groups, the VPN, the log store, the archives and the release registry.
 */
export class AwsSharedStack extends EnvironmentStack {
  /** KMS key for every CloudWatch log group of the environment. */
  public readonly logKey: LogEncryptionKey;
  /** VPC, subnets, NAT and flow logs. */
  public readonly network: Network;
  /** Receives load balancer and S3 server access logs. */
  public readonly accessLogs: LogBucket;
  /** The load balancer, the `blue`/`green` target groups and the load balancer and instance security groups. */
  public readonly loadBalancer: AppLoadBalancer;
  /** Certificate of the HTTPS and test listeners (the cutover stack's listeners use it). */
  public readonly certificate: TlsCertificate;
  /** Hostname of the live and test URLs: the certificate's domain, or the load balancer's DNS name. */
  public readonly hostname: string;
  /** Deployment records written by `npm run deploy` (object-locked). */
  public readonly deploymentRecords: ArchiveBucket;
  /** Application files (uploads, batch files) that outlive the servers (object-locked). */
  public readonly appFiles: ArchiveBucket;
  /** Managed IAM policy: the fleets' least-privilege read/write access to `appFiles`. */
  public readonly appFilesAccess: IamPolicy;
  /** The app's ECR repository (immutable tags). */
  public readonly registry: ReleaseRegistry;
  /** Managed IAM policy: pull images from `registry`. */
  public readonly registryPull: IamPolicy;

  /** Site-to-site VPN from the office/dev network, when the environment has a `vpn` section. */
  public readonly vpn?: SiteToSiteVpn;
  /**
   * The central log store (OpenSearch in the private subnets); the fleets' forwarders ship to it. Absent with
   * `logging.store.type: none`.
   */
  public readonly logStore?: LogStore;
  /** Metric filters and alarms on the environment's logs, and per-color target alarms. */
  public readonly logMetrics: LogMetrics;
  /** The encrypted SNS topic every alarm notifies (subscriptions: `logging.alarmSubscriptions`). */
  public readonly alarmTopic: AlarmTopic;
  /** What the color and cutover stacks read: SSM parameters under `/<app>/<env>/shared/`. */
  public readonly published: SharedParameters;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, 'shared', props);
    addAwsProvider(this);
    const { config } = this;
    const prefix = `${config.app.name}-${config.name}`;

    this.logKey = new LogEncryptionKey(this, 'log-key', { name: prefix, region: config.region });
    this.network = new Network(this, 'network', {
      name: prefix,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.network.availabilityZones ?? [],
      publicSubnets: config.network.publicSubnets ?? [],
      privateSubnets: config.network.privateSubnets ?? [],
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      logKey: this.logKey,
    });

    this.accessLogs = new LogBucket(this, 'access-logs', {
      bucketName: `${prefix}-access-logs`,
      region: config.region,
      sourceBucketPattern: `${prefix}-*`,
    });
    this.loadBalancer = new AppLoadBalancer(this, 'alb', {
      name: prefix,
      vpc: this.network.vpc,
      publicSubnets: this.network.publicSubnets,
      appPort: config.app.port,
      healthCheckPath: config.app.healthCheckPath,
      accessLogs: this.accessLogs,
      deletionProtection: config.loadBalancer.deletionProtection,
      desyncMitigationMode: config.loadBalancer.desyncMitigationMode,
      deregistrationDelaySeconds: config.loadBalancer.deregistrationDelaySeconds,
      slowStartSeconds: config.loadBalancer.slowStartSeconds,
      testListenerPort: config.loadBalancer.testListener.port,
      testListenerCidrs: config.loadBalancer.testListener.allowedCidrs,
    });
    const cert = config.loadBalancer.certificate;
    if (cert && 'domain' in cert) {
      this.certificate = new TlsCertificate(this, 'certificate', { domainName: cert.domain, zoneId: cert.zoneId });
      this.loadBalancer.addAliasRecord('dns-alias', cert.zoneId, cert.domain);
      this.hostname = cert.domain;
    } else {
      // The schema requires a certificate on AWS; a config built in code without one fails here, clearly.
      if (!cert)
        throw new Error(`${this.node.id}: loadBalancer.certificate is required on AWS ({ arn } or { domain, zoneId })`);
      this.certificate = new TlsCertificate(this, 'certificate', { certificateArn: cert.arn });
      this.hostname = cert.hostname ?? this.loadBalancer.loadBalancer.dnsName;
    }
    new TerraformOutput(this, SHARED_OUTPUTS.loadBalancerDnsName, {
      value: this.loadBalancer.loadBalancer.dnsName,
      description: 'DNS name of the load balancer',
    });

    if (config.vpn) this.vpn = this.addVpn(prefix, config.vpn);
    if (hasLogStore(config)) this.logStore = this.addLogStore(prefix);
    this.alarmTopic = new AlarmTopic(this, 'alarm-topic', {
      name: prefix,
      region: config.region,
      subscriptions: config.logging.alarmSubscriptions,
    });
    this.logMetrics = this.addLogMetrics(prefix);

    const archive = config.archive;
    const lifecycle = {
      objectLockMode: archive.objectLockMode,
      glacierAfterDays: archive.glacierAfterDays,
      deepArchiveAfterDays: archive.deepArchiveAfterDays,
      noncurrentVersionExpirationDays: archive.noncurrentVersionExpirationDays,
      abortIncompleteUploadDays: archive.abortIncompleteUploadDays,
      breakGlassRoleArn: archive.breakGlassRoleArn,
      accessLogs: this.accessLogs,
    };
    this.deploymentRecords = new ArchiveBucket(this, 'deployment-records', {
      ...lifecycle,
      region: config.region,
      bucketName: `${prefix}-deployment-records`,
      purpose: 'deployment records',
      retentionDays: archive.retentionDays,
    });
    this.appFiles = new ArchiveBucket(this, 'app-files', {
      ...lifecycle,
      region: config.region,
      bucketName: `${prefix}-app-files`,
      purpose: 'application files',
      retentionDays: archive.appFilesRetentionDays,
    });
    this.appFilesAccess = this.appFiles.grantReadWrite('fleet-access', { name: `${prefix}-app-files` });
    this.registry = new ReleaseRegistry(this, 'registry', {
      repositoryName: ecrRepositoryName(config.app.name, config.name),
      keepImages: archive.registryKeepImages,
      untaggedExpiryDays: archive.registryUntaggedDays,
    });
    this.registryPull = this.registry.grantPull('fleet-pull', { name: `${prefix}-registry-pull` });

    new TerraformOutput(this, ARCHIVE_OUTPUTS.recordsBucket, {
      value: this.deploymentRecords.bucket.bucket,
      description: 'Bucket that holds the deployment records written by npm run deploy',
    });
    new TerraformOutput(this, ARCHIVE_OUTPUTS.appFilesBucket, {
      value: this.appFiles.bucket.bucket,
      description: 'Bucket for application files',
    });
    new TerraformOutput(this, ARCHIVE_OUTPUTS.region, {
      value: config.region,
      description: 'Region of the archive buckets',
    });
    new TerraformOutput(this, ARCHIVE_OUTPUTS.registryUrl, {
      value: this.registry.repositoryUrl,
      description: 'ECR repository URL; pin images by digest',
    });
    new TerraformOutput(this, SHARED_OUTPUTS.vpcId, {
      value: this.network.vpc.id,
      description: 'ID of the environment VPC',
    });

    const lb = this.loadBalancer;
    this.published = new SharedParameters(this, 'published', {
      app: config.app.name,
      environment: config.name,
      values: {
        privateSubnetIds: this.network.privateSubnets.map((s) => s.id),
        instanceSecurityGroupId: lb.instanceSecurityGroup.id,
        blueTargetGroupArn: lb.targetGroups.blue.arn,
        greenTargetGroupArn: lb.targetGroups.green.arn,
        loadBalancerArn: lb.loadBalancer.arn,
        certificateArn: this.certificate.arn,
        hostname: this.hostname,
        appFilesAccessPolicyArn: this.appFilesAccess.arn,
        registryPullPolicyArn: this.registryPull.arn,
        logForwarderReadPolicyArn: this.logStore?.forwarderReadPolicy.arn,
      },
    });
  }

  /** The log store, the fleets' access to it (HTTPS in, package mirrors out), and its outputs. */
  private addLogStore(prefix: string): LogStore {
    const { logging } = this.config;
    const store = new LogStore(this, 'log-store', {
      name: prefix,
      vpc: this.network.vpc,
      region: this.config.region,
      subnets: this.network.privateSubnets,
      clientSecurityGroups: [this.loadBalancer.instanceSecurityGroup],
      logKey: this.logKey,
      logRetentionDays: logging.logGroupRetentionDays,
      indexPrefix: logging.indexPrefix,
      indexRetentionDays: logging.indexRetentionDays,
      engineVersion: logging.store.engineVersion,
      instanceType: logging.store.instanceType,
      instanceCount: logging.store.instanceCount,
      volumeSizeGiB: logging.store.volumeSizeGiB,
      dedicatedMasterCount: logging.store.dedicatedMasterCount,
      dedicatedMasterType: logging.store.dedicatedMasterType,
    });
    // The forwarder is installed at first boot from the Debian mirrors, which serve over HTTP (apt checks signatures).
    new VpcSecurityGroupEgressRule(this, 'instance-out-http-packages', {
      securityGroupId: this.loadBalancer.instanceSecurityGroup.id,
      description: 'HTTP out to the Debian package mirrors (log forwarder install at boot) through NAT',
      ipProtocol: 'tcp',
      fromPort: 80,
      toPort: 80,
      cidrIpv4: '0.0.0.0/0',
    });
    new TerraformOutput(this, LOG_OUTPUTS.endpoint, {
      value: store.endpoint,
      description: 'HTTPS endpoint of the log store (inside the VPC)',
    });
    new TerraformOutput(this, LOG_OUTPUTS.dashboardsUrl, {
      value: store.dashboardsUrl,
      description: 'OpenSearch Dashboards (inside the VPC; sign in with the admin secret)',
    });
    new TerraformOutput(this, LOG_OUTPUTS.adminSecret, {
      value: store.adminSecret.name,
      description: 'Secrets Manager secret holding the log store admin user (bootstrap, break-glass)',
    });
    new TerraformOutput(this, LOG_OUTPUTS.forwarderSecret, {
      value: store.forwarderSecret.name,
      description: 'Secrets Manager secret the forwarders read at boot (host, username, password)',
    });
    new TerraformOutput(this, LOG_OUTPUTS.bootstrap, {
      value: JSON.stringify(store.bootstrapRequests),
      description:
        'REST requests to apply once to the log store (ISM retention, index template, forwarder role/user); see README "Centralized logging"',
    });
    return store;
  }

  /**
   * Log-derived metrics and alarms (flow logs, VPN, log store, per-color target health); names and ARNs as outputs.
   * Without a log store, its error alarm is not built; the others read CloudWatch and stay.
   */
  private addLogMetrics(prefix: string): LogMetrics {
    const metrics = new LogMetrics(this, 'log-metrics', {
      name: prefix,
      alarmTopicArns: [this.alarmTopic.topic.arn],
      flowLogGroup: this.network.flowLogGroup,
      loadBalancer: this.loadBalancer.loadBalancer,
      targetGroups: this.loadBalancer.targetGroups,
      vpn: this.vpn ? { logGroup: this.vpn.logGroup, connectionId: this.vpn.connection.id } : undefined,
      logStoreErrorLogGroup: this.logStore?.logGroups.ES_APPLICATION_LOGS,
    });
    const alarms = Object.entries(metrics.alarms);
    new TerraformOutput(this, LOG_OUTPUTS.alarmNames, {
      value: metrics.alarmNames,
      description:
        'CloudWatch alarm names by key (blue_target_5xx, green_unhealthy_hosts, vpc_rejected_connections, ...)',
    });
    new TerraformOutput(this, LOG_OUTPUTS.alarmArns, {
      value: Object.fromEntries(alarms.map(([key, a]) => [key, a.arn])),
      description: 'CloudWatch alarm ARNs by key',
    });
    return metrics;
  }

  /** The office VPN: connection, on-prem access to the test listener and SSH, and its outputs (PSKs only in sensitive ones). */
  private addVpn(prefix: string, vpn: NonNullable<EnvironmentStackProps['config']['vpn']>): SiteToSiteVpn {
    const site = new SiteToSiteVpn(this, 'vpn', {
      name: prefix,
      vpc: this.network.vpc,
      routeTables: this.network.privateRouteTables,
      customerGatewayIp: vpn.customerGateway.ipAddress,
      customerGatewayAsn: vpn.customerGateway.bgpAsn,
      customerGatewayDeviceName: vpn.customerGateway.deviceName,
      onPremCidrs: vpn.onPremCidrs,
      routing: vpn.routing,
      transitGatewayId: vpn.transitGatewayId,
      transitGatewayRouteTableId: vpn.transitGatewayRouteTableId,
      amazonSideAsn: vpn.amazonSideAsn,
      tunnelOptions: vpn.tunnelOptions,
      insideCidrs: vpn.insideCidrs,
      allowWeakCrypto: vpn.allowWeakCrypto,
      logKey: this.logKey,
      logRetentionDays: vpn.logRetentionDays,
      customerConfigMode: vpn.customerConfig,
    });
    site.allowFromOnPrem(
      'onprem-test-listener',
      this.loadBalancer.securityGroup,
      this.loadBalancer.testListenerPort,
      'Test listener',
    );
    site.allowFromOnPrem('onprem-ssh', this.loadBalancer.instanceSecurityGroup, 22, 'SSH');
    const c = site.connection;
    new TerraformOutput(this, VPN_OUTPUTS.connectionId, {
      value: c.id,
      description: 'ID of the site-to-site VPN connection',
    });
    new TerraformOutput(this, VPN_OUTPUTS.tunnelAddresses, {
      value: [c.tunnel1Address, c.tunnel2Address],
      description: 'AWS outside addresses of tunnel 1 and 2',
    });
    new TerraformOutput(this, VPN_OUTPUTS.customerConfig, {
      value: site.customerConfig(),
      sensitive: true,
      description: `The office's strongSwan swanctl.conf (${vpn.customerConfig}; holds the PSKs). npm run vpn-config -- <env> prints it`,
    });
    new TerraformOutput(this, VPN_OUTPUTS.customerConfigInput, {
      value: { ...site.customerConfigInput(), mode: vpn.customerConfig },
      sensitive: true,
      description:
        'What the swanctl.conf is rendered from (holds the PSKs); npm run vpn-config -- <env> --mode re-renders it',
    });
    return site;
  }
}
