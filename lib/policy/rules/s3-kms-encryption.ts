import { defineRule, nonCompliant } from '../rule';
import { bucketCompanions } from '../s3-companions';
import { block, blocks } from '../stack-view';

const KMS = ['aws:kms', 'aws:kms:dsse'];

/** Every S3 bucket encrypts by default with a KMS key (CKV_AWS_19 asks for any encryption; this asks for KMS). */
export const s3KmsEncryption = defineRule({
  id: 's3-kms-encryption',
  checkovId: 'CKV_AWS_145, CKV_AWS_19',
  explanation: 'S3 bucket is not encrypted by default with a KMS key',
  fix: 'add an aws_s3_bucket_server_side_encryption_configuration with apply_server_side_encryption_by_default.sse_algorithm = "aws:kms" and a kms_master_key_id',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket, stack) {
    const configs = bucketCompanions(bucket, stack, 'aws_s3_bucket_server_side_encryption_configuration');
    const algorithms = configs.flatMap((c) =>
      blocks(c.config.rule).map((r) => block(r.apply_server_side_encryption_by_default).sse_algorithm),
    );
    if (algorithms.length === 0)
      return nonCompliant('no aws_s3_bucket_server_side_encryption_configuration references it');
    const weak = algorithms.filter((a) => !KMS.includes(String(a)));
    return weak.length === 0 ? 'compliant' : nonCompliant(`sse_algorithm is ${weak.map(String).join(', ')}`);
  },
});
