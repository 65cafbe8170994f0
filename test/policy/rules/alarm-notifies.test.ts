import { alarmNotifies } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const alarm = (config: Record<string, unknown>) => ({
  type: 'aws_cloudwatch_metric_alarm',
  name: 'a',
  config: { alarm_name: 'x', ...config },
});

describe('alarm-notifies', () => {
  test('passes an alarm that notifies a topic', () => {
    expect(verdict(alarmNotifies, [alarm({ alarm_actions: ['${aws_sns_topic.t.arn}'] })])).toBe('compliant');
  });
  test('fails an alarm without actions, or with actions disabled', () => {
    expect(check(alarmNotifies, [alarm({ alarm_actions: [] })])).toEqual({
      compliance: 'non-compliant',
      detail: 'alarm_actions is empty',
    });
    expect(check(alarmNotifies, [alarm({})])).toEqual({
      compliance: 'non-compliant',
      detail: 'alarm_actions is empty',
    });
    expect(verdict(alarmNotifies, [alarm({ alarm_actions: ['arn'], actions_enabled: false })])).toBe('non-compliant');
  });
});
