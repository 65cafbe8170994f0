// Builds a synthesized stack from hand-written resources and runs one rule over one of them.
import { AppView, Compliance, outcomeOf, PolicyRule, RuleOutcome, StackView } from '../../lib/policy';

/** A resource as it appears in cdk.tf.json: type, name and snake_case config. */
export interface TestResource {
  readonly type: string;
  readonly name?: string;
  readonly config: Record<string, unknown>;
}

/** The synthesized JSON of a stack holding `resources` (names default to r0, r1, ...). */
export function stackJson(
  resources: readonly TestResource[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const resource: Record<string, Record<string, unknown>> = {};
  resources.forEach((r, i) => {
    resource[r.type] = { ...(resource[r.type] ?? {}), [r.name ?? `r${i}`]: r.config };
  });
  return { ...extra, resource };
}

/** Evaluates `rule` on the first resource, with the others in the same stack. */
export function check(
  rule: PolicyRule,
  resources: readonly TestResource[],
  options: { production?: boolean } = {},
): RuleOutcome {
  const view = new StackView('test-stack', stackJson(resources), options.production ?? false);
  const target = view.resources.find((r) => r.name === (resources[0].name ?? 'r0'));
  if (!target) throw new Error('no target resource');
  if (!rule.resourceTypes.includes(target.type)) return { compliance: 'not-applicable' };
  return outcomeOf(rule.evaluate(target, view, new AppView([view])));
}

/** Just the verdict. */
export function verdict(
  rule: PolicyRule,
  resources: readonly TestResource[],
  options: { production?: boolean } = {},
): Compliance {
  return check(rule, resources, options).compliance;
}

/** A bucket named `b` and companions that reference it. */
export const bucket = (config: Record<string, unknown> = {}): TestResource => ({
  type: 'aws_s3_bucket',
  name: 'b',
  config: { bucket: 'shop-prod-data', ...config },
});
/** The reference string cdktf writes for the bucket's id. */
export const BUCKET_REF = '${aws_s3_bucket.b.id}';
