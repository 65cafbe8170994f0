import { defineRule } from '../rule';
import { isTrue } from '../stack-view';

/** Load balancers of production environments have deletion protection. */
export const albDeletionProtection = defineRule({
  id: 'alb-deletion-protection',
  checkovId: 'CKV_AWS_150',
  explanation: 'production load balancer can be deleted by a single apply',
  fix: 'set enable_deletion_protection = true on the load balancer (production environments)',
  resourceTypes: ['aws_lb', 'aws_alb'],
  evaluate(lb, stack) {
    if (!stack.production) return 'not-applicable';
    return isTrue(lb.config.enable_deletion_protection) ? 'compliant' : 'non-compliant';
  },
});
