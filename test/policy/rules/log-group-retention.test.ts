import { logGroupRetention } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const group = (config: Record<string, unknown>) => ({
  type: 'aws_cloudwatch_log_group',
  name: 'g',
  config: { name: '/app/shop', ...config },
});

describe('log-group-retention', () => {
  test('passes a group with retention_in_days', () => {
    expect(verdict(logGroupRetention, [group({ retention_in_days: 90 })])).toBe('compliant');
  });
  test('fails a group that keeps logs forever', () => {
    expect(verdict(logGroupRetention, [group({})])).toBe('non-compliant');
    expect(verdict(logGroupRetention, [group({ retention_in_days: 0 })])).toBe('non-compliant');
  });
});
