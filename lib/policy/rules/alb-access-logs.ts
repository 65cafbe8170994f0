import { defineRule } from '../rule';
import { block, isTrue } from '../stack-view';

/** Load balancers write access logs to S3. */
export const albAccessLogs = defineRule({
  id: 'alb-access-logs',
  checkovId: 'CKV_AWS_91',
  explanation: 'load balancer does not write access logs',
  fix: 'set access_logs { bucket = <access-log bucket>, prefix = "alb", enabled = true } on the load balancer',
  resourceTypes: ['aws_lb', 'aws_alb'],
  evaluate(lb) {
    const logs = block(lb.config.access_logs);
    return logs.bucket && isTrue(logs.enabled ?? false) ? 'compliant' : 'non-compliant';
  },
});
