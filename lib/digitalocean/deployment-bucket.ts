import { SpacesBucket } from '@cdktf/provider-digitalocean/lib/spaces-bucket';
import { Construct } from 'constructs';
import { checkProp } from '../construct-errors';

/** Props for {@link DeploymentBucket}. */
export interface DeploymentBucketProps {
  /** Bucket name, globally unique: 3–63 lowercase letters, digits and dashes. */
  readonly bucketName: string;
  /** Spaces region, e.g. `fra1`. */
  readonly region: string;
  /**
   * Days a replaced or deleted object version is kept before it expires.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days after which an unfinished multipart upload is aborted.
   * @default 7
   */
  readonly abortIncompleteUploadDays?: number;
  /**
   * Terraform `prevent_destroy` on the bucket: a plan that would delete it fails.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The environment's Spaces bucket for deployment records and application files: private ACL, versioning on
 * (an overwritten record stays recoverable), old versions and stale uploads expire by lifecycle, and neither
 * Terraform (`prevent_destroy`, unless `preventDestroy` is false) nor a non-empty delete (`force_destroy` off) can
 * remove it.
 *
 * Spaces has no server-side default encryption switch and no bucket tags; objects are encrypted at rest by
 * the platform.
 */
export class DeploymentBucket extends Construct {
  /** The bucket. */
  public readonly bucket: SpacesBucket;

  constructor(scope: Construct, id: string, props: DeploymentBucketProps) {
    super(scope, id);
    checkProp(this, props.bucketName, (name) =>
      /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)
        ? undefined
        : `bucketName "${name}" must be 3–63 lowercase letters, digits and dashes (no dots: they break TLS on Spaces). Fix: rename the bucket with those characters only`,
    );
    const days = props.noncurrentVersionExpirationDays ?? 90;
    checkProp(this, days, (d) =>
      !Number.isInteger(d) || d < 1
        ? `noncurrentVersionExpirationDays must be a whole number ≥ 1 (got ${d}). Fix: keep old versions at least a day`
        : undefined,
    );
    this.bucket = new SpacesBucket(this, 'bucket', {
      name: props.bucketName,
      region: props.region,
      acl: 'private',
      forceDestroy: false,
      versioning: { enabled: true },
      lifecycleRule: [
        {
          id: 'expire-old-versions',
          enabled: true,
          noncurrentVersionExpiration: { days },
          abortIncompleteMultipartUploadDays: props.abortIncompleteUploadDays ?? 7,
        },
      ],
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
  }
}
