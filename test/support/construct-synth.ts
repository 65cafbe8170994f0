import { Testing } from 'cdktf';
import { Construct } from 'constructs';

/** Synthesizes one construct in a bare test stack; returns its `resource` block: type → logical id → config. */
export function synthResources(build: (scope: Construct) => void): Record<string, Record<string, Record<string, any>>> {
  return JSON.parse(Testing.synthScope(build)).resource ?? {};
}

/** Synthesizes one construct and returns the single resource of `type` it creates (fails if there is not exactly one). */
export function onlyResource(type: string, build: (scope: Construct) => void): Record<string, any> {
  const all = Object.values(synthResources(build)[type] ?? {});
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, got ${all.length}`);
  return all[0];
}
