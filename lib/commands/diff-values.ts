/**
 * Which values changed in which file, per environment: each side's values directory is read the way the loader
 * reads it (`defaults.yaml` overlaid by `<env>.yaml`), the merged values are compared key by key, and each change
 * is attributed to the file that sets the value (the environment's file when it spells the key out, else the
 * defaults). No validation here: the synth of each side already validated its values.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS_FILE, listEnvironments, readValuesFile } from '../config/loader';
import { definesPath, overlay } from '../config/merge';
import { diffValues } from './diff-compute';
import { ValuesChange } from './diff-model';

/** The raw values of a directory: the defaults and each environment's own file, by environment name. */
export interface ValuesTree {
  /** `defaults.yaml` (empty when absent). */
  readonly defaults: unknown;
  /** Each `<env>.yaml`, as written. */
  readonly environments: ReadonlyMap<string, unknown>;
}

/** Reads a values directory without validating it (files that do not parse count as empty). */
export function readValuesTree(dir: string): ValuesTree {
  const read = (file: string) => (fs.existsSync(file) ? (readValuesFile(file).values ?? {}) : {});
  const names = fs.existsSync(dir) ? listEnvironments(dir) : [];
  return {
    defaults: read(path.join(dir, DEFAULTS_FILE)),
    environments: new Map(names.map((n) => [n, read(path.join(dir, `${n}.yaml`))])),
  };
}

/** The merged values of each environment of a tree. */
export function mergedValues(tree: ValuesTree): Map<string, unknown> {
  return new Map([...tree.environments].map(([name, own]) => [name, overlay(tree.defaults, own)]));
}

/** Splits `a.b[2].c` into `['a', 'b', 2, 'c']`. */
function keyPath(p: string): Array<string | number> {
  return p
    .split(/\.|(?=\[)/)
    .map((k) => (/^\[\d+\]$/.test(k) ? Number(k.slice(1, -1)) : k))
    .filter((k) => k !== '');
}

/** Every changed value between two values trees, per environment, with the file that sets it. */
export function valuesChanges(base: ValuesTree, head: ValuesTree): ValuesChange[] {
  const before = mergedValues(base);
  const after = mergedValues(head);
  const out: ValuesChange[] = [];
  for (const env of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    for (const change of diffValues(before.get(env) ?? {}, after.get(env) ?? {})) {
      const p = keyPath(change.path);
      const side = change.after !== undefined ? head : base;
      const own = side.environments.get(env);
      const file = definesPath(own, p) || !definesPath(side.defaults, p) ? `${env}.yaml` : DEFAULTS_FILE;
      out.push({ environment: env, file, ...change });
    }
  }
  return out;
}

/**
 * The values directory of a git ref, copied into a temporary directory (the caller removes it), or `undefined`
 * when the ref has no such directory.
 */
export function valuesDirAtRef(projectDir: string, ref: string, valuesDir = 'environments'): string | undefined {
  const list = spawnSync('git', ['ls-tree', '--name-only', `${ref}:${valuesDir}`], {
    cwd: projectDir,
    encoding: 'utf8',
  });
  if (list.status !== 0) return undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-values-'));
  for (const name of list.stdout.split('\n').filter((n) => n.endsWith('.yaml'))) {
    const show = spawnSync('git', ['show', `${ref}:${valuesDir}/${name}`], {
      cwd: projectDir,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (show.status === 0) fs.writeFileSync(path.join(tmp, name), show.stdout);
  }
  return tmp;
}
