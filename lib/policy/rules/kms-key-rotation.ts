import { defineRule } from '../rule';
import { isTrue } from '../stack-view';

/** Symmetric customer-managed KMS keys rotate their key material yearly. */
export const kmsKeyRotation = defineRule({
  id: 'kms-key-rotation',
  checkovId: 'CKV_AWS_7',
  explanation: 'KMS key never rotates its key material',
  fix: 'set enable_key_rotation = true on the key',
  resourceTypes: ['aws_kms_key'],
  evaluate(key) {
    const spec = key.config.customer_master_key_spec ?? key.config.key_spec ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT') return 'not-applicable'; // AWS rotates only symmetric encryption keys
    return isTrue(key.config.enable_key_rotation) ? 'compliant' : 'non-compliant';
  },
});
