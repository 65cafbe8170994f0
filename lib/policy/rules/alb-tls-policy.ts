import { defineRule, nonCompliant } from '../rule';

/** Security policies that allow nothing older than TLS 1.2 (ELB predefined policy names). */
export function isModernTlsPolicy(policy: string): boolean {
  return /^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)/.test(policy);
}

/** HTTPS/TLS listeners use a TLS 1.2+ security policy. */
export const albTlsPolicy = defineRule({
  id: 'alb-tls-policy',
  checkovId: 'CKV_AWS_103',
  explanation: 'HTTPS listener allows TLS versions older than 1.2',
  fix: 'set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another ELBSecurityPolicy-TLS13-*/TLS-1-2-*/FS-1-2-* policy)',
  resourceTypes: ['aws_lb_listener', 'aws_alb_listener'],
  evaluate(listener) {
    const protocol = String(listener.config.protocol ?? 'HTTP').toUpperCase();
    if (protocol !== 'HTTPS' && protocol !== 'TLS') return 'not-applicable';
    const policy = listener.config.ssl_policy;
    if (typeof policy !== 'string')
      return nonCompliant('ssl_policy is not set (the default ELBSecurityPolicy-2016-08 allows TLS 1.0)');
    return isModernTlsPolicy(policy) ? 'compliant' : nonCompliant(`ssl_policy is ${policy}`);
  },
});
