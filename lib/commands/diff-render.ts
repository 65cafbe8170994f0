/**
 * The diff's Markdown (for PR comments): which values changed in which file per environment, then the risks with
 * each blast radius and deploy order, then one section per changed stack with attribute detail; long values as
 * their changed part (see `diff-text.ts`), weights labelled by color. A diff with nothing in it renders as nothing.
 */
import { AttributeChange, DiffReport, ResourceAction, RiskKind, Verdict } from './diff-model';
import { decodeUserData, describeChange, shownPair } from './diff-text';

/** A value for a Markdown table cell. */
function code(text: string): string {
  return text === '–' ? text : '`' + text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\n/g, ' ') + '`';
}

/** Before and after as two table cells: short values whole, long strings as the part that changed (see `shownPair`). */
function cells(before: unknown, after: unknown): string {
  if (
    typeof before === 'string' &&
    typeof after === 'string' &&
    decodeUserData(before) !== undefined &&
    decodeUserData(after) !== undefined
  ) {
    return `(${before.length} chars of encoded user data) | (${after.length} chars; the changed lines are below the table)`;
  }
  const shown = shownPair(before, after);
  return `${code(shown.before)} | ${code(shown.after)}`;
}

const escape = (text: string) => text.replace(/\|/g, '\\|');

/** Titles of the risk kinds, as the report shows them. */
export const RISK_TITLES: Record<RiskKind, string> = {
  'will-fail-at-apply': 'Will fail at apply',
  'planned-downtime': 'Not without downtime',
  'deploy-in-order': 'Deploy in order',
  'stateful-removal': 'Stateful resource removed',
  'stateful-replacement': 'Stateful resource replaced',
  'stateful-disruption': 'Stateful resource disrupted',
  'backend-change': 'State backend changed',
  'release-mismatch': 'Release fields out of step',
  'release-incompatible': 'Incompatible release',
  'live-fleet-change': 'Live fleet changed',
  'traffic-change': 'Traffic change',
  'new-suppression': 'New guardrail suppression',
};

const VERDICTS: Record<Verdict, string> = {
  safe: 'safe in one deploy',
  'in-order': 'safe in the order below',
  downtime: 'not without downtime',
  fails: 'will fail at apply',
};

const ACTION_MARK: Record<ResourceAction, string> = {
  add: '+ add',
  remove: '- remove',
  update: '~ update',
  replace: '± replace',
};

const attributeName = (a: AttributeChange) => `\`${a.path}\`${a.label ? ` (${a.label})` : ''}`;

/** Whether the report has anything to say: a changed stack or value, a stack reading a changed value, or a risk. */
export function hasChanges(report: DiffReport): boolean {
  return (
    report.risks.length > 0 ||
    report.values.length > 0 ||
    report.stacks.some((s) => s.status !== 'unchanged' || s.readsChanged.length > 0)
  );
}

/** The Markdown summary: values, risks, then one section per changed stack. Empty for a report without changes. */
export function renderMarkdown(report: DiffReport, extra = ''): string {
  if (!hasChanges(report)) return '';
  const out: string[] = [`## Infrastructure diff: \`${report.base}\` → \`${report.head}\``, ''];
  const changed = report.stacks.filter((s) => s.status !== 'unchanged' || s.readsChanged.length > 0);
  if (report.values.length > 0) {
    out.push(
      '### Values changed',
      '',
      '| Environment | File | Value | Before | After |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const v of report.values)
      out.push(`| ${v.environment} | \`${v.file}\` | \`${v.path}\` | ${cells(v.before, v.after)} |`);
    out.push('');
  }
  if (report.risks.length === 0) {
    out.push(`No risks flagged. ${changed.length} of ${report.stacks.length} stacks change.`, '');
  } else {
    out.push(
      `**${report.risks.length} risk(s) flagged** in ${new Set(report.risks.map((r) => r.stack)).size} stack(s); ${changed.length} of ${report.stacks.length} stacks change.`,
      '',
    );
    out.push('### Risks', '', '| Risk | Stack | Resource | Why |', '| --- | --- | --- | --- |');
    for (const r of report.risks)
      out.push(
        `| ${RISK_TITLES[r.kind]} | \`${r.stack}\` | ${r.path ? `\`${r.path}\`` : '–'} | ${escape(r.message)} |`,
      );
    out.push('');
    for (const r of report.risks.filter((r) => (r.consumers ?? []).length > 0)) {
      out.push(`#### Blast radius of \`${r.address}\` (\`${r.stack}\`): ${RISK_TITLES[r.kind].toLowerCase()}`, '');
      out.push('| Stack | Consumer | Via | Effect |', '| --- | --- | --- | --- |');
      for (const c of r.consumers!)
        out.push(
          `| \`${c.stack}\` | \`${c.address}\` | ${escape(c.via)} | ${c.effect === 'replace' ? '± replaced too' : '~ updated'} |`,
        );
      out.push('');
      if ((r.steps ?? []).length > 0)
        out.push(
          ...r.steps!.map(
            (s, i) => `${i + 1}. \`${s.replace(/ \(.*$/, '')}\`${/ \(/.test(s) ? ` ${s.replace(/^[^(]*/, '')}` : ''}`,
          ),
          '',
        );
    }
  }
  for (const s of changed) {
    const count = (a: ResourceAction) => s.resources.filter((r) => r.action === a).length;
    const flagged = report.risks.some((r) => r.stack === s.stack) ? ' ⚠' : '';
    out.push(
      `### \`${s.stack}\`${flagged}: ${s.status === 'changed' || s.status === 'unchanged' ? '' : `stack ${s.status}, `}${count('add')} to add, ${count('update')} to update, ${count('replace')} to replace, ${count('remove')} to remove`,
      '',
    );
    if (s.readsChanged.length > 0)
      out.push(
        `Reads changed values from the shared stack: ${s.readsChanged.map((k) => `\`${k}\``).join(', ')} (its next plan changes even where its JSON does not).`,
        '',
      );
    if (s.resources.length > 0) {
      out.push('| Change | Resource | Path | Detail |', '| --- | --- | --- | --- |');
      for (const r of s.resources) {
        const why =
          r.action === 'replace'
            ? `forced by ${r.replacedBecause.join(', ')}`
            : r.disruptedBy.length > 0
              ? `disrupts: ${r.disruptedBy.join(', ')}`
              : '';
        const radius = r.blastRadius
          ? `${why ? '; ' : ''}${r.blastRadius.consumers.length} consumer(s), ${VERDICTS[r.blastRadius.verdict]}`
          : '';
        out.push(`| ${ACTION_MARK[r.action]} | \`${r.address}\` | \`${r.path}\` | ${escape(why + radius)} |`);
      }
      out.push('');
      const updates = s.resources.filter((r) => r.attributes.length > 0);
      if (updates.length > 0) {
        const long: string[] = [];
        out.push(
          '<details><summary>Attribute changes</summary>',
          '',
          '| Resource | Attribute | Before | After |',
          '| --- | --- | --- | --- |',
        );
        for (const r of updates) {
          for (const a of r.attributes) {
            out.push(`| \`${r.address}\` | ${attributeName(a)} | ${cells(a.before, a.after)} |`);
            const detail = describeChange(a.before, a.after);
            if (detail && detail.kind !== 'middle')
              long.push(
                `\`${r.address}\` ${attributeName(a)}, ${detail.kind === 'json' ? 'changed keys' : detail.kind === 'user data' ? 'user data decoded, changed lines' : 'changed part'}:`,
                '',
                detail.kind === 'json' ? '```text' : '```diff',
                ...detail.lines,
                '```',
                '',
              );
          }
        }
        out.push('', ...long, '</details>', '');
      }
    }
    if (s.settings.length > 0) {
      out.push('| Setting | Before | After |', '| --- | --- | --- |');
      for (const a of s.settings) out.push(`| \`${a.path}\` | ${cells(a.before, a.after)} |`);
      out.push('');
    }
  }
  const same = report.stacks
    .filter((s) => s.status === 'unchanged' && s.readsChanged.length === 0)
    .map((s) => `\`${s.stack}\``);
  if (same.length > 0) out.push(`Unchanged: ${same.join(', ')}`, '');
  return out.join('\n') + extra;
}
