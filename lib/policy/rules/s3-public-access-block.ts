import { defineRule, nonCompliant } from '../rule';
import { bucketCompanions } from '../s3-companions';
import { isTrue } from '../stack-view';

const FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;

/** Every S3 bucket has a public access block with all four flags on. */
export const s3PublicAccessBlock = defineRule({
  id: 's3-public-access-block',
  checkovId: 'CKV2_AWS_6',
  explanation: 'S3 bucket is not covered by a public access block with all four flags true',
  fix: 'add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket, stack) {
    const blocks = bucketCompanions(bucket, stack, 'aws_s3_bucket_public_access_block');
    if (blocks.length === 0) return nonCompliant('no aws_s3_bucket_public_access_block references it');
    const off = FLAGS.filter((f) => !blocks.some((b) => isTrue(b.config[f])));
    return off.length === 0 ? 'compliant' : nonCompliant(`${off.join(', ')} not true`);
  },
});
