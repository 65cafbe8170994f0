import { blocks, Json, StackView, SynthResource } from './stack-view';

/** The KMS actions that make a key's data unreadable or take control of the key: denied on keys of object-locked data. */
export const KEY_DESTRUCTION_ACTIONS = ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'] as const;

/** One key policy statement, normalized from policy JSON or an `aws_iam_policy_document` data source. */
export interface PolicyStatement {
  /** `Allow` or `Deny`. */
  readonly effect: string;
  /** `Action` (absent when the statement uses `NotAction`). */
  readonly actions?: readonly string[];
  /** `NotAction`. */
  readonly notActions?: readonly string[];
  /** AWS principals (`*` for everyone). */
  readonly awsPrincipals: readonly string[];
  /** Service principals (`logs.amazonaws.com`). */
  readonly servicePrincipals: readonly string[];
  /** Conditions as `{ test, variable, values }`. */
  readonly conditions: ReadonlyArray<{
    readonly test: string;
    readonly variable: string;
    readonly values: readonly string[];
  }>;
}

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];

function fromJson(doc: Json): PolicyStatement[] {
  return blocks(doc.Statement).map((s) => {
    const principal = s.Principal;
    const aws =
      principal === '*'
        ? ['*']
        : typeof principal === 'object' && principal !== null
          ? list((principal as Json).AWS)
          : [];
    const service = typeof principal === 'object' && principal !== null ? list((principal as Json).Service) : [];
    const conditions = Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap(
      ([test, byKey]) => Object.entries(byKey).map(([variable, values]) => ({ test, variable, values: list(values) })),
    );
    return {
      effect: String(s.Effect ?? 'Allow'),
      actions: s.Action === undefined ? undefined : list(s.Action),
      notActions: s.NotAction === undefined ? undefined : list(s.NotAction),
      awsPrincipals: aws,
      servicePrincipals: service,
      conditions,
    };
  });
}

function fromDocument(doc: Json): PolicyStatement[] {
  return blocks(doc.statement).map((s) => ({
    effect: String(s.effect ?? 'Allow'),
    actions: s.actions === undefined ? undefined : list(s.actions),
    notActions: s.not_actions === undefined ? undefined : list(s.not_actions),
    awsPrincipals: blocks(s.principals)
      .filter((p) => p.type === 'AWS')
      .flatMap((p) => list(p.identifiers)),
    servicePrincipals: blocks(s.principals)
      .filter((p) => p.type === 'Service')
      .flatMap((p) => list(p.identifiers)),
    conditions: blocks(s.condition).map((c) => ({
      test: String(c.test),
      variable: String(c.variable),
      values: list(c.values),
    })),
  }));
}

/**
 * The statements of a KMS key's policy as synthesized: a JSON string, or a reference to an `aws_iam_policy_document`
 * data source of the same stack (`${data.aws_iam_policy_document.<name>.json}`). `undefined` when it cannot be read.
 */
export function keyPolicyStatements(key: SynthResource, stack: StackView): PolicyStatement[] | undefined {
  return policyStatements(key.config.policy, stack);
}

/**
 * The statements of a policy argument as synthesized (a key, bucket, role trust or resource policy): JSON text,
 * or a reference to an `aws_iam_policy_document` data source of the stack. `undefined` when it cannot be read
 * (e.g. a `jsonencode(...)` expression).
 */
export function policyStatements(policy: unknown, stack: StackView): PolicyStatement[] | undefined {
  if (typeof policy !== 'string') return undefined;
  const ref = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/.exec(policy);
  if (ref) {
    const data = (stack.tf.data ?? {}) as Record<string, Record<string, Json>>;
    const doc = data.aws_iam_policy_document?.[ref[1]];
    return doc ? fromDocument(doc) : undefined;
  }
  try {
    return fromJson(JSON.parse(policy) as Json);
  } catch {
    return undefined;
  }
}

/** Whether an action pattern (`kms:*`, `kms:Disable*`) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return re.test(action) || pattern === '*';
}
