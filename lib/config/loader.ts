/**
 * Loads environment values: reads `environments/defaults.yaml` and each `environments/<name>.yaml`, overlays
 * the environment over the defaults (see `merge.ts`), validates the result, and returns frozen configs.
 *
 * Every environment is checked before anything is returned; all problems across all files are reported
 * together in one {@link ConfigError}, each naming the file, the key path and the reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Document, isScalar, parseDocument, YAMLError } from 'yaml';
import { z } from 'zod';
import { ConfigError, ConfigIssue, KeyPath } from './errors';
import { definesPath, isMapping, overlay } from './merge';
import { EnvironmentConfig, environmentSchema, RENAMED_VALUES_KEYS } from './schema';
import { environmentValidator } from './validator';
import { checkAwsPrefixesAcrossEnvironments } from './sections/app';
import { checkDigitalOceanAcrossEnvironments, DigitalOceanEnvironment } from './sections/digitalocean';

/** Name of the shared defaults file inside the environments directory (`defaults.yml` is read too). */
export const DEFAULTS_FILE = 'defaults.yaml';

/** The extensions a values file may have, preferred first: `prod.yaml` and `prod.yml` are both read. */
export const VALUES_FILE_EXTENSIONS: readonly string[] = ['.yaml', '.yml'];

/** Base name of the shared defaults file, without extension. */
const DEFAULTS_NAME = 'defaults';

/**
 * The values files of one name in `dir` that exist: `<name>.yaml` and/or `<name>.yml` (none, one, or both, which
 * {@link loadEnvironments} refuses). Commands that take an environment name find its file with this.
 */
export function valuesFilesOf(dir: string, name: string): string[] {
  return VALUES_FILE_EXTENSIONS.map((ext) => path.join(dir, `${name}${ext}`)).filter((f) => fs.existsSync(f));
}

/** The issue for a name spelled with both extensions, or `undefined`. */
function bothExtensionsIssue(files: readonly string[]): ConfigIssue | undefined {
  if (files.length < 2) return undefined;
  const [first, second] = files.map(displayName);
  return {
    file: second,
    path: [],
    message: `${path.basename(first)} exists too; keep one of them (both would define the same ${path.basename(first, path.extname(first))} values)`,
  };
}

/** Options for {@link loadEnvironments}. */
export interface LoadOptions {
  /**
   * Directory holding `defaults.yaml` and one `<name>.yaml` per environment.
   * @default 'environments' (relative to the working directory)
   */
  readonly dir?: string;
  /**
   * Only return these environments (all are still validated).
   * @default - every environment; the `SYNTH_ENVS` variable (comma-separated) when set
   */
  readonly only?: readonly string[];
}

/** A values file read from disk: its display name and parsed content (or the issues that stopped it). */
export interface ReadResult {
  /** The file as shown in messages: relative to the working directory where possible. */
  readonly file: string;
  /** The parsed mapping, absent when the file could not be read or parsed. */
  readonly values?: unknown;
  /** Why the file could not be used (missing, unreadable, invalid YAML, not a mapping); empty when it could. */
  readonly issues: ConfigIssue[];
  /** The parsed YAML document, for the text of a value as written (absent when the file could not be parsed). */
  readonly document?: Document.Parsed;
}

function displayName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** The largest values file read, in bytes (1 MiB): real environments are a few KiB. */
export const MAX_VALUES_FILE_BYTES = 1024 * 1024;
/** The most aliases (`*name`) one values file may expand; more is refused (a "billion laughs" guard). */
export const MAX_VALUES_ALIAS_COUNT = 50;
/** The deepest nesting of mappings and sequences a values file may have. */
export const MAX_VALUES_DEPTH = 32;
/** Keys that JavaScript objects treat specially; refused anywhere in a values file. */
export const FORBIDDEN_VALUES_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * Reads and parses one YAML file; missing files, oversized files, text that is not UTF-8, YAML syntax errors,
 * excessive aliases or nesting and keys that JavaScript treats specially become issues naming the file, not
 * exceptions.
 */
export function readValuesFile(file: string): ReadResult {
  const shown = displayName(file);
  const issue = (message: string, keyPath: KeyPath = []): ReadResult => ({
    file: shown,
    issues: [{ file: shown, path: keyPath, message }],
  });
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    // A device or pipe (say, a symlink to /dev/zero) reports no size and never ends: refuse it before reading.
    if (!stat.isFile()) return issue('not a regular file');
    if (stat.size > MAX_VALUES_FILE_BYTES)
      return issue(`file is ${stat.size} bytes; values files are limited to ${MAX_VALUES_FILE_BYTES} bytes (1 MiB)`);
    bytes = fs.readFileSync(file);
    if (bytes.length > MAX_VALUES_FILE_BYTES)
      return issue(`file is ${bytes.length} bytes; values files are limited to ${MAX_VALUES_FILE_BYTES} bytes (1 MiB)`);
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${(e as Error).message})`;
    return issue(reason);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return issue(`not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8Offset(bytes)}); save the file as UTF-8`);
  }
  let values: unknown;
  let document: Document.Parsed | undefined;
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) return { file: shown, issues: yamlErrorIssues(shown, text, doc.errors) };
    values = doc.toJS({ maxAliasCount: MAX_VALUES_ALIAS_COUNT }) ?? {};
    document = doc;
  } catch (e) {
    // yaml throws (rather than reporting) on alias expansion beyond maxAliasCount and on stack exhaustion.
    const message = (e as Error).message ?? String(e);
    if (/alias/i.test(message))
      return issue(`too many aliases: expanding them exceeds ${MAX_VALUES_ALIAS_COUNT} (${message.split('\n')[0]})`);
    return issue(`cannot parse the file (${message.split('\n')[0]}); nesting is limited to ${MAX_VALUES_DEPTH} levels`);
  }
  const unsafe = plainDataProblem(values);
  if (unsafe) return issue(unsafe.message, unsafe.path);
  if (!isMapping(values)) return issue('must be a YAML mapping of keys to values');
  return { file: shown, values, issues: [], document };
}

/**
 * One issue per YAML syntax error position: `invalid YAML at line L, column C: <reason>` and a code frame (the line
 * before, the line, a caret under the column; tabs kept so the caret lines up). A second error yaml reports at the
 * same position (usually a consequence of the first) is left out.
 */
function yamlErrorIssues(file: string, text: string, errors: readonly YAMLError[]): ConfigIssue[] {
  const lines = text.split(/\r?\n/);
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const err of errors) {
    const pos = err.linePos?.[0];
    // yaml appends " at line L, column C:" and its own frame to the message; keep the reason alone
    const reason = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    if (!pos) {
      issues.push({ file, path: [], message: `invalid YAML: ${reason}` });
      continue;
    }
    const key = `${pos.line}:${pos.col}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const width = String(pos.line + 1).length;
    const row = (n: number) => `    ${String(n).padStart(width)} | ${lines[n - 1]}`;
    const lineText = lines[pos.line - 1] ?? '';
    const caret = `    ${' '.repeat(width)} | ${lineText.slice(0, pos.col - 1).replace(/[^\t]/g, ' ')}^`;
    const after = pos.line < lines.length && lines[pos.line].trim() !== '' ? [row(pos.line + 1)] : [];
    const frame = [...(pos.line > 1 ? [row(pos.line - 1)] : []), row(pos.line), caret, ...after].join('\n');
    issues.push({
      file,
      path: [],
      message: `invalid YAML at line ${pos.line}, column ${pos.col}: ${reason}\n${frame}`,
    });
  }
  return issues;
}

/** The first problem that keeps `value` from being plain data: too deep, or a key JavaScript treats specially. */
function plainDataProblem(
  value: unknown,
  keyPath: Array<string | number> = [],
): { path: KeyPath; message: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (keyPath.length >= MAX_VALUES_DEPTH)
    return { path: keyPath, message: `nested deeper than ${MAX_VALUES_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = plainDataProblem(item, [...keyPath, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Map || value instanceof Set)
    return { path: keyPath, message: 'must be a plain mapping (complex keys are not supported)' };
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_VALUES_KEYS.includes(key)) {
      return {
        path: [...keyPath, key],
        message: `key "${key}" is not allowed (${FORBIDDEN_VALUES_KEYS.join(', ')} are special to JavaScript objects)`,
      };
    }
    const found = plainDataProblem((value as Record<string, unknown>)[key], [...keyPath, key]);
    if (found) return found;
  }
  return undefined;
}

/** The byte offset where `bytes` stops being valid UTF-8. */
function firstInvalidUtf8Offset(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  const valid = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  // The longest valid prefix (stream mode accepts a truncated final sequence).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  // The prefix may end inside a multi-byte sequence that the next byte breaks: blame that sequence's first byte.
  let start = lo;
  while (start > 0 && (bytes[start - 1] & 0xc0) === 0x80) start--;
  if (start > 0 && bytes[start - 1] >= 0xc0) {
    const lead = bytes[start - 1];
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (start - 1 + length > lo) return start - 1;
  }
  return lo;
}

/** Finds the object schema at a key path, to list the allowed keys when an unknown one is found. */
function allowedKeysAt(keyPath: KeyPath): string[] | undefined {
  let node: z.ZodTypeAny = environmentSchema;
  const unwrap = (n: z.ZodTypeAny): z.ZodTypeAny => {
    for (;;) {
      if (n instanceof z.ZodEffects) n = n.innerType();
      else if (n instanceof z.ZodOptional || n instanceof z.ZodDefault || n instanceof z.ZodNullable)
        n = n._def.innerType;
      else return n;
    }
  };
  for (const key of keyPath) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = node.shape[key as string];
    else if (node instanceof z.ZodArray) node = node.element;
    else return undefined;
    if (!node) return undefined;
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
}

/**
 * The reason for a number or boolean where a string belongs (`version: 1.5`, an unquoted account id): YAML typed the
 * plain scalar, so say to quote it, with the text to write. `written` is the value as it appears in the file, when
 * known: YAML reads `012345678901` as the number 12345678901 and `1.50` as 1.5, and then the quoted text must be
 * what was written, not what YAML made of it.
 */
function quoteHint(keyPath: KeyPath, value: unknown, written?: string): string {
  const text = written ?? String(value);
  const key = keyPath[keyPath.length - 1];
  const fix = typeof key === 'string' ? `${key}: "${text}"` : `"${text}"`;
  const lost = written !== undefined && written !== String(value);
  const why = lost
    ? `: YAML read ${written} as the ${typeof value} ${String(value)}${/^[+-]?0\d/.test(written) ? ' and dropped the leading zero' : ''}`
    : '';
  return `expected string, got ${typeof value} ${String(value)}${why}; quote it: ${fix}`;
}

/**
 * Where an issue is a value YAML typed as a number or boolean ({@link quoteHint}), the hint with the text as
 * written in the file that set it.
 */
function withWrittenText(issue: ConfigIssue, documents: ReadonlyMap<string, Document.Parsed>): ConfigIssue {
  if (!/^expected string, got (number|boolean) /.test(issue.message)) return issue;
  const node = documents.get(issue.file)?.getIn(issue.path, true);
  if (
    !isScalar(node) ||
    typeof node.source !== 'string' ||
    (typeof node.value !== 'number' && typeof node.value !== 'boolean')
  )
    return issue;
  return { ...issue, message: quoteHint(issue.path, node.value, node.source) };
}

/** Rewrites zod's issues into one-line reasons at exact key paths. */
function toReasons(issue: z.ZodIssue, values: unknown): Array<{ path: KeyPath; message: string }> {
  const at = (p: KeyPath): unknown =>
    p.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k as string], values);
  switch (issue.code) {
    case z.ZodIssueCode.unrecognized_keys: {
      const allowed = allowedKeysAt(issue.path);
      const hint = allowed ? ` (allowed keys: ${allowed.join(', ')})` : '';
      return issue.keys.map((key) => {
        const renamed = RENAMED_VALUES_KEYS[[...issue.path, key].join('.')];
        if (renamed)
          return {
            path: [...issue.path, key],
            message: `renamed to ${renamed}; rename the key (same value, same meaning)`,
          };
        return { path: [...issue.path, key], message: `unknown key${hint}` };
      });
    }
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return [{ path: issue.path, message: `required (${issue.expected})` }];
      if (issue.expected === 'integer' && !issue.message.startsWith('Expected'))
        return [{ path: issue.path, message: issue.message }];
      if (issue.expected === 'string' && (issue.received === 'number' || issue.received === 'boolean')) {
        return [{ path: issue.path, message: quoteHint(issue.path, at(issue.path)) }];
      }
      return [
        { path: issue.path, message: `expected ${issue.expected}, got ${issue.received} ${describe(at(issue.path))}` },
      ];
    case z.ZodIssueCode.invalid_enum_value:
      return [
        { path: issue.path, message: `must be one of ${issue.options.join(', ')} (got ${describe(issue.received)})` },
      ];
    case z.ZodIssueCode.invalid_union_discriminator:
      return [
        {
          path: issue.path,
          message: `must be one of ${issue.options.map(String).join(', ')} (got ${describe(at(issue.path))})`,
        },
      ];
    default: {
      const msg = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
      return [{ path: issue.path, message: msg }];
    }
  }
}

/**
 * Validates one environment's raw values (already overlaid on the defaults).
 *
 * @param values the merged values
 * @param source which file to blame for each key: a function of the key path, or one file name for all
 * @returns the frozen config, or the issues found
 */
export function validateEnvironment(
  values: unknown,
  source: string | ((path: KeyPath) => string),
): { config?: EnvironmentConfig; issues: ConfigIssue[] } {
  const fileFor = typeof source === 'string' ? () => source : source;
  const result = environmentValidator.safeParse(values);
  if (result.success) return { config: deepFreeze(result.data) as EnvironmentConfig, issues: [] };
  const issues = result.error.issues.flatMap((issue) =>
    toReasons(issue, values).map((r) => ({ file: fileFor(r.path), path: r.path, message: r.message })),
  );
  return { issues };
}

/** Parses values given as an object (e.g. by a consumer composing environments in code); throws {@link ConfigError}. */
export function parseEnvironment(values: unknown, source = '<values>'): EnvironmentConfig {
  const { config, issues } = validateEnvironment(values, source);
  if (!config) throw new ConfigError(issues);
  return config;
}

/** Names of the environments defined in `dir` (every `*.yaml` and `*.yml` except the defaults), sorted, each once. */
export function listEnvironments(dir = 'environments'): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    throw new ConfigError([{ file: displayName(dir), path: [], message: 'environments directory not found' }]);
  }
  const names = entries.filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ''));
  return [...new Set(names)].filter((n) => n !== DEFAULTS_NAME).sort();
}

/** Reads the environments selected by `SYNTH_ENVS` (comma-separated), or `undefined` for all. */
export function selectedFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = env.SYNTH_ENVS?.trim();
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

/**
 * Loads, overlays and validates every environment in `dir`; returns the selected ones.
 *
 * @throws ConfigError listing every problem in every file when anything is invalid
 */
export function loadEnvironments(options: LoadOptions = {}): EnvironmentConfig[] {
  const dir = options.dir ?? 'environments';
  const only = options.only ?? selectedFromEnv();
  const names = listEnvironments(dir);
  const issues: ConfigIssue[] = [];

  const defaultsFiles = valuesFilesOf(dir, DEFAULTS_NAME);
  const defaultsConflict = bothExtensionsIssue(defaultsFiles);
  if (defaultsConflict) issues.push(defaultsConflict);
  const defaults: ReadResult =
    defaultsFiles.length > 0
      ? readValuesFile(defaultsFiles[0])
      : { file: displayName(path.join(dir, DEFAULTS_FILE)), values: {}, issues: [] };
  issues.push(...defaults.issues);
  const documents = new Map<string, Document.Parsed>();
  if (defaults.document) documents.set(defaults.file, defaults.document);

  const configs = new Map<string, EnvironmentConfig>();
  const checked: DigitalOceanEnvironment[] = [];
  for (const name of names) {
    const files = valuesFilesOf(dir, name);
    const conflict = bothExtensionsIssue(files);
    if (conflict) {
      issues.push(conflict);
      continue;
    }
    const read = readValuesFile(files[0]);
    issues.push(...read.issues);
    if (read.document) documents.set(read.file, read.document);
    if (read.values === undefined || defaults.values === undefined) continue;
    const own = read.values as Record<string, unknown>;
    const merged = overlay(defaults.values, own) as Record<string, unknown>;
    const blame = (p: KeyPath) => (definesPath(own, p) || !definesPath(defaults.values, p) ? read.file : defaults.file);
    const result = validateEnvironment(merged, blame);
    issues.push(...result.issues.map((issue) => withWrittenText(issue, documents)));
    if (result.config && result.config.name !== name) {
      issues.push({
        file: read.file,
        path: ['name'],
        message: `must match the file name: expected "${name}", got "${result.config.name}"`,
      });
    }
    if (result.config) configs.set(name, result.config);
    if (result.config) checked.push({ file: read.file, config: result.config });
  }
  // Environments that may share an account: names, VPC ranges and buckets must not collide.
  issues.push(...checkDigitalOceanAcrossEnvironments(checked));
  issues.push(...checkAwsPrefixesAcrossEnvironments(checked));

  if (only) {
    for (const name of only) {
      if (!names.includes(name)) {
        issues.push({
          file: displayName(dir),
          path: [],
          message: `SYNTH_ENVS names "${name}", which has no ${name}.yaml or ${name}.yml (environments: ${names.join(', ') || 'none'})`,
        });
      }
    }
  }
  // A problem in the shared defaults shows up in every environment that inherits it: report it once.
  if (issues.length > 0) throw new ConfigError(distinctIssues(issues));
  if (names.length === 0)
    throw new ConfigError([
      { file: displayName(dir), path: [], message: 'no environment files (<name>.yaml or <name>.yml) found' },
    ]);
  return names.filter((n) => !only || only.includes(n)).map((n) => configs.get(n)!);
}

/** The issues with repeats (same file, key path and reason) left out, in first-seen order. */
function distinctIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.file, issue.path, issue.message]);
    return !seen.has(key) && seen.add(key);
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
