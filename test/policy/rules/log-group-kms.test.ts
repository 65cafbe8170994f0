import { logGroupKms } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const group = (config: Record<string, unknown>) => ({
  type: 'aws_cloudwatch_log_group',
  name: 'g',
  config: { name: '/app/shop', ...config },
});

describe('log-group-kms', () => {
  test('passes a group encrypted with a KMS key', () => {
    expect(verdict(logGroupKms, [group({ kms_key_id: '${aws_kms_key.log.arn}' })])).toBe('compliant');
  });
  test('fails a group without kms_key_id', () => {
    expect(verdict(logGroupKms, [group({})])).toBe('non-compliant');
  });
});
