import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { suppress } from '../policy/suppression';
import { denyInsecureTransport } from './bucket-policy';
import { protectStateful } from './stateful';
import { checkProp } from '../construct-errors';

/**
 * Elastic Load Balancing's log-delivery accounts for regions that predate the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal (AWS docs: "Enable access logs for your
 * Application Load Balancer"). Newer regions use the service principal.
 */
const ELB_ACCOUNTS: Record<string, string> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};

/** Props for {@link LogBucket}. */
export interface LogBucketProps {
  /** Bucket name (globally unique). */
  readonly bucketName: string;
  /** Region of the bucket; picks the load balancer log-delivery principal. */
  readonly region: string;
  /**
   * Days to keep log objects.
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * Names (an `ArnLike` pattern, `*` allowed) of the buckets whose S3 server access logs may be delivered here,
   * the `aws:SourceArn` condition of the delivery statement, e.g. `shop-prod-*`.
   * @default '*' - any bucket of this account (aws:SourceAccount still applies)
   */
  readonly sourceBucketPattern?: string;
  /**
   * Terraform's `prevent_destroy` on the bucket (and `skip_destroy` on log groups): a plan that would delete
   * them fails. `false` is the opt-out for disposable environments (the guardrail finding is then suppressed with
   * that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A bucket that receives access logs: from load balancers (under `alb/`) and S3 server access logging (under
 * `s3/`). Logs use SSE-S3 because neither delivery service writes with customer KMS keys; everything else is
 * locked down: all four public-access-block flags, `BucketOwnerEnforced`, versioning, TLS-only access,
 * expiry, and writes only by the two delivery services on behalf of this account.
 */
export class LogBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** Key prefix load balancers write under. */
  public readonly albPrefix = 'alb';
  /** Key prefix S3 server access logs go under. */
  public readonly s3Prefix = 's3';
  /** The bucket policy that lets the delivery services write; whatever sends logs here depends on it. */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    validateAwsName(this, 'bucketName', props.bucketName, AWS_NAME_RULES.s3Bucket);
    checkProp(this, props.retentionDays ?? 365, (days) =>
      !Number.isInteger(days) || days < 1
        ? `retentionDays must be a whole number of days ≥ 1 (got ${days}). Fix: keep logs at least a day`
        : undefined,
    );
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const sourceBuckets = props.sourceBucketPattern ?? '*';
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, forceDestroy: false });
    protectStateful([this.bucket], props.preventDestroy);
    suppress(
      this.bucket,
      's3-kms-encryption',
      'load balancer and S3 server access log delivery only write to SSE-S3 (AES256) buckets',
    );
    suppress(
      this.bucket,
      's3-access-logging',
      'this is the access-log bucket itself; logging it into itself would loop',
    );
    const bucketId = this.bucket.id;
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: bucketId,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketVersioningA(this, 'versioning', { bucket: bucketId, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const days = props.retentionDays ?? 365;
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucketId,
      rule: [
        {
          id: 'expire-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    // Regions with an ELB log-delivery account name that account (it cannot carry source conditions; the key
    // prefix AWSLogs/<this account>/ cannot be forged, as ELB refuses a log prefix containing "AWSLogs"); the
    // service principal of newer regions is limited to load balancers of this account.
    const elbAccount = ELB_ACCOUNTS[props.region];
    const elbPrincipal = elbAccount
      ? { AWS: `arn:aws:iam::${elbAccount}:root` }
      : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' };
    const elbCondition = elbAccount ? {} : { Condition: { StringEquals: { 'aws:SourceAccount': account.accountId } } };
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: bucketId,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          denyInsecureTransport(this.bucket.arn),
          {
            Sid: 'LoadBalancerLogDelivery',
            Effect: 'Allow',
            Principal: elbPrincipal,
            Action: 's3:PutObject',
            Resource: `${this.bucket.arn}/${this.albPrefix}/AWSLogs/${account.accountId}/*`,
            ...elbCondition,
          },
          {
            Sid: 'S3ServerAccessLogDelivery',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `${this.bucket.arn}/${this.s3Prefix}/*`,
            Condition: {
              StringEquals: { 'aws:SourceAccount': account.accountId },
              ArnLike: { 'aws:SourceArn': `arn:${partition.partition}:s3:::${sourceBuckets}` },
            },
          },
        ],
      }),
    });
  }
}
