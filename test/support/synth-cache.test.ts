import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { envDir, withValue } from './env-dir';
import { synthConfigs, synthEnvironments } from './synth';
import {
  cachedSynth,
  entryFile,
  forgetSynthCacheMemory,
  keyOf,
  SYNTH_CACHE_DIR_ENV,
  SYNTH_CACHE_EVENTS,
  SynthTexts,
} from './synth-cache';

/** The run's own cache directory, as jest's globalSetup named it (each test below works in a fresh one). */
const runDir = process.env[SYNTH_CACHE_DIR_ENV];
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-synth-cache-test-'));
  process.env[SYNTH_CACHE_DIR_ENV] = dir;
  forgetSynthCacheMemory();
});

afterEach(() => {
  if (runDir === undefined) delete process.env[SYNTH_CACHE_DIR_ENV];
  else process.env[SYNTH_CACHE_DIR_ENV] = runDir;
  forgetSynthCacheMemory();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What each call through the cache did, in order (`miss`: synthesized, `hit`: read back, `memo`: from memory). */
function outcomes(): string[] {
  const log = path.join(dir, SYNTH_CACHE_EVENTS);
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0]);
}

/** The entry files in the test's cache directory. */
const entries = () => fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

/** The dev environment from a fresh copy of the shipped values (a new path each time), optionally edited. */
function dev(edits: Record<string, string> = {}): EnvironmentConfig[] {
  return loadEnvironments({ dir: envDir(edits), only: ['dev'] });
}

describe('the synth cache of a jest run (test/support/synth-cache.ts), with real syntheses of dev', () => {
  test("jest's globalSetup named a fresh directory for this run, which exists (none with BLUEGREEN_SYNTH_CACHE=0)", () => {
    if (process.env.BLUEGREEN_SYNTH_CACHE === '0') {
      expect(runDir).toBeUndefined();
      return;
    }
    expect(runDir).toMatch(/cdktf-bluegreen-synth-/);
    expect(fs.statSync(runDir!).isDirectory()).toBe(true);
  });

  test('equal values from another copy of environments/ are read back, byte for byte what a real synthesis makes', () => {
    const real = synthConfigs(dev(), { cache: false });
    const first = synthConfigs(dev());
    forgetSynthCacheMemory(); // as a test file in another worker would find it
    const second = synthConfigs(dev());
    const third = synthConfigs(dev());
    expect(outcomes()).toEqual(['miss', 'hit', 'memo']);
    expect(entries()).toHaveLength(1);
    expect([...real.keys()]).toEqual(['dev-blue', 'dev-cutover', 'dev-green', 'dev-shared']);
    for (const served of [first, second, third]) expect([...served]).toEqual([...real]);
  });

  test('a changed value is synthesized anew, not served from the entry of the values before it', () => {
    const before = synthConfigs(dev());
    const changed = dev({ 'dev.yaml': withValue('dev.yaml', ['colors', 'green', 'release', 'version'], '1.4.2') });
    const after = synthConfigs(changed);
    expect(outcomes()).toEqual(['miss', 'miss']);
    expect(entries()).toHaveLength(2);
    expect([...after]).toEqual([...synthConfigs(changed, { cache: false })]);
    expect(after.get('dev-green')).not.toEqual(before.get('dev-green'));
    expect(after.get('dev-green')).toContain('1.4.2');
    expect(after.get('dev-blue')).toEqual(before.get('dev-blue'));
  });

  test('different environments are different entries', () => {
    const all = loadEnvironments({ dir: envDir() });
    const byName = all.map((config) => synthConfigs([config]));
    expect(outcomes()).toEqual(['miss', 'miss', 'miss']);
    expect(entries()).toHaveLength(3);
    expect(byName.map((texts) => [...texts.keys()][0])).toEqual(['dev-blue', 'prod-blue', 'staging-blue']);
  });

  test('each call returns fresh objects: what one test mutates, the next call does not see', () => {
    const first = synthEnvironments(envDir(), ['dev']);
    const shared = first.get('dev-shared')!;
    const resourceCount = Object.keys(shared.resource!).length;
    delete shared.resource;
    first.delete('dev-blue');
    const second = synthEnvironments(envDir(), ['dev']);
    synthConfigs(dev()).clear();
    const texts = synthConfigs(dev());
    expect(outcomes()).toEqual(['miss', 'memo', 'memo', 'memo']);
    expect(Object.keys(second.get('dev-shared')!.resource!)).toHaveLength(resourceCount);
    expect(second.has('dev-blue')).toBe(true);
    expect([...texts.keys()]).toEqual(['dev-blue', 'dev-cutover', 'dev-green', 'dev-shared']);
  });

  test('without the variable (outside jest) every call synthesizes and nothing is written', () => {
    delete process.env[SYNTH_CACHE_DIR_ENV];
    const once = synthConfigs(dev());
    const twice = synthConfigs(dev());
    expect([...twice]).toEqual([...once]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('the synth cache, its mechanism (a counting stand-in for the synthesis)', () => {
  const made = (text: string) => jest.fn((): SynthTexts => new Map([['stack', text]]));

  test('reads back what it stored, leaving no temp file behind', () => {
    const synth = made('one');
    expect([...cachedSynth('test', { a: 1 }, synth)]).toEqual([['stack', 'one']]);
    forgetSynthCacheMemory();
    expect([...cachedSynth('test', { a: 1 }, synth)]).toEqual([['stack', 'one']]);
    expect(synth).toHaveBeenCalledTimes(1);
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(entryFile(dir, keyOf('test', { a: 1 }))), 'events.log']);
  });

  test('an entry file holding another key is not served (its full key is checked, not only the digest)', () => {
    cachedSynth('test', { a: 1 }, made('one'));
    fs.copyFileSync(entryFile(dir, keyOf('test', { a: 1 })), entryFile(dir, keyOf('test', { a: 2 })));
    forgetSynthCacheMemory();
    const synth = made('two');
    expect(cachedSynth('test', { a: 2 }, synth).get('stack')).toBe('two');
    expect(synth).toHaveBeenCalledTimes(1);
  });

  test('a half-written entry is a miss, not an error', () => {
    const file = entryFile(dir, keyOf('test', { a: 1 }));
    fs.writeFileSync(file, '{"key":"test\\n{\\"a\\":1}","texts":[["stack","on');
    const synth = made('one');
    expect(cachedSynth('test', { a: 1 }, synth).get('stack')).toBe('one');
    expect(synth).toHaveBeenCalledTimes(1);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).texts).toEqual([['stack', 'one']]);
  });

  test('the key is exact: a missing key, undefined, null, -0, key order, the kind and CDKTF_* variables differ', () => {
    const keys = [
      keyOf('test', {}),
      keyOf('test', { a: undefined }),
      keyOf('test', { a: null }),
      keyOf('test', { a: 0 }),
      keyOf('test', { a: -0 }),
      keyOf('test', { a: '0' }),
      keyOf('test', { a: [undefined] }),
      keyOf('test', { a: [null] }),
      keyOf('test', { a: 1, b: 2 }),
      keyOf('test', { b: 2, a: 1 }),
      keyOf('other', { b: 2, a: 1 }),
      keyOf('other', { b: 2, a: 1 }, { CDKTF_CONTEXT_JSON: '{}' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(keyOf('test', { a: [1, { b: 'x' }] })).toBe(keyOf('test', { a: [1, { b: 'x' }] }));
  });

  test('values that are not plain data are never cached: each call synthesizes', () => {
    const synth = made('one');
    cachedSynth('test', { at: new Date(0) }, synth);
    cachedSynth('test', { at: new Date(0) }, synth);
    expect(synth).toHaveBeenCalledTimes(2);
    expect(outcomes()).toEqual(['uncached', 'uncached']);
  });

  test('a synthesis that throws stores nothing', () => {
    expect(() =>
      cachedSynth('test', { a: 1 }, () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(entries()).toEqual([]);
    expect(cachedSynth('test', { a: 1 }, made('one')).get('stack')).toBe('one');
  });
});
