import { defineRule } from '../rule';
import { block } from '../stack-view';

/** OpenSearch domains live inside the VPC, not on a public endpoint. */
export const openSearchInVpc = defineRule({
  id: 'opensearch-in-vpc',
  checkovId: 'CKV_AWS_137',
  explanation: 'log store domain has a public endpoint instead of living in the VPC',
  fix: 'set vpc_options { subnet_ids = <private subnets>, security_group_ids = [...] }',
  resourceTypes: ['aws_opensearch_domain', 'aws_elasticsearch_domain'],
  evaluate(domain) {
    const subnets = block(domain.config.vpc_options).subnet_ids;
    const inVpc = (Array.isArray(subnets) && subnets.length > 0) || (typeof subnets === 'string' && subnets !== '');
    return inVpc ? 'compliant' : 'non-compliant';
  },
});
