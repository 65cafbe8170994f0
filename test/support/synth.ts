import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { createEnvironmentStacks } from '../../stacks/environment-stacks';
import { envDir } from './env-dir';

/** A synthesized Terraform JSON document (cdk.tf.json). */
export type TfJson = {
  terraform: { backend: Record<string, Record<string, unknown>>; required_providers?: Record<string, unknown> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
};

/** Synthesizes the given environments (all four stacks each) into a temp dir; returns stack name → JSON text. */
export function synthConfigs(configs: readonly EnvironmentConfig[]): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-synth-'));
  const app = new App({ outdir });
  for (const config of configs) createEnvironmentStacks(app, config);
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const out = new Map<string, string>();
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    out.set(name, fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8'));
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return out;
}

/** Synthesizes the environments of a values directory (default: a copy of the shipped ones), parsed. */
export function synthEnvironments(dir = envDir(), only?: string[]): Map<string, TfJson> {
  const texts = synthConfigs(loadEnvironments({ dir, only }));
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
