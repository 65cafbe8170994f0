/**
 * A redacted summary of a Terraform plan, safe to write, upload and archive.
 *
 * `terraform show -json` carries sensitive values in clear text: the `*_sensitive` maps only mark them, and
 * `prior_state`, `variables`, `configuration` and `resource_drift` hold whole values (passwords, pre-shared keys).
 * The summary keeps only what a reviewer needs: each resource's address and actions, the attributes that change
 * (values Terraform marks sensitive replaced by {@link SENSITIVE}, values not known until apply by
 * {@link KNOWN_AFTER_APPLY}), and each output's actions, redacted the same way. Nothing else of the plan is copied.
 *
 * Terraform's marks are not enough on their own: a value a provider copies into another attribute (the `output`
 * of a `terraform_data` fed a sensitive input, a resource fed that output) is stored in state unmarked. So every
 * string Terraform marks sensitive anywhere in the plan (variables, prior state, planned values, changes,
 * outputs) is collected, and every copy of it in the summary, whole or inside a longer string, is redacted too.
 */
import type { SharedReplaceAllowance } from './plan-gate';

/** Sensitive strings shorter than this are redacted only where Terraform marks them (not searched for elsewhere). */
export const MIN_SEARCHED_SECRET_LENGTH = 4;

/** Stands in for every value Terraform marks sensitive. */
export const SENSITIVE = '(sensitive)';
/** Stands in for values Terraform will only know after apply. */
export const KNOWN_AFTER_APPLY = '(known after apply)';
/** The summary's format identifier. */
export const PLAN_SUMMARY_FORMAT = 'cdktf-bluegreen/plan-summary@1';

/** One attribute that a planned change sets differently. */
export interface PlanAttributeChange {
  /** The value before (redacted); absent when the resource is created. */
  readonly before?: unknown;
  /** The value after (redacted); absent when the resource is deleted. */
  readonly after?: unknown;
}

/** One resource in the summary. */
export interface ResourceChangeSummary {
  /** Terraform address, e.g. `aws_lb_listener.https`. */
  readonly address: string;
  /** Resource type. */
  readonly type: string;
  /** `managed` or `data`. */
  readonly mode: string;
  /** Planned actions, e.g. `["update"]`, `["delete","create"]`. */
  readonly actions: readonly string[];
  /** Attributes (top level) whose value changes, redacted; empty for no-op. */
  readonly changes: Readonly<Record<string, PlanAttributeChange>>;
  /** Attribute paths that force a replacement, when Terraform names them. */
  readonly replacePaths?: unknown;
}

/** The redacted summary of one plan. */
export interface PlanSummary {
  /** {@link PLAN_SUMMARY_FORMAT}. */
  readonly format: string;
  /** The Terraform version that made the plan. */
  readonly terraformVersion?: string;
  /** Resources with their actions and changed attributes (no-ops included, without attributes). */
  readonly resourceChanges: readonly ResourceChangeSummary[];
  /** Outputs with their actions and redacted values. */
  readonly outputChanges: Readonly<Record<string, { readonly actions: readonly string[] } & PlanAttributeChange>>;
  /** Resources changed outside Terraform since the last apply (addresses and actions only). */
  readonly drift: ReadonlyArray<{ readonly address: string; readonly actions: readonly string[] }>;
  /**
   * Present when a replacement or deletion in `<env>-shared` was allowed with `--allow-shared-replace "<reason>"`:
   * the reason, kept with the plan (`SharedReplaceAllowance` of plan-gate.ts).
   */
  readonly sharedReplaceAllowed?: SharedReplaceAllowance;
}

type Json = unknown;
interface RawChange {
  actions?: unknown;
  before?: Json;
  after?: Json;
  after_unknown?: Json;
  before_sensitive?: Json;
  after_sensitive?: Json;
  replace_paths?: Json;
}

/**
 * `value` with every part that `sensitive` marks (`true`, or a mask of the same shape with `true` leaves)
 * replaced by {@link SENSITIVE}, and every part that `unknown` marks by {@link KNOWN_AFTER_APPLY}.
 */
export function redact(value: unknown, sensitive: unknown, unknown: unknown = false): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return KNOWN_AFTER_APPLY;
  const maskAt = (mask: unknown, key: string | number): unknown =>
    mask !== null && typeof mask === 'object' ? (mask as Record<string, Json>)[key] : undefined;
  if (Array.isArray(value)) return value.map((item, i) => redact(item, maskAt(sensitive, i), maskAt(unknown, i)));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redact(v, maskAt(sensitive, k), maskAt(unknown, k))]),
    );
  }
  if (value === undefined && unknown !== undefined && unknown !== false && unknown !== null) {
    // after is absent where after_unknown describes a structure: it is all unknown.
    return KNOWN_AFTER_APPLY;
  }
  return value;
}

function actionsOf(change: RawChange | undefined): string[] {
  return Array.isArray(change?.actions) ? change!.actions.map(String) : [];
}

function field(value: Json, key: string): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, Json>)[key]
    : undefined;
}

/** The attributes whose value differs between `before` and `after` (or becomes unknown), each side redacted. */
function changedAttributes(change: RawChange): Record<string, PlanAttributeChange> {
  const keys = new Set<string>();
  for (const side of [change.before, change.after, change.after_unknown]) {
    if (side !== null && typeof side === 'object' && !Array.isArray(side))
      for (const k of Object.keys(side)) keys.add(k);
  }
  const out: Record<string, PlanAttributeChange> = {};
  for (const key of [...keys].sort()) {
    const before = field(change.before, key);
    const after = field(change.after, key);
    const unknown = field(change.after_unknown, key);
    const unknownAny =
      unknown === true || (unknown !== null && typeof unknown === 'object' && JSON.stringify(unknown).includes('true'));
    if (!unknownAny && JSON.stringify(before) === JSON.stringify(after)) continue;
    out[key] = {
      ...(change.before !== null && change.before !== undefined
        ? { before: redact(before, field(change.before_sensitive, key)) }
        : {}),
      ...(change.after !== null && change.after !== undefined
        ? { after: redact(after, field(change.after_sensitive, key), unknown) }
        : {}),
    };
  }
  return out;
}

/** Every scalar leaf of `value` where `sensitive` marks it (or everything, when `sensitive` is `true`). */
function markedLeaves(value: Json, sensitive: Json, into: Set<string>): void {
  if (value === null || value === undefined) return;
  if (sensitive === true) {
    if (typeof value === 'object') {
      for (const v of Object.values(value)) markedLeaves(v, true, into);
    } else into.add(String(value));
    return;
  }
  if (sensitive === null || typeof sensitive !== 'object' || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) markedLeaves(v, (sensitive as Record<string, Json>)[k], into);
}

/** Every value the plan marks sensitive anywhere: variables, prior state, planned values, changes and outputs. */
export function sensitiveValues(showJson: unknown): Set<string> {
  const found = new Set<string>();
  const plan = (showJson ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const declared = plan.configuration?.root_module?.variables ?? {};
  for (const [name, variable] of Object.entries<Record<string, Json>>(plan.variables ?? {})) {
    if (declared[name]?.sensitive) markedLeaves(variable?.value, true, found);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Terraform's plan JSON, read as it comes
  const walkModule = (module: any): void => {
    if (!module) return;
    for (const r of module.resources ?? []) markedLeaves(r.values, r.sensitive_values, found);
    for (const child of module.child_modules ?? []) walkModule(child);
  };
  for (const values of [plan.prior_state?.values, plan.planned_values]) {
    walkModule(values?.root_module);
    for (const output of Object.values<Record<string, Json>>(values?.outputs ?? {}))
      if (output?.sensitive) markedLeaves(output.value, true, found);
  }
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) {
    markedLeaves(rc?.change?.before, rc?.change?.before_sensitive, found);
    markedLeaves(rc?.change?.after, rc?.change?.after_sensitive, found);
  }
  for (const change of Object.values<RawChange>(plan.output_changes ?? {})) {
    markedLeaves(change?.before, change?.before_sensitive, found);
    markedLeaves(change?.after, change?.after_sensitive, found);
  }
  return found;
}

/** `value` with every string that contains one of `secrets` (as a key or a value) redacted. */
function scrub(value: Json, secrets: readonly string[]): Json {
  const clean = (text: string) => secrets.reduce((t, secret) => t.split(secret).join(SENSITIVE), text);
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), scrub(v, secrets)]));
  return value;
}

/** Reduces `terraform show -json <planfile>` output to the redacted {@link PlanSummary}. */
export function summarizePlan(showJson: unknown): PlanSummary {
  const secrets = [...sensitiveValues(showJson)]
    .filter((v) => v.length >= MIN_SEARCHED_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  return scrub(markedSummary(showJson), secrets) as PlanSummary;
}

/** The summary with the values Terraform marks redacted (before the search for copies of them). */
function markedSummary(showJson: Json): PlanSummary {
  const plan = (showJson ?? {}) as {
    terraform_version?: unknown;
    resource_changes?: unknown;
    output_changes?: unknown;
    resource_drift?: unknown;
  };
  const list = (v: unknown) => (Array.isArray(v) ? (v as Array<Record<string, unknown>>) : []);
  const resourceChanges = list(plan.resource_changes).map((rc) => {
    const change = (rc.change ?? {}) as RawChange;
    const actions = actionsOf(change);
    return {
      address: String(rc.address),
      type: String(rc.type),
      mode: String(rc.mode ?? 'managed'),
      actions,
      changes:
        actions.length === 1 && (actions[0] === 'no-op' || actions[0] === 'read') ? {} : changedAttributes(change),
      ...(Array.isArray(change.replace_paths) && change.replace_paths.length > 0
        ? { replacePaths: change.replace_paths }
        : {}),
    };
  });
  const outputs = (plan.output_changes ?? {}) as Record<string, RawChange>;
  const outputChanges = Object.fromEntries(
    Object.keys(outputs)
      .sort()
      .map((name) => {
        const change = outputs[name] ?? {};
        return [
          name,
          {
            actions: actionsOf(change),
            ...(change.before !== null && change.before !== undefined
              ? { before: redact(change.before, change.before_sensitive) }
              : {}),
            ...(change.after !== null && change.after !== undefined
              ? { after: redact(change.after, change.after_sensitive, change.after_unknown) }
              : {}),
            ...((change.after === null || change.after === undefined) && change.after_unknown === true
              ? { after: KNOWN_AFTER_APPLY }
              : {}),
          },
        ];
      }),
  );
  const drift = list(plan.resource_drift).map((d) => ({
    address: String(d.address),
    actions: actionsOf(d.change as RawChange),
  }));
  return {
    format: PLAN_SUMMARY_FORMAT,
    ...(typeof plan.terraform_version === 'string' ? { terraformVersion: plan.terraform_version } : {}),
    resourceChanges,
    outputChanges,
    drift,
  };
}
