import { statefulPreventDestroy } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const r = (type: string, config: Record<string, unknown>) => ({ type, name: 'x', config });

describe('stateful-prevent-destroy', () => {
  test('passes a secret, a key and a log group with prevent_destroy (and skip_destroy on the group)', () => {
    expect(
      verdict(statefulPreventDestroy, [r('aws_secretsmanager_secret', { lifecycle: { prevent_destroy: true } })]),
    ).toBe('compliant');
    expect(verdict(statefulPreventDestroy, [r('aws_kms_key', { lifecycle: { prevent_destroy: true } })])).toBe(
      'compliant',
    );
    expect(
      verdict(statefulPreventDestroy, [
        r('aws_cloudwatch_log_group', { skip_destroy: true, lifecycle: { prevent_destroy: true } }),
      ]),
    ).toBe('compliant');
  });
  test('fails a log group without prevent_destroy, and one without skip_destroy', () => {
    expect(check(statefulPreventDestroy, [r('aws_cloudwatch_log_group', { skip_destroy: true })])).toEqual({
      compliance: 'non-compliant',
      detail: 'lifecycle.prevent_destroy is not true',
    });
    expect(
      check(statefulPreventDestroy, [r('aws_cloudwatch_log_group', { lifecycle: { prevent_destroy: true } })]),
    ).toEqual({ compliance: 'non-compliant', detail: 'skip_destroy is not true' });
  });
  test('fails a secret version and a KMS key without prevent_destroy; ignores stateless types', () => {
    expect(
      verdict(statefulPreventDestroy, [
        r('aws_secretsmanager_secret_version', { lifecycle: { ignore_changes: ['secret_string'] } }),
      ]),
    ).toBe('non-compliant');
    expect(verdict(statefulPreventDestroy, [r('aws_kms_key', {})])).toBe('non-compliant');
    expect(verdict(statefulPreventDestroy, [r('aws_lb_listener', {})])).toBe('not-applicable');
  });
});
