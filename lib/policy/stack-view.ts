/**
 * A read-only view of one synthesized stack (`cdk.tf.json`): its resources with their construct paths and
 * suppressions, and lookups that rules need for cross-resource checks.
 */

/** A suppression of one rule on one resource, with the reason a reviewer reads. */
export interface Suppression {
  /** The rule id it silences. */
  readonly id: string;
  /** Why the finding is acceptable here. */
  readonly reason: string;
}

/** One resource as synthesized. */
export interface SynthResource {
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Terraform name (the cdktf unique id), e.g. `access-logs_bucket_1A2B3C4D`. */
  readonly name: string;
  /** `type.name`, the Terraform address. */
  readonly address: string;
  /** The construct path, e.g. `prod-shared/access-logs/bucket` (the address when the JSON has no metadata). */
  readonly path: string;
  /** The resource's arguments as synthesized (snake_case), without the `//` metadata. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Suppressions recorded on the resource (see `suppress`). */
  readonly suppressions: readonly Suppression[];
}

/** Key under a resource's `//` metadata that holds its suppressions. */
export const SUPPRESSIONS_KEY = 'guardrails';

/** A parsed JSON object: a block of the synthesized Terraform JSON. */
export type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A block as a list: cdktf renders single blocks as objects and repeated ones as arrays. */
export function blocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** The first block of a (possibly list-rendered) single block, or an empty object. */
export function block(value: unknown): Json {
  return blocks(value)[0] ?? {};
}

/** Whether a synthesized value is `true` (Terraform accepts the string "true" too). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Parses every resource of a synthesized stack. */
export function readResources(tf: Json): SynthResource[] {
  const out: SynthResource[] = [];
  const resources = isObject(tf.resource) ? tf.resource : {};
  for (const [type, byName] of Object.entries(resources)) {
    if (!isObject(byName)) continue;
    for (const [name, raw] of Object.entries(byName)) {
      if (!isObject(raw)) continue;
      const { '//': meta, ...config } = raw;
      const metadata = isObject(meta) && isObject(meta.metadata) ? meta.metadata : {};
      const guard = isObject(meta) && isObject(meta[SUPPRESSIONS_KEY]) ? meta[SUPPRESSIONS_KEY] : {};
      const suppressions = Array.isArray(guard.suppressions)
        ? guard.suppressions.filter(isObject).map((s) => ({ id: String(s.id), reason: String(s.reason ?? '') }))
        : [];
      const address = `${type}.${name}`;
      out.push({
        type,
        name,
        address,
        path: typeof metadata.path === 'string' ? metadata.path : address,
        config,
        suppressions,
      });
    }
  }
  return out;
}

/** Whether `value` (any synthesized JSON) contains a Terraform reference to `target`, e.g. `${aws_s3_bucket.x.id}`. */
export function references(value: unknown, target: { readonly type: string; readonly name: string }): boolean {
  const needle = `${target.type}.${target.name}`;
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  let at = text.indexOf(needle);
  while (at >= 0) {
    const before = text[at - 1];
    const after = text[at + needle.length];
    // A reference: preceded by the start of an expression or an operator, followed by an attribute or the end.
    if ((before === undefined || /[${(\s,[!]/.test(before)) && (after === undefined || /[.}\s,)\]]/.test(after)))
      return true;
    at = text.indexOf(needle, at + 1);
  }
  return false;
}

/** A synthesized stack, as rules see it. */
export class StackView {
  /** Every resource in the stack. */
  public readonly resources: readonly SynthResource[];
  /** Whether the stack belongs to a production environment (see {@link isProductionStack}). */
  public readonly production: boolean;

  constructor(
    /** The stack name, e.g. `prod-shared`. */
    public readonly name: string,
    /** The synthesized JSON. */
    public readonly tf: Readonly<Json>,
    production?: boolean,
  ) {
    this.resources = readResources(tf as Json);
    this.production = production ?? isProductionStack(tf as Json);
  }

  /** Resources of one type. */
  public ofType(...types: string[]): SynthResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  /** Resources of `type` whose argument `attribute` references `target`. */
  public referencing(target: SynthResource, type: string, attribute: string): SynthResource[] {
    return this.ofType(type).filter((r) => references(r.config[attribute], target));
  }
}

/**
 * Whether a synthesized stack is production: its AWS provider's default tags say `environment-class: production`
 * or `environment: prod|production`, or its `//.bluegreen` metadata says so.
 */
export function isProductionStack(tf: Json): boolean {
  const providers = isObject(tf.provider) ? tf.provider : {};
  for (const list of Object.values(providers)) {
    for (const p of blocks(list)) {
      for (const dt of blocks(p.default_tags)) {
        const tags = isObject(dt.tags) ? dt.tags : {};
        if (
          tags['environment-class'] === 'production' ||
          tags.environment === 'prod' ||
          tags.environment === 'production'
        )
          return true;
      }
    }
  }
  const meta =
    isObject(tf['//']) && isObject((tf['//'] as Json).bluegreen) ? ((tf['//'] as Json).bluegreen as Json) : {};
  return meta.production === true;
}

/** Where an AWS resource lives: the region and the accounts its provider may act on (absent: any account). */
export interface AwsPlacement {
  /** The provider's region, e.g. `eu-west-1` (absent when the provider block names none). */
  readonly region?: string;
  /** The provider's `allowed_account_ids` (absent: the credentials decide, so any account). */
  readonly accountIds?: readonly string[];
}

/**
 * The AWS placement of a resource: the `aws` provider block it uses (its `provider` argument, `aws.<alias>`,
 * or the provider without an alias).
 */
export function awsPlacement(stack: StackView, resource: SynthResource): AwsPlacement {
  const providers = isObject(stack.tf.provider) ? (stack.tf.provider as Json) : {};
  const ref = typeof resource.config.provider === 'string' ? resource.config.provider : 'aws';
  const alias = ref.startsWith('aws.') ? ref.slice(4) : undefined;
  const p = blocks(providers.aws).find((b) => (alias === undefined ? b.alias === undefined : b.alias === alias)) ?? {};
  const ids = Array.isArray(p.allowed_account_ids) ? p.allowed_account_ids.map(String) : undefined;
  return { region: typeof p.region === 'string' ? p.region : undefined, accountIds: ids?.length ? ids : undefined };
}

/** Whether two placements may be the same account: true unless both list allowed accounts and none is shared. */
export function mayShareAccount(a: AwsPlacement, b: AwsPlacement): boolean {
  if (!a.accountIds || !b.accountIds) return true;
  return a.accountIds.some((id) => b.accountIds!.includes(id));
}

/**
 * Every stack of an app at once, for rules that compare resources across stacks (an environment's stacks
 * share an account, and so may two environments). A stack checked on its own sees an app of one stack.
 */
export class AppView {
  /** The stacks, in check order. */
  public readonly stacks: readonly StackView[];

  constructor(stacks: readonly StackView[]) {
    this.stacks = stacks;
  }

  /** Every resource of the given types in every stack, with its stack. */
  public ofType(...types: string[]): Array<{ readonly stack: StackView; readonly resource: SynthResource }> {
    return this.stacks.flatMap((stack) => stack.ofType(...types).map((resource) => ({ stack, resource })));
  }
}
