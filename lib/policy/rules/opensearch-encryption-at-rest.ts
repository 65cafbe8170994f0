import { defineRule } from '../rule';
import { block, isTrue } from '../stack-view';

/** OpenSearch (and legacy Elasticsearch) domains encrypt their data at rest. */
export const openSearchEncryptionAtRest = defineRule({
  id: 'opensearch-encryption-at-rest',
  checkovId: 'CKV_AWS_5',
  explanation: 'log store domain does not encrypt data at rest',
  fix: 'set encrypt_at_rest { enabled = true } (optionally with kms_key_id)',
  resourceTypes: ['aws_opensearch_domain', 'aws_elasticsearch_domain'],
  evaluate(domain) {
    return isTrue(block(domain.config.encrypt_at_rest).enabled) ? 'compliant' : 'non-compliant';
  },
});
