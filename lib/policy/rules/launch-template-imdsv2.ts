import { defineRule, nonCompliant } from '../rule';
import { block } from '../stack-view';

/** Launch templates and instances require IMDSv2 (session tokens), which blocks SSRF credential theft. */
export const launchTemplateImdsv2 = defineRule({
  id: 'launch-template-imdsv2',
  checkovId: 'CKV_AWS_79',
  explanation: 'instance metadata service v1 is allowed, so an SSRF bug can read the instance role credentials',
  fix: 'set metadata_options { http_tokens = "required", http_endpoint = "enabled" }',
  resourceTypes: ['aws_launch_template', 'aws_instance'],
  evaluate(resource) {
    const options = block(resource.config.metadata_options);
    if (options.http_endpoint === 'disabled') return 'compliant';
    return options.http_tokens === 'required'
      ? 'compliant'
      : nonCompliant(`http_tokens is ${String(options.http_tokens ?? 'unset (optional)')}`);
  },
});
