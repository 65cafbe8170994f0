import { defineRule, nonCompliant } from '../rule';
import { bucketCompanions, isArchiveBucket } from '../s3-companions';
import { block, isTrue } from '../stack-view';

/**
 * Archive buckets (tagged `purpose: archive`, named `*archive*`, or created with object lock) have object lock
 * on and a default retention, so archived objects cannot be deleted or overwritten.
 */
export const s3ArchiveObjectLock = defineRule({
  id: 's3-archive-object-lock',
  checkovId: 'CKV_AWS_143',
  explanation:
    'archive bucket does not have object lock with a default retention, so archives can be deleted or overwritten',
  fix: 'create the bucket with object_lock_enabled = true and add an aws_s3_bucket_object_lock_configuration with a default_retention (mode COMPLIANCE or GOVERNANCE)',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket, stack) {
    if (!isArchiveBucket(bucket)) return 'not-applicable';
    if (!isTrue(bucket.config.object_lock_enabled)) return nonCompliant('object_lock_enabled is not true');
    const locks = bucketCompanions(bucket, stack, 'aws_s3_bucket_object_lock_configuration');
    const retained = locks.some((l) => {
      const retention = block(block(l.config.rule).default_retention);
      return (
        (retention.mode === 'COMPLIANCE' || retention.mode === 'GOVERNANCE') &&
        (retention.days !== undefined || retention.years !== undefined)
      );
    });
    return retained ? 'compliant' : nonCompliant('no aws_s3_bucket_object_lock_configuration with a default retention');
  },
});
