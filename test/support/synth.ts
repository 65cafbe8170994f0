import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { envDir } from './env-dir';
import { cachedSynth } from './synth-cache';

/** A synthesized Terraform JSON document (cdk.tf.json). */
export type TfJson = {
  terraform: { backend: Record<string, Record<string, unknown>>; required_providers?: Record<string, unknown> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
};

/** How a test synthesizes. */
export interface SynthOptions {
  /**
   * `false` synthesizes for real even under jest's run cache: for tests whose subject is synthesis itself (that two
   * syntheses are byte-identical, say), which a cached copy would pass trivially.
   * @default true (under jest, each distinct configuration is synthesized once per run: test/support/synth-cache.ts)
   */
  readonly cache?: boolean;
}

/** What an app of environments synthesizes: cdktf's manifest and each stack's JSON text. */
export interface SynthOutput {
  /** `manifest.json`, parsed (a fresh object on every call). */
  readonly manifest: { stacks: Record<string, { dependencies: string[]; synthesizedStackPath: string }> };
  /** Stack name → `cdk.tf.json` text. */
  readonly texts: Map<string, string>;
}

const MANIFEST = 'manifest.json';

/** Synthesizes the given environments (all four stacks each) in an App writing to a temp dir; returns every text. */
function synthOnce(configs: readonly EnvironmentConfig[]): Map<string, string> {
  // Loaded here, not at the top: a test file whose every synthesis the run's cache serves never loads the stacks and
  // the provider bindings (0.4 s of CPU per test file).
  const { App } = require('cdktf') as typeof import('cdktf');
  const { createEnvironmentStacks } =
    require('../../stacks/environment-stacks') as typeof import('../../stacks/environment-stacks');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-synth-'));
  try {
    const app = new App({ outdir });
    for (const config of configs) createEnvironmentStacks(app, config);
    app.synth();
    const manifestText = fs.readFileSync(path.join(outdir, MANIFEST), 'utf8');
    const manifest = JSON.parse(manifestText) as SynthOutput['manifest'];
    const out = new Map([[MANIFEST, manifestText]]);
    for (const [name, stack] of Object.entries(manifest.stacks)) {
      out.set(name, fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8'));
    }
    return out;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes the given environments (all four stacks each); returns the manifest and stack name → JSON text.
 * Under jest the run's synth cache serves a configuration synthesized before (keyed by the values, not a path).
 */
export function synthApp(configs: readonly EnvironmentConfig[], options: SynthOptions = {}): SynthOutput {
  const all =
    options.cache === false ? synthOnce(configs) : cachedSynth('environment-stacks', configs, () => synthOnce(configs));
  const manifest = JSON.parse(all.get(MANIFEST)!) as SynthOutput['manifest'];
  all.delete(MANIFEST);
  return { manifest, texts: all };
}

/** Synthesizes the given environments (all four stacks each); returns stack name → JSON text. */
export function synthConfigs(configs: readonly EnvironmentConfig[], options: SynthOptions = {}): Map<string, string> {
  return synthApp(configs, options).texts;
}

/** Synthesizes the environments of a values directory (default: a copy of the shipped ones), parsed. */
export function synthEnvironments(dir = envDir(), only?: string[], options: SynthOptions = {}): Map<string, TfJson> {
  const texts = synthConfigs(loadEnvironments({ dir, only }), options);
  return new Map([...texts].map(([k, v]) => [k, JSON.parse(v) as TfJson]));
}

/** All resources of one type in a stack, by construct-derived logical id. */
export function resources(stack: TfJson, type: string): Array<Record<string, unknown>> {
  return Object.values(stack.resource?.[type] ?? {});
}

/** A color or cutover stack's read of a value `<env>-shared` publishes (SharedLookup), with the parameter name. */
const SHARED_READ = /\$\{zipmap\(data\.aws_ssm_parameters_by_path\.[^)]*\)\)\["([^"]+)"\]\}/g;

/**
 * Follows the published channel the way Terraform will at plan time: replaces every read of a published value
 * (`${zipmap(...)["/<app>/<env>/shared/<name>"]}`) by the value the shared stack writes to that parameter.
 * Fails when no synthesized stack publishes the name.
 */
export function followPublished(stacks: ReadonlyMap<string, TfJson>, value: unknown): string {
  return String(value).replace(SHARED_READ, (_, name: string) => {
    for (const stack of stacks.values()) {
      const parameter = resources(stack, 'aws_ssm_parameter').find((p) => p.name === name);
      if (parameter) return String(parameter.insecure_value);
    }
    throw new Error(`no synthesized stack publishes ${name}`);
  });
}
