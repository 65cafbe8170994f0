import { defineRule } from '../rule';
import { bucketCompanions } from '../s3-companions';
import { blocks } from '../stack-view';

/** Every S3 bucket writes server access logs. */
export const s3AccessLogging = defineRule({
  id: 's3-access-logging',
  checkovId: 'CKV_AWS_18',
  explanation: 'S3 bucket has no server access logging, so reads and writes cannot be audited',
  fix: 'add an aws_s3_bucket_logging for the bucket with a target_bucket (e.g. the environment access-log bucket)',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket, stack) {
    if (blocks(bucket.config.logging).some((l) => l.target_bucket)) return 'compliant';
    const logging = bucketCompanions(bucket, stack, 'aws_s3_bucket_logging').filter((l) => l.config.target_bucket);
    return logging.length > 0 ? 'compliant' : 'non-compliant';
  },
});
