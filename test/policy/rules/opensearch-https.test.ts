import { openSearchHttps } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const domain = (options?: Record<string, unknown>) => ({
  type: 'aws_opensearch_domain',
  name: 'logs',
  config: { domain_name: 'shop-prod-logs', domain_endpoint_options: options },
});

describe('opensearch-https', () => {
  test('passes enforce_https with TLS 1.2', () => {
    expect(
      verdict(openSearchHttps, [domain({ enforce_https: true, tls_security_policy: 'Policy-Min-TLS-1-2-2019-07' })]),
    ).toBe('compliant');
  });
  test('fails enforce_https with the TLS 1.0 policy', () => {
    expect(
      check(openSearchHttps, [domain({ enforce_https: true, tls_security_policy: 'Policy-Min-TLS-1-0-2019-07' })])
        .detail,
    ).toBe('tls_security_policy is Policy-Min-TLS-1-0-2019-07');
  });
  test('fails a domain that accepts plain HTTP', () => {
    expect(check(openSearchHttps, [domain()]).detail).toBe('enforce_https is not true');
  });
});
