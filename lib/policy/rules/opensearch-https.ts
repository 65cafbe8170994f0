import { defineRule, nonCompliant } from '../rule';
import { block, isTrue } from '../stack-view';

/** OpenSearch domains accept HTTPS only, with TLS 1.2 or newer. */
export const openSearchHttps = defineRule({
  id: 'opensearch-https',
  checkovId: 'CKV_AWS_83',
  explanation: 'log store domain accepts plain HTTP or TLS older than 1.2',
  fix: 'set domain_endpoint_options { enforce_https = true, tls_security_policy = "Policy-Min-TLS-1-2-2019-07" }',
  resourceTypes: ['aws_opensearch_domain', 'aws_elasticsearch_domain'],
  evaluate(domain) {
    const options = block(domain.config.domain_endpoint_options);
    if (!isTrue(options.enforce_https)) return nonCompliant('enforce_https is not true');
    const policy = String(options.tls_security_policy ?? 'Policy-Min-TLS-1-0-2019-07');
    return /^Policy-Min-TLS-1-[23]/.test(policy) ? 'compliant' : nonCompliant(`tls_security_policy is ${policy}`);
  },
});
