/**
 * The plan's gates: deletes of stateful resources (always refused), and any replace or delete in `<env>-shared`
 * (refused unless allowed with a written reason, which the shared stack's plan summary keeps). `<env>-shared`
 * holds what every other stack of the environment uses, so even a stateless replacement there reaches them all.
 */
import { DiffReport, stackRole } from './diff';
import { STATEFUL_TYPES } from './resource-knowledge';

/** A delete of a stateful resource found in a plan. */
export interface StatefulDelete {
  /** Terraform address. */
  readonly address: string;
  /** Resource type. */
  readonly type: string;
  /** The planned actions, e.g. `["delete","create"]` for a replacement. */
  readonly actions: readonly string[];
}

/** The stateful deletes (including replacements) in a `terraform show -json` plan. */
export function statefulDeletes(
  planJson: unknown,
  statefulTypes: ReadonlySet<string> = STATEFUL_TYPES,
): StatefulDelete[] {
  const changes = (planJson as { resource_changes?: unknown })?.resource_changes;
  if (!Array.isArray(changes)) return [];
  return changes
    .filter(
      (c) =>
        c &&
        statefulTypes.has(c.type) &&
        c.mode !== 'data' &&
        Array.isArray(c.change?.actions) &&
        c.change.actions.includes('delete'),
    )
    .map((c) => ({ address: String(c.address), type: String(c.type), actions: c.change.actions.map(String) }));
}

/** A replace or delete in a shared stack, found in the diff (offline) or in a Terraform plan. */
export interface SharedChange {
  /** The shared stack. */
  readonly stack: string;
  /** Terraform address. */
  readonly address: string;
  /** `replace` or `delete`. */
  readonly action: 'replace' | 'delete';
  /** Why, when known (the forcing arguments, or `stack removed`). */
  readonly because?: string;
}

/** The shortest reason `--allow-shared-replace` accepts (characters, after trimming). */
export const MIN_ALLOWANCE_REASON_LENGTH = 15;

/** The record of an allowed shared replacement: the written reason and what it allowed. */
export interface SharedReplaceAllowance {
  /** The reason given with `--allow-shared-replace`. */
  readonly reason: string;
  /** What it allowed. */
  readonly changes: readonly SharedChange[];
}

/** Why a reason is not acceptable (undefined when it is). */
export function allowanceReasonProblem(reason: string): string | undefined {
  return reason.trim().length < MIN_ALLOWANCE_REASON_LENGTH
    ? `--allow-shared-replace needs a written reason (at least ${MIN_ALLOWANCE_REASON_LENGTH} characters: what is replaced, why, and the deploy order), got "${reason}"`
    : undefined;
}

const isShared = (stack: string) => stackRole(stack).role === 'shared';

/** Replaces and deletes in the shared stacks among `stacks`, from a diff report (a removed shared stack deletes everything). */
export function sharedChangesInDiff(diff: DiffReport, stacks: readonly string[]): SharedChange[] {
  return diff.stacks
    .filter((s) => isShared(s.stack) && (stacks.includes(s.stack) || s.status === 'removed'))
    .flatMap((s) =>
      s.resources
        .filter((r) => r.action === 'replace' || r.action === 'remove')
        .map((r): SharedChange => ({
          stack: s.stack,
          address: r.address,
          action: r.action === 'replace' ? 'replace' : 'delete',
          because:
            s.status === 'removed'
              ? 'stack removed'
              : r.action === 'replace'
                ? `forced by ${r.replacedBecause.join(', ')}`
                : 'removed from the stack',
        })),
    );
}

/** Replaces and deletes of managed resources in a `terraform show -json` plan of `stack`, when it is a shared stack. */
export function sharedChangesInPlan(stack: string, planJson: unknown): SharedChange[] {
  if (!isShared(stack)) return [];
  const changes = (planJson as { resource_changes?: unknown })?.resource_changes;
  if (!Array.isArray(changes)) return [];
  return changes
    .filter((c) => c && c.mode !== 'data' && Array.isArray(c.change?.actions) && c.change.actions.includes('delete'))
    .map((c): SharedChange => {
      const replace = c.change.actions.includes('create');
      const paths = Array.isArray(c.change.replace_paths)
        ? c.change.replace_paths.map((p: unknown[]) => p.join('.')).join(', ')
        : '';
      return {
        stack,
        address: String(c.address),
        action: replace ? 'replace' : 'delete',
        ...(replace && paths ? { because: `forced by ${paths}` } : {}),
      };
    });
}

/** One line per shared change, for the log and the problems. */
export function formatSharedChange(c: SharedChange): string {
  return `${c.stack} ${c.address}: ${c.action}${c.because ? ` (${c.because})` : ''} in the shared stack`;
}
