import { albTlsPolicy } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const https = (config: Record<string, unknown> = {}) => ({
  type: 'aws_lb_listener',
  name: 'l',
  config: { protocol: 'HTTPS', port: 443, ...config },
});

describe('alb-tls-policy', () => {
  test('passes a TLS 1.3/1.2 policy', () => {
    expect(verdict(albTlsPolicy, [https({ ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' })])).toBe('compliant');
  });
  test('fails the 2016-08 policy that allows TLS 1.0', () => {
    expect(check(albTlsPolicy, [https({ ssl_policy: 'ELBSecurityPolicy-2016-08' })]).compliance).toBe('non-compliant');
  });
  test('fails an HTTPS listener without ssl_policy (the default allows TLS 1.0)', () => {
    expect(check(albTlsPolicy, [https()]).detail).toMatch(/ssl_policy is not set/);
  });
  test('does not apply to HTTP listeners', () => {
    expect(verdict(albTlsPolicy, [{ type: 'aws_lb_listener', name: 'l', config: { protocol: 'HTTP' } }])).toBe(
      'not-applicable',
    );
  });
});
