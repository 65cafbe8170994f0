import { defineRule } from '../rule';
import { bucketCompanions } from '../s3-companions';
import { block, isTrue } from '../stack-view';

/** Every S3 bucket has versioning enabled. */
export const s3Versioning = defineRule({
  id: 's3-versioning',
  checkovId: 'CKV_AWS_21',
  explanation: 'S3 bucket does not have versioning enabled, so overwritten or deleted objects cannot be recovered',
  fix: 'add an aws_s3_bucket_versioning for the bucket with versioning_configuration.status = "Enabled"',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket, stack) {
    if (isTrue(block(bucket.config.versioning).enabled)) return 'compliant';
    const enabled = bucketCompanions(bucket, stack, 'aws_s3_bucket_versioning').some(
      (v) => block(v.config.versioning_configuration).status === 'Enabled',
    );
    return enabled ? 'compliant' : 'non-compliant';
  },
});
