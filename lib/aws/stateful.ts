import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { TerraformResource } from 'cdktf';
import { suppress } from '../policy/suppression';

/** The guardrail rule that requires `prevent_destroy` on stateful resources (see `lib/policy/rules/stateful-prevent-destroy.ts`). */
export const STATEFUL_PREVENT_DESTROY_RULE = 'stateful-prevent-destroy';

/**
 * Marks resources that hold data (buckets, keys, log groups, secrets, the log store, the registry) as stateful:
 * Terraform's `prevent_destroy`, and for log groups the provider's `skip_destroy` (a destroy only forgets the
 * group, its events stay). With `preventDestroy: false` (a construct's documented opt-out, for disposable
 * environments) both are off and the guardrail finding is suppressed with the reason, so reviews see the choice.
 */
export function protectStateful(resources: readonly TerraformResource[], preventDestroy = true): void {
  for (const resource of resources) {
    resource.lifecycle = { ...(resource.lifecycle ?? {}), preventDestroy };
    if (resource instanceof CloudwatchLogGroup) resource.skipDestroy = preventDestroy;
    if (!preventDestroy)
      suppress(
        resource,
        STATEFUL_PREVENT_DESTROY_RULE,
        'the construct was built with preventDestroy: false (a disposable environment)',
      );
  }
}
