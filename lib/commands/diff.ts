/**
 * `npm run diff`: compares the synthesized stacks of a base (a git ref, or an existing cdktf.out) with the
 * working tree, stack by stack and attribute by attribute, knows which changes replace or disrupt resources,
 * and flags the risky ones. Writes a Markdown summary (risks first, for PR comments) and JSON.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readResources, SynthResource } from '../policy/stack-view';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { disruptionCauses, replacementCauses, STATEFUL_TYPES } from './resource-knowledge';
import { Log, readSynthOutput, StackJson, synthesizeProject, synthesizeRef } from './synth-output';
import { isStackName, parseStackName, StackRole } from '../../stacks/contract';

/** Exit codes of `npm run diff`. */
export const DIFF_EXIT = {
  /** Nothing flagged (changes may exist). */
  clean: 0,
  /** The diff could not be computed (synth failed, unreadable output). */
  error: 1,
  /** Bad command line. */
  usage: 2,
  /** At least one risk flagged. */
  risks: 3,
} as const;

/** One changed attribute: its path inside the resource (`default_action[0].forward.target_group[1].weight`). */
export interface AttributeChange {
  /** Path of the value. */
  readonly path: string;
  /** Value in the base (absent when added). */
  readonly before?: unknown;
  /** Value in the head (absent when removed). */
  readonly after?: unknown;
}

/** What happens to a resource. */
export type ResourceAction = 'add' | 'remove' | 'update' | 'replace';

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
}

/** The kinds of risk the diff flags. */
export type RiskKind =
  | 'stateful-removal'
  | 'stateful-replacement'
  | 'stateful-disruption'
  | 'live-fleet-change'
  | 'traffic-change'
  | 'backend-change'
  | 'new-suppression';

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
}

/** The whole comparison. */
export interface DiffReport {
  /** What the base was (`main`, `cdktf.out` ...). */
  readonly base: string;
  /** What the head was. */
  readonly head: string;
  /** Every stack present on either side, sorted. */
  readonly stacks: readonly StackDiff[];
  /** Every flagged risk, ordered by kind then stack. */
  readonly risks: readonly Risk[];
  /** Colors that carry traffic in the base or the head, per environment. */
  readonly liveColors: Readonly<Record<string, readonly string[]>>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Attribute-level differences between two JSON values, as paths. */
export function diffValues(before: unknown, after: unknown, at = ''): AttributeChange[] {
  if (same(before, after)) return [];
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

/** Splits a stack name `<env>-<role>` into its environment and role (`undefined` role for other stacks). */
export function stackRole(stack: string): { env: string; role?: StackRole } {
  if (!isStackName(stack)) return { env: stack };
  const { environment, role } = parseStackName(stack);
  return { env: environment, role };
}

/**
 * The colors carrying traffic according to a cutover stack: its `weights` output (`{ blue, green }`), else its
 * `live_color` output, else the weights of its load balancer listeners' forward actions.
 */
export function trafficOf(cutover: StackJson | undefined): Record<string, number> | undefined {
  if (!cutover) return undefined;
  const outputs = isObject(cutover.output) ? cutover.output : {};
  const weights = isObject(outputs.weights) ? outputs.weights.value : undefined;
  if (isObject(weights) && Object.values(weights).every((w) => typeof w === 'number')) return weights as Record<string, number>;
  const live = isObject(outputs.live_color) ? outputs.live_color.value : undefined;
  if (typeof live === 'string' && /^(blue|green)(\+(blue|green))?$/.test(live)) {
    const colors = live.split('+');
    return { blue: colors.includes('blue') ? 100 / colors.length : 0, green: colors.includes('green') ? 100 / colors.length : 0 };
  }
  const found: Record<string, number> = {};
  for (const r of readResources(cutover)) {
    if (r.type !== 'aws_lb_listener' && r.type !== 'aws_alb_listener') continue;
    const actions = Array.isArray(r.config.default_action) ? r.config.default_action : [r.config.default_action];
    for (const a of actions.filter(isObject)) {
      const forward = Array.isArray(a.forward) ? a.forward[0] : a.forward;
      const groups = isObject(forward) && Array.isArray(forward.target_group) ? forward.target_group.filter(isObject) : [];
      for (const g of groups) {
        const color = /blue|green/.exec(String(g.arn))?.[0];
        if (color) found[color] = Math.max(found[color] ?? 0, Number(g.weight ?? 0));
      }
    }
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

function liveColors(base: Map<string, StackJson>, head: Map<string, StackJson>): Record<string, string[]> {
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

function byAddress(tf: StackJson | undefined): Map<string, SynthResource> {
  return new Map(tf ? readResources(tf).map((r) => [r.address, r]) : []);
}

function resourceChange(before: SynthResource | undefined, after: SynthResource | undefined): ResourceChange | undefined {
  const r = (after ?? before)!;
  const stateful = STATEFUL_TYPES.has(r.type);
  const base = { address: r.address, type: r.type, path: r.path, stateful };
  if (!before) return { ...base, action: 'add', attributes: [], replacedBecause: [], disruptedBy: [] };
  if (!after) return { ...base, action: 'remove', attributes: [], replacedBecause: [], disruptedBy: [] };
  const attributes = diffValues(before.config, after.config);
  if (attributes.length === 0) return undefined;
  const paths = attributes.map((a) => a.path);
  const replacedBecause = replacementCauses(r.type, paths, before.config, after.config);
  return { ...base, action: replacedBecause.length > 0 ? 'replace' : 'update', attributes, replacedBecause, disruptedBy: disruptionCauses(r.type, paths) };
}

function suppressionKeys(tf: StackJson | undefined): Map<string, { path: string; id: string; reason: string }> {
  const out = new Map<string, { path: string; id: string; reason: string }>();
  if (!tf) return out;
  for (const r of readResources(tf)) for (const s of r.suppressions) out.set(`${r.path} ${s.id}`, { path: r.path, id: s.id, reason: s.reason });
  return out;
}

/** Compares two sets of synthesized stacks. Pure: the same inputs give the same report. */
export function diffSynth(base: Map<string, StackJson>, head: Map<string, StackJson>, labels = { base: 'base', head: 'head' }): DiffReport {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const live = liveColors(base, head);
  const stacks: StackDiff[] = [];
  const risks: Risk[] = [];
  for (const stack of names) {
    const b = base.get(stack);
    const h = head.get(stack);
    const before = byAddress(b);
    const after = byAddress(h);
    const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
    const resources = addresses.map((a) => resourceChange(before.get(a), after.get(a))).filter((c): c is ResourceChange => c !== undefined);
    const settings = [
      ...diffValues(outputValues(b), outputValues(h), 'output'),
      ...(b && h ? diffValues(isObject(b.terraform) ? b.terraform.backend : {}, isObject(h.terraform) ? h.terraform.backend : {}, 'terraform.backend') : []),
      ...(b && h ? diffValues(isObject(b.terraform) ? b.terraform.required_providers : {}, isObject(h.terraform) ? h.terraform.required_providers : {}, 'terraform.required_providers') : []),
      ...(b && h ? diffValues(b.provider ?? {}, h.provider ?? {}, 'provider') : []),
    ].filter((c) => !/^output\.cross-stack-output-/.test(c.path));
    const status = !b ? 'added' : !h ? 'removed' : resources.length > 0 || settings.length > 0 ? 'changed' : 'unchanged';
    stacks.push({ stack, status, resources, settings });

    const { env, role } = stackRole(stack);
    for (const c of resources) {
      if (c.stateful && c.action === 'remove') {
        risks.push({ kind: 'stateful-removal', stack, address: c.address, path: c.path, message: `${c.type} is removed${!h ? ' (its stack is gone)' : ''}: its data or connection is lost` });
      } else if (c.stateful && c.action === 'replace') {
        risks.push({ kind: 'stateful-replacement', stack, address: c.address, path: c.path, message: `${c.type} is replaced because ${c.replacedBecause.join(', ')} changed: it is destroyed and recreated, losing its data or connections` });
      } else if (c.stateful && c.disruptedBy.length > 0) {
        risks.push({ kind: 'stateful-disruption', stack, address: c.address, path: c.path, message: `${c.type} changes ${c.disruptedBy.join(', ')} in place, which interrupts it` });
      }
    }
    // A stack that is new in the head runs nothing yet; only changes to a running live fleet are flagged.
    if ((role === 'blue' || role === 'green') && b && resources.length > 0 && (live[env] ?? []).includes(role)) {
      const fleet = resources.filter((c) => c.disruptedBy.length > 0 || c.replacedBecause.length > 0);
      const detail = fleet.length > 0 ? `: ${fleet.map((c) => `${c.address} (${[...c.replacedBecause, ...c.disruptedBy].join(', ')})`).join('; ')}` : '';
      risks.push({ kind: 'live-fleet-change', stack, message: `${resources.length} change(s) to the ${role} fleet, which carries traffic${detail}` });
    }
    if (role === 'cutover' && b && h) {
      const was = trafficOf(b);
      const now = trafficOf(h);
      const listenerWeights = resources.some((c) => c.attributes.some((a) => /\.weight$/.test(a.path)));
      if ((!same(was, now) && (was || now)) || listenerWeights) {
        risks.push({ kind: 'traffic-change', stack, message: `traffic moves: ${fmtWeights(was)} → ${fmtWeights(now)}` });
      }
    }
    const backend = settings.filter((s) => s.path.startsWith('terraform.backend'));
    if (backend.length > 0) {
      risks.push({ kind: 'backend-change', stack, message: `state backend changes (${backend.map((s) => s.path.replace(/^terraform\.backend\./, '')).join(', ')}): migrate the state (terraform init -migrate-state) before applying` });
    }
    const before_s = suppressionKeys(b);
    for (const [key, s] of suppressionKeys(h)) {
      if (!before_s.has(key)) risks.push({ kind: 'new-suppression', stack, path: s.path, message: `guardrail ${s.id} suppressed: "${s.reason}"` });
    }
  }
  const order: RiskKind[] = ['stateful-removal', 'stateful-replacement', 'stateful-disruption', 'backend-change', 'live-fleet-change', 'traffic-change', 'new-suppression'];
  risks.sort((x, y) => order.indexOf(x.kind) - order.indexOf(y.kind) || x.stack.localeCompare(y.stack));
  return { base: labels.base, head: labels.head, stacks, risks, liveColors: live };
}

function fmtWeights(w: Record<string, number> | undefined): string {
  return w ? Object.entries(w).map(([c, n]) => `${c} ${n}%`).join(' / ') : 'none';
}

/** A value for a Markdown table cell: short JSON, long strings summarized. */
function cell(v: unknown): string {
  if (v === undefined) return '–';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const shown = text.length > 80 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
  return '`' + shown.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\n/g, ' ') + '`';
}

const RISK_TITLES: Record<RiskKind, string> = {
  'stateful-removal': 'Stateful resource removed',
  'stateful-replacement': 'Stateful resource replaced',
  'stateful-disruption': 'Stateful resource disrupted',
  'live-fleet-change': 'Live fleet changed',
  'traffic-change': 'Traffic change',
  'backend-change': 'State backend changed',
  'new-suppression': 'New guardrail suppression',
};

const ACTION_MARK: Record<ResourceAction, string> = { add: '+ add', remove: '- remove', update: '~ update', replace: '± replace' };

/** The Markdown summary: risks first, then one section per changed stack. */
export function renderMarkdown(report: DiffReport, extra = ''): string {
  const out: string[] = [`## Infrastructure diff: \`${report.base}\` → \`${report.head}\``, ''];
  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  if (report.risks.length === 0) {
    out.push(`No risks flagged. ${changed.length} of ${report.stacks.length} stacks change.`, '');
  } else {
    out.push(`**${report.risks.length} risk(s) flagged** in ${new Set(report.risks.map((r) => r.stack)).size} stack(s); ${changed.length} of ${report.stacks.length} stacks change.`, '');
    out.push('### Risks', '', '| Risk | Stack | Resource | Why |', '| --- | --- | --- | --- |');
    for (const r of report.risks) out.push(`| ${RISK_TITLES[r.kind]} | \`${r.stack}\` | ${r.path ? `\`${r.path}\`` : '–'} | ${r.message.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  for (const s of changed) {
    const count = (a: ResourceAction) => s.resources.filter((r) => r.action === a).length;
    const flagged = report.risks.some((r) => r.stack === s.stack) ? ' ⚠' : '';
    out.push(`### \`${s.stack}\`${flagged}: ${s.status === 'changed' ? '' : `stack ${s.status}, `}${count('add')} to add, ${count('update')} to update, ${count('replace')} to replace, ${count('remove')} to remove`, '');
    if (s.resources.length > 0) {
      out.push('| Change | Resource | Path | Detail |', '| --- | --- | --- | --- |');
      for (const r of s.resources) {
        const why = r.action === 'replace' ? `forced by ${r.replacedBecause.join(', ')}` : r.disruptedBy.length > 0 ? `disrupts: ${r.disruptedBy.join(', ')}` : '';
        out.push(`| ${ACTION_MARK[r.action]} | \`${r.address}\` | \`${r.path}\` | ${why} |`);
      }
      out.push('');
      const updates = s.resources.filter((r) => r.attributes.length > 0);
      if (updates.length > 0) {
        out.push('<details><summary>Attribute changes</summary>', '', '| Resource | Attribute | Before | After |', '| --- | --- | --- | --- |');
        for (const r of updates) for (const a of r.attributes) out.push(`| \`${r.address}\` | \`${a.path}\` | ${cell(a.before)} | ${cell(a.after)} |`);
        out.push('', '</details>', '');
      }
    }
    if (s.settings.length > 0) {
      out.push('| Setting | Before | After |', '| --- | --- | --- |');
      for (const a of s.settings) out.push(`| \`${a.path}\` | ${cell(a.before)} | ${cell(a.after)} |`);
      out.push('');
    }
  }
  const same = report.stacks.filter((s) => s.status === 'unchanged').map((s) => `\`${s.stack}\``);
  if (same.length > 0) out.push(`Unchanged: ${same.join(', ')}`, '');
  return out.join('\n') + extra;
}

/** Options for {@link runDiff}. */
export interface DiffOptions {
  /**
   * Git ref to synthesize as the base (in a temporary worktree).
   * @default - none: give exactly one of `baseRef` and `baseOut`
   */
  readonly baseRef?: string;
  /**
   * An already synthesized base output directory (instead of `baseRef`).
   * @default - none: give exactly one of `baseRef` and `baseOut`
   */
  readonly baseOut?: string;
  /**
   * An already synthesized head output directory.
   * @default - the working tree is synthesized into its cdktf.out (as `cdktf synth` would)
   */
  readonly headOut?: string;
  /**
   * The project directory (holding cdktf.json).
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Progress lines.
   * @default - none
   */
  readonly log?: Log;
}

/** The result of {@link runDiff}. */
export interface DiffResult {
  /** The comparison. */
  readonly report: DiffReport;
  /** The Markdown summary. */
  readonly markdown: string;
  /** {@link DIFF_EXIT}.risks when anything is flagged, else clean. */
  readonly exitCode: number;
  /** The synthesized stacks of each side (for `plan --changed`). */
  readonly base: Map<string, StackJson>;
  /** The head's stacks. */
  readonly head: Map<string, StackJson>;
  /** Where the head's synthesized stacks are (`headOut`, or the project's cdktf.out after synthesizing it). */
  readonly headOut: string;
}

/** Synthesizes (or reads) both sides once each and compares them. */
export function runDiff(options: DiffOptions): DiffResult {
  const project = path.resolve(options.projectDir ?? process.cwd());
  const log = options.log ?? (() => {});
  if (!options.baseRef === !options.baseOut) throw new UsageError('give exactly one of --base <git-ref> or --base-out <dir>');
  const base = options.baseOut ? readSynthOutput(path.resolve(project, options.baseOut)) : synthesizeRef(project, options.baseRef!, log);
  const synthesized = options.headOut ? undefined : synthesizeProject(project, 'working tree', log);
  const headOut = synthesized?.outdir ?? path.resolve(project, options.headOut!);
  const head = synthesized?.stacks ?? readSynthOutput(headOut);
  const report = diffSynth(base, head, { base: options.baseRef ?? options.baseOut!, head: options.headOut ?? 'working tree' });
  return { report, markdown: renderMarkdown(report), exitCode: report.risks.length > 0 ? DIFF_EXIT.risks : DIFF_EXIT.clean, base, head, headOut };
}

/** `npm run diff -- --help`. */
export const DIFF_HELP = `Usage: npm run diff -- (--base <git-ref> | --base-out <dir>) [options]

Compares the synthesized stacks of a base with the working tree: resources added, removed and changed with
attribute-level detail, replacements and disruptions the providers will do, and risk flags (stateful removal
or replacement, a change to the live color's fleet, a traffic change, a backend change, a new suppression).

  --base <git-ref>     synthesize this ref in a temporary git worktree (node_modules linked from here)
  --base-out <dir>     use an already synthesized cdktf.out as the base
  --head-out <dir>     use an already synthesized cdktf.out as the head (default: synthesize the working
                       tree into its cdktf.out, as cdktf synth does)
  --markdown <file>    also write the Markdown summary to <file>
  --json <file>        also write the JSON report to <file>
  --format md|json     what to print on stdout (default: md)
  -h, --help           this text

SYNTH_ENVS=<env,...> limits synthesis on both sides. Exit codes: 0 nothing flagged, 3 risks flagged,
1 the diff could not be computed, 2 bad arguments.
`;

/** The CLI: parses `argv`, runs the diff, prints and writes the outputs, returns the exit code. */
export const diffMain = defineCommand({
  command: 'diff',
  synchronous: true,
  help: DIFF_HELP,
  flags: { base: { type: 'string' }, 'base-out': { type: 'string' }, 'head-out': { type: 'string' }, markdown: { type: 'string' }, json: { type: 'string' }, format: { type: 'string' } },
  run: (args, io): number => {
    const { stdout, stderr } = io;
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (see --help)`);
    const format = stringFlag(args, 'format') ?? 'md';
    if (format !== 'md' && format !== 'json') throw new UsageError(`--format must be md or json, got "${format}"`);
    const result = runDiff({
      baseRef: stringFlag(args, 'base'),
      baseOut: stringFlag(args, 'base-out'),
      headOut: stringFlag(args, 'head-out'),
      projectDir: io.cwd,
      log: (line) => stderr(`diff: ${line}\n`),
    });
    const json = JSON.stringify(result.report, null, 2) + '\n';
    const md = stringFlag(args, 'markdown');
    if (md) fs.writeFileSync(md, result.markdown);
    const js = stringFlag(args, 'json');
    if (js) fs.writeFileSync(js, json);
    stdout(format === 'json' ? json : result.markdown);
    stderr(`diff: ${result.report.risks.length} risk(s) flagged${result.report.risks.length ? ` (exit ${DIFF_EXIT.risks})` : ''}\n`);
    return result.exitCode;
  },
});
