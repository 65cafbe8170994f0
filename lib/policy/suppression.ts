import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { refuseProps } from '../construct-errors';
import { Suppression, SUPPRESSIONS_KEY } from './stack-view';

const KEY = Symbol.for('cdktf-bluegreen/guardrails/suppressions');

/** Minimum length of a suppression reason: a reviewer must learn why, not just that. */
export const MIN_REASON_LENGTH = 10;

type WithSuppressions = IConstruct & { [KEY]?: Suppression[] };

/**
 * Silences one guardrail rule on a construct and everything below it, with the reason a reviewer reads.
 * Suppressions are written into the synthesized JSON (`"//": { "guardrails": { "suppressions": [...] } }` on each
 * resource), listed in the synth output, and flagged by `npm run diff` when new.
 *
 * @example suppress(bucket, 's3-kms-encryption', 'ELB log delivery only writes with SSE-S3')
 */
export function suppress(scope: IConstruct, ruleId: string, reason: string): void {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(ruleId)) {
    refuseProps(scope, `suppress: "${ruleId}" is not a rule id. Fix: name the rule, e.g. "s3-access-logging"`);
  }
  const why = (reason ?? '').trim();
  if (why.length < MIN_REASON_LENGTH || why === ruleId) {
    refuseProps(
      scope,
      `suppress(${ruleId}): a reason of at least ${MIN_REASON_LENGTH} characters is required (got "${why}"). Fix: say why the finding is acceptable here`,
    );
  }
  const target = scope as WithSuppressions;
  const list = target[KEY] ?? [];
  if (!list.some((s) => s.id === ruleId)) list.push({ id: ruleId, reason: why });
  Object.defineProperty(target, KEY, { value: list, configurable: true, enumerable: false });
}

/** The suppressions that apply to a construct: its own and its ancestors', nearest first. */
export function suppressionsOf(construct: IConstruct): Suppression[] {
  const out: Suppression[] = [];
  for (const c of [...construct.node.scopes].reverse()) {
    for (const s of (c as WithSuppressions)[KEY] ?? []) if (!out.some((o) => o.id === s.id)) out.push(s);
  }
  return out;
}

/** Writes every resource's applicable suppressions into its synthesized `//` metadata. Idempotent. */
export function recordSuppressions(stack: TerraformStack): void {
  for (const c of stack.node.findAll()) {
    if (!TerraformResource.isTerraformResource(c)) continue;
    const list = suppressionsOf(c);
    if (list.length > 0)
      c.addOverride(`//.${SUPPRESSIONS_KEY}`, { suppressions: list.map((s) => ({ id: s.id, reason: s.reason })) });
  }
}
