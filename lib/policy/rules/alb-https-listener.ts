import { defineRule, nonCompliant } from '../rule';
import { block, blocks, references, SynthResource, StackView } from '../stack-view';

/** The load balancer a listener belongs to, when it is in the same stack. */
export function listenerLoadBalancer(listener: SynthResource, stack: StackView): SynthResource | undefined {
  return stack.ofType('aws_lb', 'aws_alb').find((lb) => references(listener.config.load_balancer_arn, lb));
}

/** Application load balancer listeners serve HTTPS, or redirect HTTP to HTTPS. */
export const albHttpsListener = defineRule({
  id: 'alb-https-listener',
  checkovId: 'CKV_AWS_2',
  explanation: 'load balancer listener serves plain HTTP instead of HTTPS or a redirect to HTTPS',
  fix: 'use protocol = "HTTPS" with a certificate_arn, or make the HTTP listener\'s default_action a redirect with protocol = "HTTPS" and status_code = "HTTP_301"',
  resourceTypes: ['aws_lb_listener', 'aws_alb_listener'],
  evaluate(listener, stack) {
    const lbType = listenerLoadBalancer(listener, stack)?.config.load_balancer_type;
    if (lbType !== undefined && lbType !== 'application') return 'not-applicable';
    const protocol = String(listener.config.protocol ?? 'HTTP').toUpperCase();
    if (protocol === 'HTTPS') return 'compliant';
    if (protocol !== 'HTTP') return 'not-applicable';
    const actions = blocks(listener.config.default_action);
    const redirects =
      actions.length > 0 &&
      actions.every((a) => a.type === 'redirect' && String(block(a.redirect).protocol).toUpperCase() === 'HTTPS');
    return redirects ? 'compliant' : nonCompliant(`port ${String(listener.config.port ?? 80)} forwards plain HTTP`);
  },
});
