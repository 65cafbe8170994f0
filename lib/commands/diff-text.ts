/**
 * Readable changes of long values: JSON documents (policies, release parameters) compared key by key, user data
 * decoded (base64, gzip) and compared line by line, other long strings cut to the part that changed.
 *
 * The line diff is a small longest-common-subsequence diff written here: no diff library is a dependency of this
 * package (jest's `jest-diff` is only a transitive development dependency), and user data is a few hundred lines.
 */
import { gunzipSync } from 'zlib';
import { diffValues } from './diff-compute';

/** Values longer than this (characters) are shown as their changed part. */
export const LONG_VALUE = 80;

/** One line of a line diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  /** ` `, `-` or `+`. */
  readonly op: ' ' | '-' | '+';
  /** The line. */
  readonly text: string;
}

/** The line diff of two texts (longest common subsequence), every line included. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Common head and tail first: user data changes in a few lines, so the table stays small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const x = a.slice(start, a.length - end);
  const y = b.slice(start, b.length - end);
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      middle.push({ op: ' ', text: x[i++] });
      j++;
    } else if (i < x.length && (j >= y.length || lcs[i + 1][j] >= lcs[i][j + 1]))
      middle.push({ op: '-', text: x[i++] });
    else middle.push({ op: '+', text: y[j++] });
  }
  return [
    ...a.slice(0, start).map((text) => ({ op: ' ' as const, text })),
    ...middle,
    ...a.slice(a.length - end).map((text) => ({ op: ' ' as const, text })),
  ];
}

/** The changed lines of a line diff with `context` lines around each change, in unified style (`-`/`+`/` `). */
export function unifiedLines(lines: readonly DiffLine[], context = 2): string[] {
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (l.op !== ' ')
      for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep.add(k);
  });
  const out: string[] = [];
  let last = -1;
  for (const i of [...keep].sort((p, q) => p - q)) {
    if (last >= 0 && i > last + 1) out.push('…');
    out.push(`${lines[i].op}${lines[i].text}`);
    last = i;
  }
  return out;
}

/** The text inside a value, when it is base64 (optionally gzip-compressed) text: user data. */
export function decodeUserData(value: string): string | undefined {
  if (value.length < 16 || !/^[A-Za-z0-9+/\r\n]+={0,2}$/.test(value)) return undefined;
  let bytes = Buffer.from(value, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('utf8');
  // Text, not random bytes that happen to be valid base64.
  return /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes('\ufffd') ? text : undefined;
}

function parseJsonDocument(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** What changed between two long strings, single-line: the differing middle with some context either side. */
export function changedMiddle(before: string, after: string, context = 24): { before: string; after: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  )
    end++;
  const cut = (s: string) =>
    `${start > context ? '…' : ''}${s.slice(Math.max(0, start - context), s.length - end + context)}${end > context ? '…' : ''}`;
  return { before: cut(before), after: cut(after) };
}

/**
 * Two values as text short enough for a table cell or a line: whole when short, else (two strings) the part that
 * changed with some context, else a prefix and the length.
 */
export function shownPair(before: unknown, after: unknown): { before: string; after: string } {
  const text = (v: unknown) => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));
  const b = text(before);
  const a = text(after);
  if (b.length <= LONG_VALUE && a.length <= LONG_VALUE) return { before: b, after: a };
  if (typeof before === 'string' && typeof after === 'string' && !decodeUserData(before)) {
    const m = changedMiddle(before, after);
    if (m.before.length <= LONG_VALUE && m.after.length <= LONG_VALUE) return m;
  }
  const clip = (t: string) => (t.length > LONG_VALUE ? `${t.slice(0, LONG_VALUE - 20)}… (${t.length} chars)` : t);
  return { before: clip(b), after: clip(a) };
}

/**
 * A readable account of a changed value, or `undefined` when before and after are short enough to show whole.
 * JSON documents: the changed keys; user data: the changed lines of the decoded text; multi-line text: the changed
 * lines; other long strings: the changed middle.
 */
export function describeChange(
  before: unknown,
  after: unknown,
): { kind: 'json' | 'user data' | 'text' | 'middle'; lines: string[] } | undefined {
  if (typeof before !== 'string' || typeof after !== 'string') return undefined;
  if (before.length <= LONG_VALUE && after.length <= LONG_VALUE && !before.includes('\n') && !after.includes('\n'))
    return undefined;
  const jb = parseJsonDocument(before);
  const ja = parseJsonDocument(after);
  if (jb !== undefined && ja !== undefined) {
    return {
      kind: 'json',
      lines: diffValues(jb, ja).map((c) => {
        const shown = shownPair(c.before, c.after);
        return `${c.path || '(whole)'}: ${shown.before} → ${shown.after}`;
      }),
    };
  }
  const ub = decodeUserData(before);
  const ua = decodeUserData(after);
  if (ub !== undefined && ua !== undefined) return { kind: 'user data', lines: unifiedLines(lineDiff(ub, ua)) };
  if (before.includes('\n') || after.includes('\n'))
    return { kind: 'text', lines: unifiedLines(lineDiff(before, after)) };
  const m = changedMiddle(before, after);
  return { kind: 'middle', lines: [`-${m.before}`, `+${m.after}`] };
}
