/**
 * The overlay rule for environment values: an environment file is deep-merged over the shared defaults.
 *
 * - mappings merge key by key, recursively;
 * - arrays and scalars in the environment file replace the default wholesale (no array concatenation);
 * - an explicit `null` in the environment file removes the default's key.
 */

/** A plain YAML mapping. */
export type Mapping = { [key: string]: unknown };

/** True for plain objects (YAML mappings), false for arrays, null and scalars. */
export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges `overlay` over `base` following the overlay rule above; neither input is modified. */
export function overlay(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over === undefined ? base : over;
  const out: Mapping = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = overlay(base[key], value);
  }
  return out;
}

/** True when `path` (a key path) is spelled out in `doc`, up to a leaf or array. */
export function definesPath(doc: unknown, path: ReadonlyArray<string | number>): boolean {
  let node: unknown = doc;
  for (const key of path) {
    if (Array.isArray(node)) return true; // arrays replace wholesale: whoever set the array owns its items
    if (!isMapping(node) || !(String(key) in node)) return false;
    node = node[String(key)];
  }
  return true;
}
