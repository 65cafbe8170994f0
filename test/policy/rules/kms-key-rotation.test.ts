import { kmsKeyRotation } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const key = (config: Record<string, unknown>) => ({
  type: 'aws_kms_key',
  name: 'k',
  config: { description: 'logs', ...config },
});

describe('kms-key-rotation', () => {
  test('passes a symmetric key with rotation', () => {
    expect(verdict(kmsKeyRotation, [key({ enable_key_rotation: true })])).toBe('compliant');
  });
  test('fails a symmetric key without rotation', () => {
    expect(verdict(kmsKeyRotation, [key({})])).toBe('non-compliant');
  });
  test('does not apply to asymmetric keys, which AWS cannot rotate', () => {
    expect(verdict(kmsKeyRotation, [key({ customer_master_key_spec: 'RSA_2048' })])).toBe('not-applicable');
  });
});
