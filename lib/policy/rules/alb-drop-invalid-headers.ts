import { defineRule } from '../rule';
import { isTrue } from '../stack-view';

/** Application load balancers drop requests with invalid HTTP header fields (request smuggling defence). */
export const albDropInvalidHeaders = defineRule({
  id: 'alb-drop-invalid-headers',
  checkovId: 'CKV_AWS_131',
  explanation: 'application load balancer passes invalid HTTP header fields through to the targets',
  fix: 'set drop_invalid_header_fields = true on the load balancer',
  resourceTypes: ['aws_lb', 'aws_alb'],
  evaluate(lb) {
    if ((lb.config.load_balancer_type ?? 'application') !== 'application') return 'not-applicable';
    return isTrue(lb.config.drop_invalid_header_fields) ? 'compliant' : 'non-compliant';
  },
});
