import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsSecretsmanagerRandomPassword } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { OpensearchDomain } from '@cdktf/provider-aws/lib/opensearch-domain';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { propsValidator, renderFor } from '../construct-errors';
import { accountAdministrationKeyPolicy } from './dedicated-key';
import { protectStateful } from './stateful';
import { IKmsKeyRef } from './references';
import { LogStoreRequest, renderLogStoreBootstrap } from '../agents/log-store-bootstrap';
import { LOG_GROUP_RETENTION_DAYS } from '../config/sections/logging';
import { AWS_NAME_RULES, logStoreKeyAliasName, openSearchDomainName, validateAwsName } from './aws-names';

/**
 * The name of the forwarder secret of a log store named `name`: `<name>/log-forwarder`. A literal, so a fleet's
 * user data (which must not hold tokens) can name it without a reference to the store's stack.
 */
export function logForwarderSecretName(name: string): string {
  return `${name}/log-forwarder`;
}

/** Props for {@link LogStore}. */
export interface LogStoreProps {
  /** Name prefix, e.g. `shop-prod`; the domain is `<name>-logs` (shortened with a hash past 28 characters). */
  readonly name: string;
  /** The VPC the domain lives in. */
  readonly vpc: Vpc;
  /** The AWS region of the domain (`region` of the values), for the domain's access policy ARN. */
  readonly region: string;
  /** Private subnets, one per AZ; the domain uses as many as it spreads its nodes over. */
  readonly subnets: readonly Subnet[];
  /** Security groups allowed to reach the store on 443 (the fleets' instance security group). */
  readonly clientSecurityGroups: readonly SecurityGroup[];
  /** KMS key for the domain's CloudWatch log groups (a `LogEncryptionKey`, a `KmsKey`, or `{ arn }`). */
  readonly logKey: IKmsKeyRef;
  /** Days the domain's CloudWatch log groups keep events. */
  readonly logRetentionDays: number;
  /** Index prefix the forwarders write (`<indexPrefix>-YYYY.MM.DD`). */
  readonly indexPrefix: string;
  /** Days an index lives before the retention policy deletes it. */
  readonly indexRetentionDays: number;
  /**
   * OpenSearch engine version.
   * @default 'OpenSearch_2.13'
   */
  readonly engineVersion?: string;
  /**
   * Data node instance type.
   * @default 't3.medium.search'
   */
  readonly instanceType?: string;
  /**
   * Data nodes; more than one spreads them over `min(instanceCount, subnets, 3)` availability zones, and must be
   * a multiple of that zone count.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Dedicated master nodes: 0 (none), 3 or 5.
   * @default 0
   */
  readonly dedicatedMasterCount?: number;
  /**
   * Instance type of the dedicated master nodes.
   * @default 'm6g.large.search'
   */
  readonly dedicatedMasterType?: string;
  /**
   * gp3 volume per node, in GiB.
   * @default 20
   */
  readonly volumeSizeGiB?: number;
  /**
   * The forwarders' user name in the store.
   * @default 'log-forwarder'
   */
  readonly forwarderUsername?: string;
  /**
   * TLS policy of the HTTPS endpoint.
   * @default 'Policy-Min-TLS-1-2-PFS-2023-10' (TLS 1.2+ with forward secrecy)
   */
  readonly tlsSecurityPolicy?: string;
  /**
   * Terraform's `prevent_destroy` on the domain, its key, log groups and secrets (and `skip_destroy` on log groups): a plan that would delete
   * them fails. `false` is the opt-out for disposable environments (the guardrail finding is then suppressed with
   * that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/** The domain log types published to CloudWatch, with their log group suffix. */
export const LOG_STORE_DOMAIN_LOGS = {
  INDEX_SLOW_LOGS: 'index-slow',
  SEARCH_SLOW_LOGS: 'search-slow',
  ES_APPLICATION_LOGS: 'application',
  AUDIT_LOGS: 'audit',
} as const;

/** A log type the domain publishes to CloudWatch (`INDEX_SLOW_LOGS`, `SEARCH_SLOW_LOGS`, `ES_APPLICATION_LOGS`, `AUDIT_LOGS`). */
export type DomainLogType = keyof typeof LOG_STORE_DOMAIN_LOGS;

/**
 * Turns on the security plugin's audit log (published to the `AUDIT_LOGS` log group): REST and transport
 * events (failed logins, missing privileges, security configuration changes), and writes and deletes on every
 * index but the security index, with the request body, so a change to the logs themselves leaves a trace.
 */
export const AUDIT_CONFIG_REQUEST: LogStoreRequest = {
  description:
    'Audit log: authentication failures, privilege denials, security changes and every write or delete (published to CloudWatch)',
  method: 'PUT',
  path: '/_plugins/_security/api/audit/config',
  body: {
    enabled: true,
    audit: {
      enable_rest: true,
      enable_transport: true,
      disabled_rest_categories: ['AUTHENTICATED', 'GRANTED_PRIVILEGES'],
      disabled_transport_categories: ['AUTHENTICATED', 'GRANTED_PRIVILEGES'],
      resolve_bulk_requests: true,
      log_request_body: true,
      resolve_indices: true,
      exclude_sensitive_headers: true,
      ignore_users: [],
      ignore_requests: [],
    },
    compliance: {
      enabled: true,
      internal_config: true,
      external_config: false,
      read_metadata_only: true,
      read_watched_fields: {},
      read_ignore_users: [],
      write_metadata_only: true,
      write_log_diffs: false,
      write_watched_indices: ['*'],
      write_ignore_users: [],
    },
  },
};

/**
 * The environment's central log store: an OpenSearch domain in the VPC's private subnets, reachable only from
 * the fleets' security group, encrypted at rest with its own KMS key and between nodes, HTTPS-only with TLS
 * 1.2+, fine-grained access control with an internal user database (admin and forwarder passwords generated
 * into Secrets Manager), OpenSearch Dashboards, and slow and error logs in encrypted CloudWatch log groups.
 *
 * The index retention (ISM) policy, index template and the forwarder's role cannot be set by the AWS provider:
 * {@link LogStore.bootstrapRequests} renders them, and the stack publishes them as an output to apply once.
 */
export class LogStore extends Construct {
  /** The OpenSearch domain. */
  public readonly domain: OpensearchDomain;
  /** KMS key encrypting the domain's data and the two secrets. */
  public readonly key: KmsKey;
  /** The domain's security group (443 from the client groups only). */
  public readonly securityGroup: SecurityGroup;
  /** CloudWatch log groups of the domain, by log type (`INDEX_SLOW_LOGS`, `SEARCH_SLOW_LOGS`, `ES_APPLICATION_LOGS`). */
  public readonly logGroups: Record<DomainLogType, CloudwatchLogGroup>;
  /** Secret `{"username","password"}` of the domain's master user (admin; bootstrap and break-glass only). */
  public readonly adminSecret: SecretsmanagerSecret;
  /** Secret `{"host","username","password"}` the forwarders read at boot. */
  public readonly forwarderSecret: SecretsmanagerSecret;
  /** Managed policy for the fleets' instance role: read the forwarder secret (and decrypt it), nothing else. */
  public readonly forwarderReadPolicy: IamPolicy;
  /** The domain name. */
  public readonly domainName: string;
  /** The forwarders' user name in the store. */
  public readonly forwarderUsername: string;
  /** Name of {@link forwarderSecret} as a literal, for user data that must not hold tokens. */
  public readonly forwarderSecretName: string;
  /** The REST requests that set up retention, index template and the forwarder's role (see `log-store-bootstrap.ts`). */
  public readonly bootstrapRequests: readonly LogStoreRequest[];

  constructor(scope: Construct, id: string, props: LogStoreProps) {
    super(scope, id);
    const count = props.instanceCount ?? 1;
    const zones = Math.min(count, props.subnets.length, 3);
    const masters = props.dedicatedMasterCount ?? 0;
    validate(this, props, count, zones);
    this.domainName = openSearchDomainName(props.name);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.openSearchDomain, this.domainName);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.secret, `${props.name}/log-store-admin`);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.iamPolicy, `${props.name}-log-forwarder-read`);
    this.forwarderUsername = props.forwarderUsername ?? 'log-forwarder';
    this.forwarderSecretName = logForwarderSecretName(props.name);
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');

    this.key = new KmsKey(this, 'key', {
      description: `OpenSearch log store ${this.domainName}: data at rest and its secrets`,
      enableKeyRotation: true,
      policy: accountAdministrationKeyPolicy(this, account, partition).json,
      deletionWindowInDays: 30,
    });
    // Its own alias: `alias/<name>-logs` is the environment's CloudWatch Logs key (LogEncryptionKey).
    new KmsAlias(this, 'alias', { name: logStoreKeyAliasName(props.name), targetKeyId: this.key.keyId });

    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: `${this.domainName}-store`,
      description: `Log store ${this.domainName}: HTTPS from the fleets only`,
      vpcId: props.vpc.id,
      tags: { Name: `${this.domainName}-store` },
      lifecycle: { createBeforeDestroy: true },
    });
    props.clientSecurityGroups.forEach(
      (client, i) =>
        new VpcSecurityGroupIngressRule(this, `in-https-${i}`, {
          securityGroupId: this.securityGroup.id,
          description: 'HTTPS (_bulk, Dashboards) from the fleets',
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          referencedSecurityGroupId: client.id,
        }),
    );

    this.logGroups = {} as Record<DomainLogType, CloudwatchLogGroup>;
    for (const [type, suffix] of Object.entries(LOG_STORE_DOMAIN_LOGS) as Array<[DomainLogType, string]>) {
      this.logGroups[type] = new CloudwatchLogGroup(this, `log-${suffix}`, {
        name: `/aws/opensearch/${this.domainName}/${suffix}`,
        retentionInDays: props.logRetentionDays,
        kmsKeyId: props.logKey.arn,
      });
    }
    const logPolicy = new CloudwatchLogResourcePolicy(this, 'log-policy', {
      policyName: `${this.domainName}-opensearch-logs`,
      policyDocument: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'es.amazonaws.com' },
            Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
            Resource: Object.values(this.logGroups).map((g) => `${g.arn}:*`),
            // Only this domain may write (confused deputy: aws:SourceAccount and aws:SourceArn).
            Condition: {
              StringEquals: { 'aws:SourceAccount': account.accountId },
              ArnLike: {
                'aws:SourceArn': `arn:${partition.partition}:es:${props.region}:${account.accountId}:domain/${this.domainName}`,
              },
            },
          },
        ],
      }),
    });

    const password = (pid: string) =>
      new DataAwsSecretsmanagerRandomPassword(this, pid, {
        passwordLength: 32,
        // Safe in an environment file and an rsyslog parameter; OpenSearch wants every character class.
        excludeCharacters: ' "\'\\`$;&|<>',
        requireEachIncludedType: true,
      });
    // The random data source yields a new value on every plan: the secret versions ignore changes, so the first
    // value sticks. Rotate by tainting the version and re-applying (then restart rsyslog on the fleets).
    const secretVersions: SecretsmanagerSecretVersion[] = [];
    const secretVersion = (vid: string, secret: SecretsmanagerSecret, value: string) => {
      const version = new SecretsmanagerSecretVersion(this, vid, {
        secretId: secret.id,
        secretString: value,
        lifecycle: { ignoreChanges: ['secret_string'] },
      });
      secretVersions.push(version);
      return version;
    };

    this.adminSecret = new SecretsmanagerSecret(this, 'admin-secret', {
      name: `${props.name}/log-store-admin`,
      description: `Master user of the OpenSearch log store ${this.domainName} (bootstrap and break-glass only)`,
      kmsKeyId: this.key.arn,
      recoveryWindowInDays: 30,
    });
    const admin = secretVersion(
      'admin-secret-value',
      this.adminSecret,
      Fn.jsonencode({ username: 'admin', password: password('admin-password').randomPassword }),
    );

    this.domain = new OpensearchDomain(this, 'domain', {
      domainName: this.domainName,
      engineVersion: props.engineVersion ?? 'OpenSearch_2.13',
      clusterConfig: {
        instanceType: props.instanceType ?? 't3.medium.search',
        instanceCount: count,
        zoneAwarenessEnabled: zones > 1,
        ...(masters > 0
          ? {
              dedicatedMasterEnabled: true,
              dedicatedMasterCount: masters,
              dedicatedMasterType: props.dedicatedMasterType ?? 'm6g.large.search',
            }
          : {}),
        ...(zones > 1 ? { zoneAwarenessConfig: { availabilityZoneCount: zones } } : {}),
      },
      vpcOptions: {
        subnetIds: props.subnets.slice(0, zones).map((s) => s.id),
        securityGroupIds: [this.securityGroup.id],
      },
      ebsOptions: { ebsEnabled: true, volumeType: 'gp3', volumeSize: props.volumeSizeGiB ?? 20 },
      encryptAtRest: { enabled: true, kmsKeyId: this.key.arn },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: {
        enforceHttps: true,
        tlsSecurityPolicy: props.tlsSecurityPolicy ?? 'Policy-Min-TLS-1-2-PFS-2023-10',
      },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: true,
        masterUserOptions: {
          masterUserName: 'admin',
          masterUserPassword: Fn.lookup(Fn.jsondecode(admin.secretString), 'password', ''),
        },
      },
      // Fine-grained access control authenticates every request (basic auth against the internal users), and the
      // security group limits who can connect; an IAM-principal policy would refuse the basic-auth forwarders.
      accessPolicies: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'es:ESHttp*',
            Resource: `arn:${partition.partition}:es:${props.region}:${account.accountId}:domain/${this.domainName}/*`,
          },
        ],
      }),
      logPublishingOptions: Object.entries(this.logGroups).map(([type, group]) => ({
        logType: type,
        cloudwatchLogGroupArn: group.arn,
        enabled: true,
      })),
      softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
      dependsOn: [logPolicy],
    });

    this.forwarderSecret = new SecretsmanagerSecret(this, 'forwarder-secret', {
      name: this.forwarderSecretName,
      description: `Log store address and the forwarders' credentials for ${this.domainName} (read at boot by the app servers)`,
      kmsKeyId: this.key.arn,
      recoveryWindowInDays: 30,
    });
    secretVersion(
      'forwarder-secret-value',
      this.forwarderSecret,
      Fn.jsonencode({
        host: this.domain.endpoint,
        username: this.forwarderUsername,
        password: password('forwarder-password').randomPassword,
      }),
    );

    this.forwarderReadPolicy = new IamPolicy(this, 'forwarder-read', {
      name: `${props.name}-log-forwarder-read`,
      description: `Read the log store secret ${props.name}/log-forwarder (rsyslog on the app servers)`,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadForwarderSecret',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: this.forwarderSecret.arn,
          },
          {
            Sid: 'DecryptViaSecretsManager',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: this.key.arn,
            Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
          },
        ],
      }),
    });

    protectStateful(
      [
        this.key,
        this.domain,
        ...Object.values(this.logGroups),
        this.adminSecret,
        this.forwarderSecret,
        ...secretVersions,
      ],
      props.preventDestroy,
    );

    this.bootstrapRequests = [
      ...renderFor(this, () =>
        renderLogStoreBootstrap({
          indexPrefix: props.indexPrefix,
          retentionDays: props.indexRetentionDays,
          forwarderUsername: this.forwarderUsername,
          replicas: count > 1 ? 1 : 0,
          dashboardsIndexPattern: true,
          // Append-only: the forwarders write into a data stream (see forwarderConfigFromValues).
          dataStream: true,
        }),
      ),
      AUDIT_CONFIG_REQUEST,
    ];
  }

  /** The HTTPS endpoint host of the domain (inside the VPC). */
  public get endpoint(): string {
    return this.domain.endpoint;
  }

  /** The OpenSearch Dashboards URL (inside the VPC). */
  public get dashboardsUrl(): string {
    return `https://${this.domain.dashboardEndpoint}`;
  }
}

function validate(scope: Construct, props: LogStoreProps, count: number, zones: number): void {
  const { check, fail } = propsValidator(scope);
  if (props.subnets.length === 0) fail('subnets is empty. Fix: pass the private subnets of the VPC');
  if (props.clientSecurityGroups.length === 0)
    fail("clientSecurityGroups is empty, so nothing could ship logs. Fix: pass the fleets' instance security group");
  check(count, (n) =>
    !Number.isInteger(n) || n < 1 || n > 20
      ? `instanceCount ${n} must be 1-20. Fix: set instanceCount within 1-20`
      : undefined,
  );
  check(count, (n) =>
    zones > 1 && n % zones !== 0
      ? `instanceCount ${n} must be a multiple of the ${zones} availability zones it spreads over. Fix: set instanceCount to a multiple of ${zones}`
      : undefined,
  );
  check(props.logRetentionDays, (days) =>
    (LOG_GROUP_RETENTION_DAYS as readonly number[]).includes(days)
      ? undefined
      : `logRetentionDays ${days} is not a CloudWatch retention period (${LOG_GROUP_RETENTION_DAYS.join(', ')}). Fix: pick one of those`,
  );
  check(props.engineVersion, (version) =>
    /^OpenSearch_\d+\.\d+$/.test(version)
      ? undefined
      : `engineVersion "${version}" must look like OpenSearch_2.13. Fix: give an OpenSearch engine version such as OpenSearch_2.13`,
  );
  check(props.instanceType, (type) =>
    /\.search$/.test(type)
      ? undefined
      : `instanceType "${type}" must be an OpenSearch type. Fix: use an OpenSearch type such as r6g.large.search`,
  );
  check(props.dedicatedMasterCount ?? 0, (masters) =>
    [0, 3, 5].includes(masters)
      ? undefined
      : `dedicatedMasterCount ${masters} must be 0 (none), 3 or 5 (an odd quorum that survives one or two node losses). Fix: set dedicatedMasterCount to 0, 3 or 5`,
  );
  check(props.dedicatedMasterType, (type) =>
    /\.search$/.test(type)
      ? undefined
      : `dedicatedMasterType "${type}" must be an OpenSearch type. Fix: use an OpenSearch type such as m6g.large.search`,
  );
  check(props.volumeSizeGiB ?? 20, (size) =>
    !Number.isInteger(size) || size < 10
      ? `volumeSizeGiB ${size} must be a whole number of at least 10. Fix: set volumeSizeGiB to 10 or more`
      : undefined,
  );
  check(props.tlsSecurityPolicy, (policy) =>
    /^Policy-Min-TLS-1-[23]/.test(policy)
      ? undefined
      : `tlsSecurityPolicy "${policy}" allows TLS older than 1.2. Fix: use Policy-Min-TLS-1-2-PFS-2023-10`,
  );
}
