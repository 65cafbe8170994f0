import { openSearchInVpc } from '../../../lib/policy';
import { verdict } from '../../support/policy';

describe('opensearch-in-vpc', () => {
  test('passes a domain with vpc_options subnets', () => {
    const d = {
      type: 'aws_opensearch_domain',
      name: 'logs',
      config: {
        vpc_options: {
          subnet_ids: ['${aws_subnet.private-0.id}'],
          security_group_ids: ['${aws_security_group.logs.id}'],
        },
      },
    };
    expect(verdict(openSearchInVpc, [d])).toBe('compliant');
  });
  test('fails a domain with a public endpoint', () => {
    expect(
      verdict(openSearchInVpc, [
        { type: 'aws_opensearch_domain', name: 'logs', config: { domain_name: 'shop-prod-logs' } },
      ]),
    ).toBe('non-compliant');
  });
});
