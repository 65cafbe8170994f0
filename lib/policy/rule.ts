import { AppView, StackView, SynthResource } from './stack-view';

/** The outcome of one rule for one resource. */
export type Compliance = 'compliant' | 'non-compliant' | 'not-applicable';

/** A verdict with an optional detail naming what exactly is wrong, e.g. `port 22 open to 0.0.0.0/0`. */
export interface RuleOutcome {
  /** The verdict. */
  readonly compliance: Compliance;
  /** What exactly is wrong (non-compliant only); appended to the explanation. */
  readonly detail?: string;
}

/**
 * One guardrail: a small pure function over a synthesized resource (its Terraform type and its config as it
 * appears in `cdk.tf.json`, snake_case), with the stack's other resources at hand for cross-resource checks, and
 * every stack of the app for checks that span stacks (e.g. names unique per account).
 */
export interface PolicyRule {
  /** Stable kebab-case id, used in findings and suppressions, e.g. `s3-public-access-block`. */
  readonly id: string;
  /** The matching checkov check id(s), where a public scanner has one, e.g. `CKV2_AWS_6`. */
  readonly checkovId?: string;
  /** One line: what is wrong when the rule fires. */
  readonly explanation: string;
  /** One line: how to fix it. */
  readonly fix: string;
  /** Terraform resource types the rule looks at; every other type is not applicable. */
  readonly resourceTypes: readonly string[];
  /**
   * Evaluates one resource of one of {@link resourceTypes}. `app` holds every stack checked together
   * (`PolicyPack.checkApp`, `checkSynthesized`); a stack checked alone sees an app of itself.
   */
  evaluate(resource: SynthResource, stack: StackView, app: AppView): Compliance | RuleOutcome;
}

/** Declares a rule (identity function that checks the shape and the id format). */
export function defineRule(rule: PolicyRule): PolicyRule {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.id)) throw new Error(`policy rule id "${rule.id}" must be kebab-case`);
  return Object.freeze(rule);
}

/** A non-compliant outcome with a detail. */
export function nonCompliant(detail?: string): RuleOutcome {
  return { compliance: 'non-compliant', detail };
}

/** Normalizes a rule's return value to a {@link RuleOutcome}. */
export function outcomeOf(result: Compliance | RuleOutcome): RuleOutcome {
  return typeof result === 'string' ? { compliance: result } : result;
}
