import { openSearchNodeToNode } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const domain = (config: Record<string, unknown>) => ({
  type: 'aws_opensearch_domain',
  name: 'logs',
  config: { domain_name: 'shop-prod-logs', ...config },
});

describe('opensearch-node-to-node', () => {
  test('passes a domain with node-to-node encryption', () => {
    expect(verdict(openSearchNodeToNode, [domain({ node_to_node_encryption: [{ enabled: true }] })])).toBe('compliant');
  });
  test('fails a domain with node-to-node encryption off', () => {
    expect(verdict(openSearchNodeToNode, [domain({ node_to_node_encryption: [{ enabled: false }] })])).toBe(
      'non-compliant',
    );
  });
  test('fails a domain that does not mention it', () => {
    expect(verdict(openSearchNodeToNode, [domain({})])).toBe('non-compliant');
  });
  test('covers legacy aws_elasticsearch_domain', () => {
    expect(
      verdict(openSearchNodeToNode, [
        { type: 'aws_elasticsearch_domain', name: 'logs', config: { node_to_node_encryption: [{ enabled: true }] } },
      ]),
    ).toBe('compliant');
  });
});
