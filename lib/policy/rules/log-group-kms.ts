import { defineRule } from '../rule';

/** CloudWatch log groups are encrypted with a customer-managed KMS key. */
export const logGroupKms = defineRule({
  id: 'log-group-kms',
  checkovId: 'CKV_AWS_158',
  explanation: 'log group is not encrypted with a customer-managed KMS key',
  fix: 'set kms_key_id to the environment log key ARN (see LogEncryptionKey)',
  resourceTypes: ['aws_cloudwatch_log_group'],
  evaluate(group) {
    return typeof group.config.kms_key_id === 'string' && group.config.kms_key_id !== ''
      ? 'compliant'
      : 'non-compliant';
  },
});
