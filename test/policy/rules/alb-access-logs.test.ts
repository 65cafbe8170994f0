import { albAccessLogs } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const lb = (config: Record<string, unknown>) => ({ type: 'aws_lb', name: 'alb', config });

describe('alb-access-logs', () => {
  test('passes an ALB writing access logs to a bucket', () => {
    expect(
      verdict(albAccessLogs, [
        lb({ access_logs: { bucket: '${aws_s3_bucket.logs.id}', prefix: 'alb', enabled: true } }),
      ]),
    ).toBe('compliant');
  });
  test('fails an ALB with access logs disabled', () => {
    expect(verdict(albAccessLogs, [lb({ access_logs: { bucket: 'logs', enabled: false } })])).toBe('non-compliant');
  });
  test('fails an ALB without access_logs', () => {
    expect(verdict(albAccessLogs, [lb({})])).toBe('non-compliant');
  });
});
