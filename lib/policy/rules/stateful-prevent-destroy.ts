import { defineRule, nonCompliant } from '../rule';
import { block, isTrue } from '../stack-view';

/** Resource types that hold data a destroy would lose (or, for keys, make unreadable). */
export const STATEFUL_TYPES = [
  'aws_s3_bucket',
  'aws_kms_key',
  'aws_cloudwatch_log_group',
  'aws_secretsmanager_secret',
  'aws_secretsmanager_secret_version',
  'aws_opensearch_domain',
  'aws_ecr_repository',
];

/**
 * Stateful resources carry Terraform's `prevent_destroy`, and log groups the provider's `skip_destroy` too, so a
 * plan that would delete data (a renamed id, a removed construct, `cdktf destroy`) fails instead.
 */
export const statefulPreventDestroy = defineRule({
  id: 'stateful-prevent-destroy',
  explanation: 'stateful resource can be destroyed by a plan (no lifecycle.prevent_destroy)',
  fix: 'set lifecycle { prevent_destroy = true } (the constructs do unless built with preventDestroy: false), and skip_destroy = true on log groups',
  resourceTypes: STATEFUL_TYPES,
  evaluate(resource) {
    if (!isTrue(block(resource.config.lifecycle).prevent_destroy))
      return nonCompliant('lifecycle.prevent_destroy is not true');
    if (resource.type === 'aws_cloudwatch_log_group' && !isTrue(resource.config.skip_destroy))
      return nonCompliant('skip_destroy is not true');
    return 'compliant';
  },
});
