/**
 * Schema building blocks shared by every section of the environment values: names, CIDRs, tags, and the
 * helpers a section uses to report cross-field problems at an exact key path.
 */
import { z } from 'zod';
import { parseCidr, parseIpv4 } from '../cidr';

/** A lowercase DNS-safe name: starts with a letter, then letters, digits and dashes. */
export const slug = (max: number) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes, starting with a letter')
    .max(max, `must be at most ${max} characters`);

/** An aligned IPv4 CIDR block (`10.0.0.0/16`); host bits set or malformed text is refused with a hint. */
export const cidr = z.string().superRefine((value, ctx) => {
  const block = parseCidr(value);
  if (typeof block === 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, message: block });
});

/** A dotted-quad IPv4 address. */
export const ipv4 = z.string().refine(
  (v) => parseIpv4(v) !== undefined,
  (v) => ({ message: `"${v}" is not an IPv4 address` }),
);

/** A TCP/UDP port number. */
export const port = z.number().int('must be a whole number').min(1).max(65535);

/** Resource tags: string keys and values, as cloud providers accept them. */
export const tags = z.record(
  z
    .string()
    .regex(/^[A-Za-z0-9_.:/=+@ -]{1,128}$/, 'tag keys are 1–128 characters of letters, digits, spaces and _.:/=+@-'),
  z.string().max(256, 'tag values are at most 256 characters'),
);

/**
 * Whether values describe a production environment: tagged `environment-class: production`, or named `prod` or
 * `production` (the same test the guardrails apply to synthesized stacks).
 */
export function isProductionValues(v: {
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
}): boolean {
  return v.tags?.['environment-class'] === 'production' || v.name === 'prod' || v.name === 'production';
}

/** Reports a cross-field problem at an exact key path from inside a `superRefine`. */
export function report(ctx: z.RefinementCtx, path: Array<string | number>, message: string): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
}

/** Deeply read-only view of a type. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * One way to fix a refused value, as literal edits of the environment's values file: each step sets a key path
 * (`traffic.strategy`) to a value, or removes it (`undefined`).
 */
export type ValuesFix = ReadonlyArray<readonly [keyPath: string, value: string | number | undefined]>;

/**
 * The end of a message that says how to fix it, in one grammar so a reader (or a test) can apply it literally:
 * `fix: set a.b: 1 and set c: x, or remove d`. Alternatives are joined by `, or `; each alternative is enough on
 * its own.
 */
export function formatFixes(fixes: readonly ValuesFix[]): string {
  const step = ([keyPath, value]: ValuesFix[number]) =>
    value === undefined ? `remove ${keyPath}` : `set ${keyPath}: ${value}`;
  return `fix: ${fixes.map((fix) => fix.map(step).join(' and ')).join(', or ')}`;
}

/** Applies a {@link ValuesFix} to a copy of plain values (the inverse of {@link formatFixes}'s text). */
export function applyFix<T>(values: T, fix: ValuesFix): T {
  const out = structuredClone(values) as Record<string, unknown>;
  for (const [keyPath, value] of fix) {
    const keys = keyPath.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return out as T;
}
