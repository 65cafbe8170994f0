import { albHttpsListener } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const listener = (config: Record<string, unknown>) => ({
  type: 'aws_lb_listener',
  name: 'l',
  config: { load_balancer_arn: '${aws_lb.alb.arn}', ...config },
});
const alb = (type = 'application') => ({ type: 'aws_lb', name: 'alb', config: { load_balancer_type: type } });

describe('alb-https-listener', () => {
  test('passes an HTTPS listener', () => {
    expect(verdict(albHttpsListener, [listener({ protocol: 'HTTPS', port: 443 }), alb()])).toBe('compliant');
  });
  test('passes an HTTP listener that redirects to HTTPS', () => {
    const redirect = listener({
      protocol: 'HTTP',
      port: 80,
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    expect(verdict(albHttpsListener, [redirect, alb()])).toBe('compliant');
  });
  test('fails an HTTP listener that forwards', () => {
    const forward = listener({
      protocol: 'HTTP',
      port: 80,
      default_action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.blue.arn}' }],
    });
    expect(check(albHttpsListener, [forward, alb()])).toEqual({
      compliance: 'non-compliant',
      detail: 'port 80 forwards plain HTTP',
    });
  });
  test('does not apply to network load balancer listeners', () => {
    expect(verdict(albHttpsListener, [listener({ protocol: 'TCP', port: 80 }), alb('network')])).toBe('not-applicable');
  });
});
