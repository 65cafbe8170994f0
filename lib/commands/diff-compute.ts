/**
 * The diff's computation: compares two sets of synthesized stacks resource by resource and attribute by
 * attribute, knows which changes replace or disrupt resources (`resource-knowledge.ts`), follows each replacement
 * to its consumers across stacks (`diff-blast-radius.ts`), checks releases (`diff-release.ts`), and flags risks.
 * Pure: the same inputs give the same report.
 */
import { readResources, SynthResource } from '../policy/stack-view';
import { blastRadius } from './diff-blast-radius';
import {
  AttributeChange,
  DiffReport,
  isObject,
  Json,
  ResourceChange,
  Risk,
  RISK_ORDER,
  sameJson,
  StackDiff,
  stackRole,
  ValuesChange,
} from './diff-model';
import { releaseRisks } from './diff-release';
import { disruptionCauses, refusedChanges, replacementCauses, STATEFUL_TYPES } from './resource-knowledge';
import { StackJson } from './synth-output';

/** Attribute-level differences between two JSON values, as paths. */
export function diffValues(before: unknown, after: unknown, at = ''): AttributeChange[] {
  if (sameJson(before, after)) return [];
  const join = (key: string | number) => (typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${key}` : key);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], join(k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => diffValues(before[i], after[i], join(i))).flat();
  }
  return [{ path: at, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}

/** The color a Terraform value refers to (`blue` or `green`), from the target group or parameter it names. */
export function colorIn(value: unknown): string | undefined {
  return /(?:^|[^a-z])(blue|green)(?![a-z])/.exec(String(value))?.[1];
}

/**
 * The colors carrying traffic according to a cutover stack: its `weights` output (`{ blue, green }`), else its
 * `live_color` output, else the weights of its load balancer listeners' forward actions.
 */
export function trafficOf(cutover: StackJson | undefined): Record<string, number> | undefined {
  if (!cutover) return undefined;
  const outputs = isObject(cutover.output) ? cutover.output : {};
  const weights = isObject(outputs.weights) ? outputs.weights.value : undefined;
  if (isObject(weights) && Object.values(weights).every((w) => typeof w === 'number'))
    return weights as Record<string, number>;
  const live = isObject(outputs.live_color) ? outputs.live_color.value : undefined;
  if (typeof live === 'string' && /^(blue|green)(\+(blue|green))?$/.test(live)) {
    const colors = live.split('+');
    return {
      blue: colors.includes('blue') ? 100 / colors.length : 0,
      green: colors.includes('green') ? 100 / colors.length : 0,
    };
  }
  const found: Record<string, number> = {};
  for (const r of readResources(cutover)) {
    if (r.type !== 'aws_lb_listener' && r.type !== 'aws_alb_listener') continue;
    const actions = Array.isArray(r.config.default_action) ? r.config.default_action : [r.config.default_action];
    for (const a of actions.filter(isObject)) {
      const forward = Array.isArray(a.forward) ? a.forward[0] : a.forward;
      const groups =
        isObject(forward) && Array.isArray(forward.target_group) ? forward.target_group.filter(isObject) : [];
      for (const g of groups) {
        const color = colorIn(g.arn);
        if (color) found[color] = Math.max(found[color] ?? 0, Number(g.weight ?? 0));
      }
    }
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

function liveColors(
  base: ReadonlyMap<string, StackJson>,
  head: ReadonlyMap<string, StackJson>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const side of [base, head]) {
    for (const [name, tf] of side) {
      const { env, role } = stackRole(name);
      if (role !== 'cutover') continue;
      const weights = trafficOf(tf) ?? {};
      const live = new Set(out[env] ?? []);
      for (const [color, weight] of Object.entries(weights)) if (weight > 0) live.add(color);
      out[env] = [...live].sort();
    }
  }
  return out;
}

/** Output values by name (descriptions left out). */
function outputValues(tf: StackJson | undefined): Json {
  const outputs = tf && isObject(tf.output) ? tf.output : {};
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, isObject(v) ? v.value : v]));
}

/** The resources of a stack by address. */
export function byAddress(tf: StackJson | undefined): Map<string, SynthResource> {
  return new Map(tf ? readResources(tf).map((r) => [r.address, r]) : []);
}

/** The value at `path` (`a.b[1].c`) inside `doc`. */
export function valueAt(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split(/\.|(?=\[)/).filter(Boolean)) {
    const index = /^\[(\d+)\]$/.exec(key);
    if (index) node = Array.isArray(node) ? node[Number(index[1])] : undefined;
    else node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** A weight labelled with the color of the target group next to it (`…target_group[1].weight` → `green weight`). */
function labelled(change: AttributeChange, after: Json, before: Json): AttributeChange {
  if (!/\.weight$/.test(change.path)) return change;
  const arnPath = change.path.replace(/\.weight$/, '.arn');
  const color = colorIn(valueAt(after, arnPath)) ?? colorIn(valueAt(before, arnPath));
  return color ? { ...change, label: `${color} weight` } : change;
}

function resourceChange(
  before: SynthResource | undefined,
  after: SynthResource | undefined,
): ResourceChange | undefined {
  const r = (after ?? before)!;
  const stateful = STATEFUL_TYPES.has(r.type);
  const base = { address: r.address, type: r.type, path: r.path, stateful };
  if (!before) return { ...base, action: 'add', attributes: [], replacedBecause: [], disruptedBy: [] };
  if (!after) return { ...base, action: 'remove', attributes: [], replacedBecause: [], disruptedBy: [] };
  const attributes = diffValues(before.config, after.config).map((a) => labelled(a, after.config, before.config));
  if (attributes.length === 0) return undefined;
  const paths = attributes.map((a) => a.path);
  const replacedBecause = replacementCauses(r.type, paths, before.config, after.config);
  return {
    ...base,
    action: replacedBecause.length > 0 ? 'replace' : 'update',
    attributes,
    replacedBecause,
    disruptedBy: disruptionCauses(r.type, paths),
  };
}

function suppressionKeys(tf: StackJson | undefined): Map<string, { path: string; id: string; reason: string }> {
  const out = new Map<string, { path: string; id: string; reason: string }>();
  if (!tf) return out;
  for (const r of readResources(tf))
    for (const s of r.suppressions) out.set(`${r.path} ${s.id}`, { path: r.path, id: s.id, reason: s.reason });
  return out;
}

/** Weights as a reader wants them: each color with its share before and after. */
export function formatWeights(
  was: Record<string, number> | undefined,
  now: Record<string, number> | undefined,
): string {
  const colors = [...new Set([...Object.keys(was ?? {}), ...Object.keys(now ?? {})])].sort();
  if (colors.length === 0) return 'none';
  return colors.map((c) => `${c} ${was?.[c] ?? 0}% → ${now?.[c] ?? 0}%`).join(', ');
}

/** Inputs besides the stacks: labels and the changed values. */
export interface DiffInputs {
  /** What the base and the head were. */
  readonly labels?: { readonly base: string; readonly head: string };
  /** Changed values per environment (see `diff-values.ts`). */
  readonly values?: readonly ValuesChange[];
  /** Head values per environment (merged), for release declarations such as `migration`. */
  readonly headValues?: ReadonlyMap<string, unknown>;
}

/** Compares two sets of synthesized stacks. Pure: the same inputs give the same report. */
export function diffSynth(
  base: ReadonlyMap<string, StackJson>,
  head: ReadonlyMap<string, StackJson>,
  options: DiffInputs = {},
): DiffReport {
  const labels = options.labels ?? { base: 'base', head: 'head' };
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const live = liveColors(base, head);
  const changes = new Map<string, ResourceChange[]>();
  for (const stack of names) {
    const before = byAddress(base.get(stack));
    const after = byAddress(head.get(stack));
    const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
    changes.set(
      stack,
      addresses
        .map((a) => resourceChange(before.get(a), after.get(a)))
        .filter((c): c is ResourceChange => c !== undefined),
    );
  }
  const radius = blastRadius(base, head, changes, live);
  const risks: Risk[] = [...radius.risks];
  const stacks: StackDiff[] = [];
  for (const stack of names) {
    const b = base.get(stack);
    const h = head.get(stack);
    const resources = changes.get(stack)!.map((c) => {
      const r = radius.byResource.get(`${stack} ${c.address}`);
      return r ? { ...c, blastRadius: r } : c;
    });
    const settings = [
      ...diffValues(outputValues(b), outputValues(h), 'output'),
      ...(b && h
        ? diffValues(
            isObject(b.terraform) ? b.terraform.backend : {},
            isObject(h.terraform) ? h.terraform.backend : {},
            'terraform.backend',
          )
        : []),
      ...(b && h
        ? diffValues(
            isObject(b.terraform) ? b.terraform.required_providers : {},
            isObject(h.terraform) ? h.terraform.required_providers : {},
            'terraform.required_providers',
          )
        : []),
      ...(b && h ? diffValues(b.provider ?? {}, h.provider ?? {}, 'provider') : []),
    ].filter((c) => !/^output\.cross-stack-output-/.test(c.path));
    const status = !b
      ? 'added'
      : !h
        ? 'removed'
        : resources.length > 0 || settings.length > 0
          ? 'changed'
          : 'unchanged';
    stacks.push({ stack, status, resources, settings, readsChanged: radius.readsChanged.get(stack) ?? [] });

    const { env, role } = stackRole(stack);
    for (const c of resources) {
      if (c.stateful && c.action === 'remove') {
        risks.push({
          kind: 'stateful-removal',
          stack,
          address: c.address,
          path: c.path,
          message: `${c.type} is removed${!h ? ' (its stack is gone)' : ''}: its data or connection is lost`,
        });
      } else if (c.stateful && c.action === 'replace') {
        risks.push({
          kind: 'stateful-replacement',
          stack,
          address: c.address,
          path: c.path,
          message: `${c.type} is replaced because ${c.replacedBecause.join(', ')} changed: it is destroyed and recreated, losing its data or connections`,
        });
      } else if (c.stateful && c.disruptedBy.length > 0) {
        risks.push({
          kind: 'stateful-disruption',
          stack,
          address: c.address,
          path: c.path,
          message: `${c.type} changes ${c.disruptedBy.join(', ')} in place, which interrupts it`,
        });
      }
      for (const refused of c.action === 'update'
        ? refusedChanges(
            c.type,
            c.attributes.map((a) => a.path),
          )
        : []) {
        risks.push({
          kind: 'will-fail-at-apply',
          stack,
          address: c.address,
          path: c.path,
          message: `${c.type} changes ${refused.argument} in place, which the cloud refuses: ${refused.why}`,
        });
      }
    }
    // A stack that is new in the head runs nothing yet; only changes to a running live fleet are flagged.
    if ((role === 'blue' || role === 'green') && b && resources.length > 0 && (live[env] ?? []).includes(role)) {
      const fleet = resources.filter((c) => c.disruptedBy.length > 0 || c.replacedBecause.length > 0);
      const detail =
        fleet.length > 0
          ? `: ${fleet.map((c) => `${c.address} (${[...c.replacedBecause, ...c.disruptedBy].join(', ')})`).join('; ')}`
          : '';
      risks.push({
        kind: 'live-fleet-change',
        stack,
        message: `${resources.length} change(s) to the ${role} fleet, which carries traffic${detail}`,
      });
    }
    if (role === 'cutover' && b && h) {
      const was = trafficOf(b);
      const now = trafficOf(h);
      const listenerWeights = resources.some((c) => c.attributes.some((a) => /\.weight$/.test(a.path)));
      if ((!sameJson(was, now) && (was || now)) || listenerWeights) {
        risks.push({ kind: 'traffic-change', stack, message: `traffic moves: ${formatWeights(was, now)}` });
      }
    }
    const backend = settings.filter((s) => s.path.startsWith('terraform.backend'));
    if (backend.length > 0) {
      risks.push({
        kind: 'backend-change',
        stack,
        message: `state backend changes (${backend.map((s) => s.path.replace(/^terraform\.backend\./, '')).join(', ')}): migrate the state (terraform init -migrate-state) before applying`,
      });
    }
    const beforeSuppressions = suppressionKeys(b);
    for (const [key, s] of suppressionKeys(h)) {
      if (!beforeSuppressions.has(key))
        risks.push({
          kind: 'new-suppression',
          stack,
          path: s.path,
          message: `guardrail ${s.id} suppressed: "${s.reason}"`,
        });
    }
  }
  risks.push(...releaseRisks(base, head, options.headValues));
  risks.sort((x, y) => RISK_ORDER.indexOf(x.kind) - RISK_ORDER.indexOf(y.kind) || x.stack.localeCompare(y.stack));
  return { base: labels.base, head: labels.head, values: options.values ?? [], stacks, risks, liveColors: live };
}
