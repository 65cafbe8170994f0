/**
 * The synth cache of one jest run: each distinct configuration is synthesized once per run, by whichever worker
 * asks first, and every later request for the same values (in any worker, any test file) reads that synthesis.
 *
 * - The key is the values a synthesis depends on (the parsed `EnvironmentConfig` objects, serialized exactly: key
 *   order kept, `undefined` kept apart from a missing key) plus the `CDKTF_*` variables cdktf reads, never a path:
 *   tests copy `environments/` to fresh temp dirs, and equal values hit the same entry.
 * - The scope is one run: `test/support/synth-cache-setup.js` (jest's globalSetup) makes a fresh directory and
 *   names it in {@link SYNTH_CACHE_DIR_ENV}, which every worker inherits; `synth-cache-teardown.js` removes it. So
 *   no entry outlives the run, and an edit to the library between runs can never be served stale. Outside jest
 *   (the variable unset) every call synthesizes.
 * - An entry holds its full key, and a read that finds another key (or a file it cannot parse) synthesizes:
 *   a changed configuration is never served from another one's entry.
 * - Writes are atomic (a temp file renamed into place): a worker never reads half an entry. Two workers racing on
 *   one key both synthesize and the last rename wins, with equal content.
 * - Each test file also remembers its entries in memory (jest gives each file a fresh module registry).
 *
 * Set `BLUEGREEN_SYNTH_CACHE_STATS=1` to have the teardown print how many syntheses the run made and avoided
 * (`=<file>`: and keep the event log, one line per synthesis asked for, in that file); `BLUEGREEN_SYNTH_CACHE=0`
 * turns the cache off for a run.
 *
 * Only values-keyed syntheses go through it (test/support/synth.ts). A construct built by a test
 * (`Testing.synthScope`, `lbFixture`) is code, not values: there is no key short of the synthesis itself.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The variable naming the run's cache directory; set by jest's globalSetup, unset outside jest. */
export const SYNTH_CACHE_DIR_ENV = 'BLUEGREEN_SYNTH_CACHE_DIR';

/**
 * The log each call appends one line to (`<outcome> <kind> <digest> <test file> <CPU ms>`), read by the teardown.
 * The CPU time is that of the synthesis for a miss (a test file's first one includes loading the stacks and
 * provider bindings, about 0.4 s), else 0.
 */
export const SYNTH_CACHE_EVENTS = 'events.log';

/** What a call did: synthesized (`miss`), read the run's directory (`hit`), or this file's memory (`memo`). */
export type SynthCacheOutcome = 'miss' | 'hit' | 'memo' | 'uncached';

/** One synthesis, as named texts (e.g. `manifest.json` and each stack's `cdk.tf.json`). */
export type SynthTexts = ReadonlyMap<string, string>;

interface Entry {
  readonly key: string;
  readonly texts: Array<[string, string]>;
}

const memory = new Map<string, Entry>();

/** Thrown by {@link keyOf} for a value that has no exact serialization (such a call synthesizes, uncached). */
class NotValues extends Error {}

/**
 * The exact text of a tree of values: JSON with `undefined`, `-0`, `NaN` and the infinities spelled apart, object
 * keys in their own order (a different order is a different key: a miss, never a wrong hit). Anything that is not a
 * plain value (a class instance, a function, a symbol) throws {@link NotValues}.
 */
function serialize(value: unknown, at: string): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) items.push(serialize(value[i], `${at}[${i}]`));
    return `[${items.join(',')}]`;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if ((proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(value).length === 0) {
      const fields = Object.keys(value).map(
        (k) => `${JSON.stringify(k)}:${serialize((value as Record<string, unknown>)[k], `${at}.${k}`)}`,
      );
      return `{${fields.join(',')}}`;
    }
  }
  throw new NotValues(`${at || 'the values'}: not a plain value (${Object.prototype.toString.call(value)})`);
}

/**
 * The full key of a synthesis: its kind, its values and the `CDKTF_*` environment (cdktf reads its context and
 * options from there). Throws {@link NotValues} when the values cannot be serialized exactly.
 */
export function keyOf(kind: string, values: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const cdktf = Object.keys(env)
    .filter((name) => name.startsWith('CDKTF_'))
    .sort()
    .map((name) => `${name}=${env[name]}`);
  return `${kind}\n${serialize(values, '')}\n${cdktf.join('\n')}`;
}

/** The digest naming a key's entry file. */
function digestOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The run's cache directory, or undefined outside a jest run. */
export function synthCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[SYNTH_CACHE_DIR_ENV] || undefined;
}

/** The entry file of a key in a cache directory. */
export function entryFile(dir: string, key: string): string {
  return path.join(dir, `${digestOf(key)}.json`);
}

/** Reads an entry; undefined when absent, unreadable, or holding another key. */
function readEntry(file: string, key: string): Entry | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as Entry;
    return entry.key === key && Array.isArray(entry.texts) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Writes an entry atomically: a temp file in the same directory, renamed into place. */
function writeEntry(file: string, entry: Entry): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, JSON.stringify(entry));
    fs.renameSync(temp, file);
  } catch {
    // The directory went away (the run ended under a straggler) or the disk is full: the result still stands.
    fs.rmSync(temp, { force: true });
  }
}

/** Appends one line to the run's event log (O_APPEND: concurrent lines do not interleave). */
function record(dir: string, outcome: SynthCacheOutcome, kind: string, digest: string, cpuMs = 0): void {
  const testPath = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.()
    .testPath;
  const file = testPath ? path.relative(process.cwd(), testPath) : '-';
  try {
    fs.appendFileSync(
      path.join(dir, SYNTH_CACHE_EVENTS),
      `${outcome} ${kind} ${digest.slice(0, 12)} ${file} ${Math.round(cpuMs)}\n`,
    );
  } catch {
    // A log line is not worth failing a test for.
  }
}

/**
 * Returns the synthesis of `values` made by `synth`, made once per jest run: from this file's memory, else from
 * the run's directory, else by calling `synth` and storing what it returns. Outside jest, or for values with no
 * exact serialization, it calls `synth`. Each call returns a new map (texts are immutable; parse them afresh).
 *
 * @param kind what `synth` makes of the values (part of the key: two kinds never share an entry)
 * @param values everything the synthesis depends on besides the code under test
 * @param synth the real synthesis
 */
export function cachedSynth(kind: string, values: unknown, synth: () => SynthTexts): Map<string, string> {
  const dir = synthCacheDir();
  if (!dir) return new Map(synth());
  let key: string;
  try {
    key = keyOf(kind, values);
  } catch (e) {
    if (!(e instanceof NotValues)) throw e;
    record(dir, 'uncached', kind, '-');
    return new Map(synth());
  }
  const digest = digestOf(key);
  const remembered = memory.get(digest);
  if (remembered && remembered.key === key) {
    record(dir, 'memo', kind, digest);
    return new Map(remembered.texts);
  }
  const file = entryFile(dir, key);
  const stored = readEntry(file, key);
  if (stored) {
    memory.set(digest, stored);
    record(dir, 'hit', kind, digest);
    return new Map(stored.texts);
  }
  const started = process.cpuUsage();
  const made: Entry = { key, texts: [...synth()] };
  const cpu = process.cpuUsage(started);
  writeEntry(file, made);
  memory.set(digest, made);
  record(dir, 'miss', kind, digest, (cpu.user + cpu.system) / 1000);
  return new Map(made.texts);
}

/** Forgets what this file's memory holds (the cache's own tests use it to reach the run's directory). */
export function forgetSynthCacheMemory(): void {
  memory.clear();
}
