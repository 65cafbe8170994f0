import { defineRule } from '../rule';
import { block, isTrue } from '../stack-view';

/** OpenSearch (and legacy Elasticsearch) domains encrypt traffic between their nodes. */
export const openSearchNodeToNode = defineRule({
  id: 'opensearch-node-to-node',
  checkovId: 'CKV_AWS_6',
  explanation: 'log store domain does not encrypt traffic between its nodes',
  fix: 'set node_to_node_encryption { enabled = true }',
  resourceTypes: ['aws_opensearch_domain', 'aws_elasticsearch_domain'],
  evaluate(domain) {
    return isTrue(block(domain.config.node_to_node_encryption).enabled) ? 'compliant' : 'non-compliant';
  },
});
