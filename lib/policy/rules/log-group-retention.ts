import { defineRule, nonCompliant } from '../rule';

/** CloudWatch log groups have a retention period (never "keep forever" by omission). */
export const logGroupRetention = defineRule({
  id: 'log-group-retention',
  checkovId: 'CKV_AWS_66',
  explanation: 'log group keeps logs forever because retention_in_days is not set',
  fix: 'set retention_in_days (e.g. 90, or 365 in production)',
  resourceTypes: ['aws_cloudwatch_log_group'],
  evaluate(group) {
    const days = group.config.retention_in_days;
    if (days === undefined || days === null || Number(days) === 0) return nonCompliant('retention_in_days is not set');
    return 'compliant';
  },
});
