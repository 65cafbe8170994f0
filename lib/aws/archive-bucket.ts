import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { IAM_ROLE_ARN } from '../config/sections/archive';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { addDedicatedKey } from './dedicated-key';
import { LogBucket } from './log-bucket';
import { denyInsecureTransport } from './bucket-policy';
import { protectStateful } from './stateful';
import { GrantPolicyProps } from './references';
import { checkProp } from '../construct-errors';

/** An S3 object-lock mode: `GOVERNANCE` (privileged users may bypass) or `COMPLIANCE` (nobody may). */
export type ArchiveLockMode = 'GOVERNANCE' | 'COMPLIANCE';

/** Props for {@link ArchiveBucket}. */
export interface ArchiveBucketProps {
  /** Bucket name (globally unique, 3–63 lowercase letters, digits, dots and dashes). */
  readonly bucketName: string;
  /** What the bucket holds, for the key's description (e.g. `deployment records`). */
  readonly purpose: string;
  /** The bucket that receives this bucket's server access logs (under `<s3Prefix>/<bucketName>/`). */
  readonly accessLogs: LogBucket;
  /** The AWS region of the bucket (`region` of the values), for the KMS `kms:ViaService` condition of {@link ArchiveBucket.grantReadWrite}. */
  readonly region: string;
  /**
   * Object-lock mode of the default retention.
   * @default 'GOVERNANCE'
   */
  readonly objectLockMode?: ArchiveLockMode;
  /**
   * Days every new object version stays locked by default.
   * @default 90
   */
  readonly retentionDays?: number;
  /**
   * Days after which objects move to S3 Glacier Instant Retrieval.
   * @default 90
   */
  readonly glacierAfterDays?: number;
  /**
   * Days after which objects move to S3 Glacier Deep Archive (at least 90 days after `glacierAfterDays`).
   * @default 365
   */
  readonly deepArchiveAfterDays?: number;
  /**
   * Days a noncurrent version is kept before it expires (a locked version outlives this until its lock ends).
   * @default 365
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days before an unfinished multipart upload is aborted.
   * @default 7
   */
  readonly abortIncompleteUploadDays?: number;
  /**
   * Days before a deleted KMS key is destroyed.
   * @default 30
   */
  readonly keyDeletionWindowInDays?: number;
  /**
   * The one principal (an IAM role ARN) that may disable the bucket's key, schedule its deletion or change its
   * policy; everyone else, the account root and IAM administrators included, is denied those actions in the key
   * policy, because a deleted or disabled key makes every locked object unreadable.
   * @default - nobody: the key can never be disabled, deleted or have its policy changed
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Terraform's `prevent_destroy` on the bucket and its key (and `skip_destroy` on log groups): a plan that would delete
   * them fails. `false` is the opt-out for disposable environments (the guardrail finding is then suppressed with
   * that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/** Props for {@link ArchiveBucket.grantRead} and {@link ArchiveBucket.grantReadWrite}. */
export interface ArchiveGrantProps extends GrantPolicyProps {
  /**
   * Key prefix the holder may use (no leading slash), e.g. `uploads/`.
   * @default - the whole bucket
   */
  readonly keyPrefix?: string;
}

/**
 * An immutable archive: an S3 bucket with object lock (default retention in GOVERNANCE or COMPLIANCE mode),
 * versioning, SSE-KMS with its own rotating key and S3 bucket keys, all four public-access-block flags,
 * `BucketOwnerEnforced`, a policy that denies non-TLS access and uploads requesting anything but SSE-KMS with this
 * bucket's key (uploads without an encryption header get that key by default, so nothing is stored unencrypted),
 * a lifecycle to the Glacier tiers with noncurrent-version expiry and aborted multipart uploads, server access
 * logs to a {@link LogBucket}, `prevent_destroy` and never `force_destroy`. The key's policy denies disabling it,
 * scheduling its deletion and changing its policy to everyone but the `breakGlassRoleArn` (object lock does not
 * stop an administrator from destroying the key, and with it every locked object).
 *
 * Object lock can only be turned on when a bucket is created: changing `bucketName` replaces the bucket, and
 * `prevent_destroy` makes Terraform refuse that plan.
 */
export class ArchiveBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The bucket's dedicated KMS key (rotation on). */
  public readonly key: KmsKey;
  /** The key's alias, `alias/<bucketName>`. */
  public readonly alias: KmsAlias;
  /** Versioning (required by object lock). */
  public readonly versioning: S3BucketVersioningA;
  /** Object-lock default retention. */
  public readonly objectLock: S3BucketObjectLockConfigurationA;
  /** Default SSE-KMS encryption. */
  public readonly encryption: S3BucketServerSideEncryptionConfigurationA;
  /** The four public-access-block flags. */
  public readonly publicAccessBlock: S3BucketPublicAccessBlock;
  /** `BucketOwnerEnforced` (ACLs disabled). */
  public readonly ownership: S3BucketOwnershipControls;
  /** TLS-only, SSE-KMS-only bucket policy. */
  public readonly policy: S3BucketPolicy;
  /** Glacier transitions, noncurrent expiry, multipart cleanup. */
  public readonly lifecycle: S3BucketLifecycleConfiguration;
  /** Server access logging to the log bucket. */
  public readonly logging: S3BucketLoggingA;
  /** Object-lock mode of the default retention. */
  public readonly objectLockMode: ArchiveLockMode;
  /** Days of default retention. */
  public readonly retentionDays: number;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const name = props.bucketName;
    this.region = props.region;
    validateAwsName(this, 'bucketName', name, AWS_NAME_RULES.s3Bucket);
    validateAwsName(this, 'bucketName', name, AWS_NAME_RULES.kmsAlias, `alias/${name}`);
    checkProp(this, props.breakGlassRoleArn, (arn) =>
      IAM_ROLE_ARN.test(arn)
        ? undefined
        : `breakGlassRoleArn "${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>). Fix: name the break-glass role, or leave it out so nobody can disable or delete the key`,
    );
    this.objectLockMode = props.objectLockMode ?? 'GOVERNANCE';
    checkProp(this, this.objectLockMode as string, (mode) =>
      mode === 'GOVERNANCE' || mode === 'COMPLIANCE'
        ? undefined
        : `objectLockMode must be GOVERNANCE or COMPLIANCE, got "${mode}". Fix: set objectLockMode to GOVERNANCE (privileged users may shorten retention) or COMPLIANCE (nobody may)`,
    );
    this.retentionDays = wholeDays(this, 'retentionDays', props.retentionDays ?? 90, 36500);
    const glacierDays = wholeDays(this, 'glacierAfterDays', props.glacierAfterDays ?? 90, 36500);
    const deepArchiveDays = wholeDays(this, 'deepArchiveAfterDays', props.deepArchiveAfterDays ?? 365, 36500);
    const noncurrentDays = wholeDays(
      this,
      'noncurrentVersionExpirationDays',
      props.noncurrentVersionExpirationDays ?? 365,
      36500,
    );
    const abortDays = wholeDays(this, 'abortIncompleteUploadDays', props.abortIncompleteUploadDays ?? 7, 365);
    checkProp(this, [deepArchiveDays, glacierDays], ([deep, glacier]) =>
      deep < glacier + 90
        ? `deepArchiveAfterDays (${deep}) must be at least 90 days after glacierAfterDays (${glacier}); S3 refuses the lifecycle otherwise. Fix: raise deepArchiveAfterDays or lower glacierAfterDays`
        : undefined,
    );

    ({ key: this.key, alias: this.alias } = addDedicatedKey(this, {
      description: `${props.purpose} archive (${name})`,
      alias: `alias/${name}`,
      deletionWindowInDays: props.keyDeletionWindowInDays,
      breakGlassRoleArn: props.breakGlassRoleArn ?? null,
    }));

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: name,
      objectLockEnabled: true,
      forceDestroy: false,
    });
    protectStateful([this.bucket, this.key], props.preventDestroy);
    const bucket = this.bucket.id;
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.ownership = new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    this.objectLock = new S3BucketObjectLockConfigurationA(this, 'object-lock', {
      bucket,
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: this.objectLockMode, days: this.retentionDays } },
      dependsOn: [this.versioning],
    });
    this.encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    this.lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      dependsOn: [this.versioning],
      rule: [
        {
          id: 'archive-tiers',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          transition: [
            { days: glacierDays, storageClass: 'GLACIER_IR' },
            { days: deepArchiveDays, storageClass: 'DEEP_ARCHIVE' },
          ],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    this.logging = new S3BucketLoggingA(this, 'logging', {
      bucket,
      targetBucket: props.accessLogs.bucket.id,
      targetPrefix: `${props.accessLogs.s3Prefix}/${name}/`,
      // S3 refuses PutBucketLogging (InvalidTargetBucketForLogging) until the target's policy grants log delivery.
      dependsOn: [props.accessLogs.policy],
    });
    const arn = this.bucket.arn;
    const denyPut = (Sid: string, Condition: Record<string, Record<string, string>>) => ({
      Sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${arn}/*`,
      Condition,
    });
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket,
      dependsOn: [this.publicAccessBlock],
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          denyInsecureTransport(arn),
          // An upload that asks for no encryption, SSE-S3 (AES256) or DSSE is refused; one without the header gets the
          // default SSE-KMS key below. (A `Null` deny on the header would also refuse every multipart UploadPart,
          // which never carries it, so large uploads would fail.)
          denyPut('DenyNonKmsEncryption', {
            StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          }),
          denyPut('DenyOtherKmsKeys', {
            StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.arn },
          }),
        ],
      }),
    });
  }

  /**
   * Grants least-privilege read/write access to this bucket (or one key prefix of it) through a managed IAM policy:
   * list, read objects and versions, put objects and abort multipart uploads, and use the bucket's key through S3
   * only. Deleting is never granted: a delete in a versioned, locked bucket only hides data, and retention decides
   * when data goes. Attach the policy to the grantee's role (`ColorFleetProps.managedPolicies`).
   */
  public grantReadWrite(id: string, props: ArchiveGrantProps): IamPolicy {
    return this.grantPolicy(id, props, true);
  }

  /** Grants read-only access to this bucket (or one key prefix of it) through a managed IAM policy: list and read, decrypt through S3. */
  public grantRead(id: string, props: ArchiveGrantProps): IamPolicy {
    return this.grantPolicy(id, props, false);
  }

  private grantPolicy(id: string, props: ArchiveGrantProps, write: boolean): IamPolicy {
    validateAwsName(this, 'grant name', props.name, AWS_NAME_RULES.iamPolicy);
    const prefix = props.keyPrefix ?? '';
    checkProp(this, prefix, (p) =>
      p.startsWith('/') || /[*?]/.test(p)
        ? `keyPrefix "${p}" must not start with "/" or contain wildcards. Fix: give a plain key prefix such as "releases/"`
        : undefined,
    );
    const arn = this.bucket.arn;
    const objectActions = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectRetention'];
    if (write) objectActions.push('s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts');
    const kmsActions = write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
    return new IamPolicy(this, id, {
      name: props.name,
      description: `${write ? 'Read/write' : 'Read'} access to s3://${this.bucket.bucket}/${prefix}`,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ListPrefix',
            Effect: 'Allow',
            Action: ['s3:ListBucket', 's3:GetBucketLocation'],
            Resource: arn,
            ...(prefix ? { Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
          },
          { Sid: 'Objects', Effect: 'Allow', Action: objectActions, Resource: `${arn}/${prefix}*` },
          {
            Sid: 'KeyThroughS3',
            Effect: 'Allow',
            Action: kmsActions,
            Resource: this.key.arn,
            Condition: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
          },
        ],
      }),
    });
  }
}

function wholeDays(scope: Construct, prop: string, value: number, max: number): number {
  checkProp(scope, value, (v) =>
    !Number.isInteger(v) || v < 1 || v > max
      ? `${prop} must be a whole number of days from 1 to ${max}, got ${v}. Fix: set ${prop} within 1–${max}`
      : undefined,
  );
  return value;
}
