/**
 * The diff's data model: what changed between two sets of synthesized stacks, and what is flagged. Shared by the
 * compute modules (`diff-compute.ts`, `diff-blast-radius.ts`, `diff-release.ts`, `diff-values.ts`) and the
 * renderer (`diff-render.ts`).
 */
import { isStackName, parseStackName, StackRole } from '../../stacks/contract';

/** One changed attribute: its path inside the resource (`default_action[0].forward.target_group[1].weight`). */
export interface AttributeChange {
  /** Path of the value. */
  readonly path: string;
  /** Value in the base (absent when added). */
  readonly before?: unknown;
  /** Value in the head (absent when removed). */
  readonly after?: unknown;
  /** What the value is, when the path does not say (`green weight` for a listener's target group weight). */
  readonly label?: string;
}

/** What happens to a resource. */
export type ResourceAction = 'add' | 'remove' | 'update' | 'replace';

/** A resource that uses a replaced or removed one, and what happens to it. */
export interface Consumer {
  /** The consumer's stack. */
  readonly stack: string;
  /** Its Terraform address. */
  readonly address: string;
  /** Its construct path. */
  readonly path: string;
  /**
   * How it reaches the changed resource: the argument holding the reference (`vpc_id`), prefixed with the
   * published value it reads across stacks (`published blueTargetGroupArn → default_action`).
   */
  readonly via: string;
  /** `replace` when the argument forces a replacement of the consumer too, else `update`. */
  readonly effect: 'replace' | 'update';
}

/** Whether and how a replacement or removal can be deployed. */
export type Verdict = 'safe' | 'in-order' | 'downtime' | 'fails';

/** Everything a replaced or removed resource takes with it. */
export interface BlastRadius {
  /** Resources that use it, in its own stack and in other stacks (through the published shared values). */
  readonly consumers: readonly Consumer[];
  /** The verdict. */
  readonly verdict: Verdict;
  /** Why (one line each). */
  readonly reasons: readonly string[];
  /** The deploy order that works, when the verdict is `in-order`. */
  readonly steps: readonly string[];
}

/** One added, removed or changed resource. */
export interface ResourceChange {
  /** Terraform address, `type.name`. */
  readonly address: string;
  /** Terraform type. */
  readonly type: string;
  /** Construct path. */
  readonly path: string;
  /** What happens. */
  readonly action: ResourceAction;
  /** Changed attributes (updates and replacements). */
  readonly attributes: readonly AttributeChange[];
  /** Arguments that force the replacement. */
  readonly replacedBecause: readonly string[];
  /** Arguments whose in-place change still disrupts service. */
  readonly disruptedBy: readonly string[];
  /** Whether the resource holds state (see STATEFUL_TYPES). */
  readonly stateful: boolean;
  /** For replacements and removals: what the change takes with it. */
  readonly blastRadius?: BlastRadius;
}

/** The comparison of one stack. */
export interface StackDiff {
  /** Stack name. */
  readonly stack: string;
  /** Whether the stack is new, gone, changed or the same. */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Resource changes, by address. */
  readonly resources: readonly ResourceChange[];
  /** Changed outputs (`output.<name>`), backend settings (`terraform.backend...`), provider versions and provider settings. */
  readonly settings: readonly AttributeChange[];
  /**
   * Values this stack reads from `<env>-shared` that change (published value keys): the stack's JSON may be the
   * same, but its next plan is not.
   */
  readonly readsChanged: readonly string[];
}

/** The kinds of risk the diff flags. */
export type RiskKind =
  | 'will-fail-at-apply'
  | 'planned-downtime'
  | 'deploy-in-order'
  | 'stateful-removal'
  | 'stateful-replacement'
  | 'stateful-disruption'
  | 'backend-change'
  | 'release-mismatch'
  | 'release-incompatible'
  | 'live-fleet-change'
  | 'traffic-change'
  | 'new-suppression';

/** The order risks are listed in: what breaks an apply first, notes last. */
export const RISK_ORDER: readonly RiskKind[] = [
  'will-fail-at-apply',
  'planned-downtime',
  'stateful-removal',
  'stateful-replacement',
  'stateful-disruption',
  'deploy-in-order',
  'backend-change',
  'release-mismatch',
  'release-incompatible',
  'live-fleet-change',
  'traffic-change',
  'new-suppression',
];

/** One flagged risk. */
export interface Risk {
  /** The kind. */
  readonly kind: RiskKind;
  /** The stack. */
  readonly stack: string;
  /** The resource address, when the risk is about one resource. */
  readonly address?: string;
  /** The construct path, when the risk is about one resource. */
  readonly path?: string;
  /** One line for humans. */
  readonly message: string;
  /** Resources that use the changed one (blast-radius risks). */
  readonly consumers?: readonly Consumer[];
  /** The deploy order that works (`deploy-in-order`). */
  readonly steps?: readonly string[];
}

/** One changed value in an environment's values files. */
export interface ValuesChange {
  /** The environment. */
  readonly environment: string;
  /** The file the value comes from (`defaults.yaml`, `prod.yaml`). */
  readonly file: string;
  /** Key path, `app.port`. */
  readonly path: string;
  /** Merged value in the base (absent when added). */
  readonly before?: unknown;
  /** Merged value in the head (absent when removed). */
  readonly after?: unknown;
}

/** The whole comparison. */
export interface DiffReport {
  /** What the base was (`main`, `cdktf.out` ...). */
  readonly base: string;
  /** What the head was. */
  readonly head: string;
  /** Changed values, per environment (empty when the values files were not given). */
  readonly values: readonly ValuesChange[];
  /** Every stack present on either side, sorted. */
  readonly stacks: readonly StackDiff[];
  /** Every flagged risk, ordered by {@link RISK_ORDER} then stack. */
  readonly risks: readonly Risk[];
  /** Colors that carry traffic in the base or the head, per environment. */
  readonly liveColors: Readonly<Record<string, readonly string[]>>;
}

/** A JSON object. */
export type Json = Record<string, unknown>;
/** Whether `v` is a JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Whether two JSON values are equal. */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Splits a stack name `<env>-<role>` into its environment and role (`undefined` role for other stacks). */
export function stackRole(stack: string): { env: string; role?: StackRole } {
  if (!isStackName(stack)) return { env: stack };
  const { environment, role } = parseStackName(stack);
  return { env: environment, role };
}
