import { defineRule, nonCompliant } from '../rule';

/** Every CloudWatch alarm notifies someone (an alarm action), or it changes state unseen. */
export const alarmNotifies = defineRule({
  id: 'alarm-notifies',
  explanation: 'CloudWatch alarm has no alarm action, so nobody learns that it fired',
  fix: 'add the environment alarm topic (AlarmTopic.topic.arn, e.g. LogMetrics alarmTopicArns) to alarm_actions and ok_actions',
  resourceTypes: ['aws_cloudwatch_metric_alarm'],
  evaluate(alarm) {
    const actions = alarm.config.alarm_actions;
    if (alarm.config.actions_enabled === false) return nonCompliant('actions_enabled is false');
    return Array.isArray(actions) && actions.length > 0 ? 'compliant' : nonCompliant('alarm_actions is empty');
  },
});
