/**
 * The comment-preserving edit of one environment's values file that the commands share (`cutover` sets the weights,
 * `promote` the release): the loader's limits first, then the edit in the source text, then every environment parsed
 * again with the edited text, and the edit refused unless nothing but the edited keys of that one environment changed
 * (an anchor on an edited value, for example, would carry the edit elsewhere). Nothing is written when any check
 * fails. A values file that is a symlink stays one (its target is rewritten), and the file keeps its mode.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { Document, isMap, isScalar, isSeq, parse, parseDocument, Scalar } from 'yaml';
import { ConfigError, EnvironmentConfig, formatKeyPath, loadEnvironments } from '../config';
import { listEnvironments, readValuesFile, valuesFilesOf } from '../config/loader';
import { UsageError } from '../cli/errors';

/** One value to set: a key path below the environment's root and its new value (plain data). */
export interface ValuesEdit {
  /** Key path, e.g. `['colors', 'blue', 'release', 'artifact']`. */
  readonly path: readonly string[];
  /** The new value: a string, number, boolean or an array/object of them. */
  readonly value: unknown;
}

/** What {@link editValuesFile} did. */
export interface ValuesEditResult {
  /** The values file (`<dir>/<env>.yaml`). */
  readonly file: string;
  /** The environment's values before the edit. */
  readonly before: EnvironmentConfig;
  /** The environment's values after the edit. */
  readonly after: EnvironmentConfig;
  /** True when the text changed (and, unless a dry run, was written). */
  readonly changed: boolean;
}

/** Options of {@link editValuesFile}. */
export interface ValuesEditOptions {
  /** Directory of the values files. */
  readonly dir: string;
  /** Environment name (`<dir>/<env>.yaml`). */
  readonly environment: string;
  /** The values to set. */
  readonly edits: readonly ValuesEdit[];
  /** Why the edit is made, for the message when it would change more than the edited keys, e.g. `setting the weights`. */
  readonly what: string;
  /**
   * Key path the refusal names when the edit would change more than the edited keys.
   * @default - the first edit's path
   */
  readonly issuePath?: readonly string[];
  /**
   * The refusal's reason and fix after `would also change <where>`.
   * @default - `(an anchor or alias shares the value?); write <edited keys> as plain values`
   */
  readonly strayFix?: string;
  /**
   * Validate only; write nothing.
   * @default false
   */
  readonly dryRun?: boolean;
}

/**
 * Sets values in one environment's values file keeping comments and formatting, after validating the result with
 * the loader and checking that nothing but the edited keys changed in any environment.
 *
 * @throws UsageError for an unknown environment; ConfigError (file, key path, reason) for invalid results
 */
export function editValuesFile(options: ValuesEditOptions): ValuesEditResult {
  const { dir, environment } = options;
  // environments/<env>.yaml, or <env>.yml: the loader reads both (and refuses both at once)
  const file = valuesFilesOf(dir, environment)[0] ?? path.join(dir, `${environment}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(dir) ? listEnvironments(dir) : [];
    throw new UsageError(`no values file ${file} (environments: ${known.join(', ') || 'none'})`);
  }
  const checked = readValuesFile(file); // the loader's limits (regular file, size, UTF-8, plain data) before anything else
  if (checked.issues.length > 0) throw new ConfigError(checked.issues.map((issue) => ({ ...issue, file })));
  const text = fs.readFileSync(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new ConfigError([{ file, path: [], message: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` }]);
  if (!isMap(doc.contents))
    throw new ConfigError([{ file, path: [], message: 'must be a YAML mapping of keys to values' }]);

  const all = loadAllWith(dir, environment, text);
  const edited = setValues(text, doc, options.edits);
  const allAfter = loadAllWith(dir, environment, edited);
  const edits = options.edits.map((e) => formatKeyPath(e.path));
  const isEdited = (p: string) => edits.some((e) => p === e || p.startsWith(`${e}.`) || p.startsWith(`${e}[`));
  const stray = changesBeyond(all, allAfter, environment, isEdited);
  if (stray.length > 0) {
    throw new ConfigError(
      stray.map((where) => ({
        file,
        path: options.issuePath ?? options.edits[0]?.path ?? [],
        message: `${options.what} would also change ${where} ${options.strayFix ?? `(an anchor or alias shares the value?); write ${edits.join(', ')} as plain values`}`,
      })),
    );
  }
  const after = allAfter.get(environment)!;
  const changed = edited !== text;
  if (changed && !options.dryRun) writeKeepingLinkAndMode(file, edited);
  return { file, before: all.get(environment)!, after, changed };
}

/**
 * Writes `edits` into the values text, each as a change of the source text so every other byte (comments,
 * alignment, flow style) stays as it was: a scalar is replaced in its own quoting style where the value allows it, a
 * list of scalars is rewritten in its own (flow or block) style, and a key the file does not have yet is added as
 * the last line of its parent mapping. Where that is not possible (a missing parent, a flow mapping, nested values),
 * the values are set through the YAML document (comments kept, layout normalized).
 */
export function setValues(text: string, doc: Document.Parsed, edits: readonly ValuesEdit[]): string {
  let out = text;
  for (const edit of edits) {
    const next = textEdit(out, edit);
    if (next === undefined) {
      for (const { path: keyPath, value } of edits) doc.setIn(keyPath, doc.createNode(value));
      return doc.toString();
    }
    out = next;
  }
  return out;
}

const isScalarValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** `text` with one edit made in the source text, or undefined when that is not possible (see {@link setValues}). */
function textEdit(text: string, edit: ValuesEdit): string | undefined {
  const doc = parseDocument(text);
  const node = doc.getIn(edit.path, true);
  const column = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const value = edit.value;
  const list = Array.isArray(value) && value.every(isScalarValue) ? (value as unknown[]) : undefined;
  let out: string | undefined;
  if (isScalar(node) && node.range && isScalarValue(value)) {
    out = text.slice(0, node.range[0]) + scalarText(value, node.type) + text.slice(node.range[1]);
  } else if (isSeq(node) && node.range && list && list.length > 0 && node.items.length > 0) {
    const items = node.items as Array<{ range?: [number, number, number] }>;
    const end = items[items.length - 1].range?.[1];
    if (end === undefined) return undefined;
    if (node.flow) {
      out =
        text.slice(0, node.range[0]) +
        `[${list.map((v) => scalarText(v, Scalar.PLAIN)).join(', ')}]` +
        text.slice(node.range[1]);
    } else {
      const indent = ' '.repeat(column(node.range[0]));
      out =
        text.slice(0, node.range[0]) +
        list.map((v) => `- ${scalarText(v, Scalar.PLAIN)}`).join(`\n${indent}`) +
        text.slice(end);
    }
  } else if (node === undefined && (isScalarValue(value) || (list && list.length > 0))) {
    const parent = doc.getIn(edit.path.slice(0, -1), true);
    if (!isMap(parent) || parent.flow || parent.items.length === 0) return undefined;
    const first = parent.items[0].key as { range?: [number, number, number] } | null;
    const last = parent.items[parent.items.length - 1];
    const lastEnd =
      (last.value as { range?: [number, number, number] } | null)?.range?.[1] ??
      (last.key as { range?: [number, number, number] } | null)?.range?.[1];
    if (!first?.range || lastEnd === undefined) return undefined;
    const indent = ' '.repeat(column(first.range[0]));
    let at = lastEnd;
    while (at > 0 && /\s/.test(text[at - 1])) at--;
    const eol = text.indexOf('\n', at);
    at = eol < 0 ? text.length : eol;
    const key = edit.path[edit.path.length - 1];
    const rendered = list
      ? list.map((v) => `\n${indent}  - ${scalarText(v, Scalar.PLAIN)}`).join('')
      : ` ${scalarText(value, Scalar.PLAIN)}`;
    out = `${text.slice(0, at)}\n${indent}${key}:${rendered}${text.slice(at)}`;
  }
  if (out === undefined) return undefined;
  // The text edit must read back as exactly the value (else the document route is taken).
  const check = parseDocument(out);
  if (check.errors.length > 0) return undefined;
  const readBack = edit.path.reduce<unknown>(
    (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
    check.toJS(),
  );
  return isDeepStrictEqual(readBack, value) ? out : undefined;
}

/** The YAML text of a scalar, in the original node's quoting style when the value reads back the same in it. */
function scalarText(value: unknown, style: Scalar['type']): string {
  if (typeof value !== 'string') return String(value);
  if (style === Scalar.QUOTE_SINGLE && !/[\n\r]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  if (style !== Scalar.QUOTE_DOUBLE && !/[\n\r#]|^\s|\s$/.test(value) && value !== '') {
    try {
      if (parse(value) === value) return value;
    } catch {
      // not a plain scalar: quoted below
    }
  }
  return JSON.stringify(value);
}

/**
 * Replaces a file's content atomically. A symlink is followed, so the link stays a link and its target gets the
 * new content; the new file keeps the old one's permission bits.
 */
export function writeKeepingLinkAndMode(file: string, text: string): void {
  const target = fs.realpathSync(file);
  const mode = fs.statSync(target).mode & 0o7777;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode); // the umask may have narrowed the mode given at creation
  fs.renameSync(tmp, target);
}

/**
 * What differs between two parses of every environment other than the paths `allowed` accepts in `environment`, as
 * `<env>: <key path>` (or `environment <env>` for an environment that appeared or disappeared).
 */
function changesBeyond(
  before: ReadonlyMap<string, EnvironmentConfig>,
  after: ReadonlyMap<string, EnvironmentConfig>,
  environment: string,
  allowed: (keyPath: string) => boolean,
): string[] {
  const out: string[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (!a || !b) {
      out.push(`environment ${name}`);
      continue;
    }
    for (const p of differingPaths(a, b)) if (name !== environment || !allowed(p)) out.push(`${name}: ${p}`);
  }
  return out;
}

/** Key paths (`a.b[0].c`) whose values differ between two plain values. */
function differingPaths(a: unknown, b: unknown, at = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b))
    return Object.is(a, b) ? [] : [at || '(root)'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differingPaths(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k));
}

/**
 * Parses every environment of `dir` with the project loader, with `text` as the environment's values file (`.yaml` or
 * `.yml`, as it is spelled in `dir`), in a scratch
 * copy (symlinks followed) so nothing in `dir` is touched; problems are reported against the real file names.
 */
export function loadAllWith(dir: string, environment: string, text: string): Map<string, EnvironmentConfig> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'values-edit-'));
  try {
    for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      const from = path.join(dir, name);
      // Regular files are copied (symlinks followed); anything else is linked, for the loader to refuse unread.
      if (fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(scratch, name));
      else fs.symlinkSync(path.resolve(from), path.join(scratch, name));
    }
    fs.writeFileSync(
      path.join(scratch, path.basename(valuesFilesOf(dir, environment)[0] ?? `${environment}.yaml`)),
      text,
    );
    return new Map(loadEnvironments({ dir: scratch, only: listEnvironments(scratch) }).map((c) => [c.name, c]));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(e.issues.map((issue) => ({ ...issue, file: path.join(dir, path.basename(issue.file)) })));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
