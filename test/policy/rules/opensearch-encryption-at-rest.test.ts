import { openSearchEncryptionAtRest } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const domain = (config: Record<string, unknown>) => ({
  type: 'aws_opensearch_domain',
  name: 'logs',
  config: { domain_name: 'shop-prod-logs', ...config },
});

describe('opensearch-encryption-at-rest', () => {
  test('passes a domain with encryption at rest', () => {
    expect(verdict(openSearchEncryptionAtRest, [domain({ encrypt_at_rest: { enabled: true } })])).toBe('compliant');
  });
  test('fails a domain with encryption at rest off', () => {
    expect(verdict(openSearchEncryptionAtRest, [domain({ encrypt_at_rest: { enabled: false } })])).toBe(
      'non-compliant',
    );
  });
  test('fails a domain that does not mention it', () => {
    expect(verdict(openSearchEncryptionAtRest, [domain({})])).toBe('non-compliant');
  });
  test('covers legacy aws_elasticsearch_domain', () => {
    expect(
      verdict(openSearchEncryptionAtRest, [
        { type: 'aws_elasticsearch_domain', name: 'logs', config: { encrypt_at_rest: { enabled: true } } },
      ]),
    ).toBe('compliant');
  });
});
