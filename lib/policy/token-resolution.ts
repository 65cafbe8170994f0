/**
 * Synth speed: cdktf 0.21's token resolution (`cdktf/lib/tokens/private/resolve.js`, copied from AWS constructs)
 * visits every value of every stack and, for each one, builds its diagnostic path string (`"/" + prefix.join("/")`,
 * used only in error messages), copies its options object, and allocates a resolution context with two closures,
 * even for a plain string with no token in it. That is most of the time `app.synth()` spends in the library's
 * rendering (CPU profile of a direct synth of the shipped environments: ~60 % of render + guardrails).
 *
 * {@link resolveLikeCdktf} is the same algorithm, step for step, with those costs moved to where they are needed:
 * the path is a linked list turned into a string only for an error, and a plain value (a string with no token
 * marker, a number that is not an encoded token, a boolean) is returned without a context. Tokens, lists, maps,
 * escapes and every error go through exactly the calls cdktf makes, with contexts built the same way.
 * The output is identical (test/policy/token-resolution.test.ts compares it with cdktf's own on every shipped
 * stack and on each kind of token); it is used only while {@link withFastTokenResolution} runs, and only on the
 * cdktf version it was ported from.
 */
import { Token } from 'cdktf';
import {
  IPostProcessor,
  IResolvable,
  IResolveContext,
  ITokenResolver,
  StringConcat,
} from 'cdktf/lib/tokens/resolvable';
import {
  containsMapToken,
  containsNumberListTokenElement,
  containsStringListTokenElement,
  TokenString,
  unresolved,
} from 'cdktf/lib/tokens/private/encoding';
import { TokenMap } from 'cdktf/lib/tokens/private/token-map';
import * as errors from 'cdktf/lib/errors';
import { IConstruct } from 'constructs';

/** The cdktf release whose `resolve` this file reproduces; any other version keeps cdktf's own. */
const PORTED_FROM_CDKTF = '0.21.0';

/** cdktf's options for `resolve` (`IResolveOptions`), with the key path as a linked list. */
interface Options {
  readonly scope: IConstruct;
  readonly preparing: boolean;
  readonly resolver: ITokenResolver;
  readonly previousContext?: IResolveContext;
  /** Number of keys from the root (cdktf's `prefix.length`). */
  readonly depth: number;
  readonly path?: KeyPath;
}

/** cdktf's `IResolveOptions`, as its callers pass them. */
interface CdktfResolveOptions {
  readonly scope: IConstruct;
  readonly preparing: boolean;
  readonly resolver: ITokenResolver;
  readonly prefix?: string[];
  readonly previousContext?: IResolveContext;
}

/** One key of the path from the root to a value, pointing at its parent. */
interface KeyPath {
  readonly parent?: KeyPath;
  readonly key: string;
}

/** cdktf's limit on nesting: `resolve` refuses a value more than 200 keys deep (a cyclic reference). */
const MAX_DEPTH = 200;

const tokenMap = TokenMap.instance();
const lookupToken = tokenMap.lookupToken.bind(tokenMap);

/** cdktf's diagnostic path: `/key/key/...`. */
function pathName(path: KeyPath | undefined): string {
  const keys: string[] = [];
  for (let p = path; p; p = p.parent) keys.unshift(p.key);
  return '/' + keys.join('/');
}

/** A context for resolving one value, as cdktf's `makeContext(appendPath)` builds it. */
function makeContext(options: Options, appendKey?: string): [IResolveContext, IPostProcessor] {
  const depth = appendKey === undefined ? options.depth : options.depth + 1;
  const path = appendKey === undefined ? options.path : { parent: options.path, key: appendKey };
  const previous = options.previousContext;
  let postProcessor: IPostProcessor | undefined;
  const context: IResolveContext = {
    preparing: options.preparing,
    scope: options.scope,
    suppressBraces: previous?.suppressBraces,
    ignoreEscapes: previous?.ignoreEscapes,
    warnEscapes: previous?.warnEscapes,
    iteratorContext: previous?.iteratorContext,
    registerPostProcessor(pp: IPostProcessor) {
      postProcessor = pp;
    },
    resolve(x: unknown) {
      return resolveValue(x, {
        scope: options.scope,
        preparing: options.preparing,
        resolver: options.resolver,
        previousContext: context,
        depth,
        path,
      });
    },
  };
  return [context, { postProcess: (x: unknown) => (postProcessor ? postProcessor.postProcess(x, context) : x) }];
}

/**
 * Whether cdktf's number-token pattern (`[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)`: an encoded token is a double in exponent
 * notation) matches `s`. It needs an `e` right after a digit or one of `-|.+`; most strings have none, and the
 * pattern itself runs only when they do.
 */
function mayHoldNumberToken(s: string): boolean {
  for (let i = s.indexOf('e', 1); i !== -1; i = s.indexOf('e', i + 1)) {
    const c = s.charCodeAt(i - 1);
    if ((c >= 48 && c <= 57) || c === 45 || c === 124 || c === 46 || c === 43) return TokenString.forNumbers(s).test();
  }
  return false;
}

/**
 * Whether cdktf's `resolve` would return `value` itself, unchanged, with nothing to call: a string with no token
 * marker (string, list or map: all contain `{TfToken[`) that is neither map-token value nor a concatenated number
 * token, a number that is not an encoded token, a boolean. Nothing deeper than cdktf's limit counts as plain.
 */
function isPlain(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  switch (typeof value) {
    case 'string':
      return (
        !value.includes('{TfToken[') &&
        value !== Token.STRING_MAP_TOKEN_VALUE &&
        value !== Token.ANY_MAP_TOKEN_VALUE &&
        !mayHoldNumberToken(value)
      );
    case 'number':
      return value !== Token.NUMBER_MAP_TOKEN_VALUE && tokenMap.lookupNumberToken(value) === undefined;
    case 'boolean':
    case 'undefined':
      return true;
    default:
      return false;
  }
}

/** cdktf's `resolve`, step for step (see the file comment). */
function resolveValue(obj: unknown, options: Options): unknown {
  if (options.depth > MAX_DEPTH) throw errors.unableToResolveCircularReference(pathName(options.path));
  if (typeof obj === 'undefined') return undefined;
  if (obj === null) return null;
  if (typeof obj === 'function') throw errors.cannotResolveFunction(pathName(options.path), obj);

  if (typeof obj === 'string') {
    if (isPlain(obj, options.depth)) return obj;
    if (TokenString.forListToken(obj).test()) throw errors.encodedListTokenInScalarStringContext();
    if (obj === Token.STRING_MAP_TOKEN_VALUE || obj === Token.ANY_MAP_TOKEN_VALUE)
      throw errors.encodedMapTokenInScalarStringContext();
    let str = obj;
    const context = makeContext(options)[0];
    const tokenStr = TokenString.forString(str, !context.ignoreEscapes, context.warnEscapes);
    if (tokenStr.test()) {
      const fragments = tokenStr.split(lookupToken);
      str = options.resolver.resolveString(fragments, makeContext(options)[0]);
    }
    const tokenNumberStr = TokenString.forNumbers(str);
    if (tokenNumberStr.test()) {
      const fragments = tokenNumberStr.split((id) => tokenMap.lookupNumberToken(parseFloat(id)));
      str = fragments.mapTokens(makeContext(options)[0]).join(new StringConcat());
    }
    return str;
  }

  if (typeof obj === 'number') {
    if (obj === Token.NUMBER_MAP_TOKEN_VALUE) throw errors.encodedMapTokenInScalarNumberContext();
    const token = tokenMap.lookupNumberToken(obj);
    return token === undefined ? obj : makeContext(options)[0].resolve(token);
  }

  if (typeof obj !== 'object' || obj instanceof Date) return obj;

  if (Array.isArray(obj)) {
    if (containsStringListTokenElement(obj)) return options.resolver.resolveList(obj, makeContext(options)[0]);
    if (containsNumberListTokenElement(obj)) return options.resolver.resolveNumberList(obj, makeContext(options)[0]);
    // cdktf's own walk (map, then filter): its length read once, holes skipped, an Array subclass kept.
    return obj.map((x, i) => resolveChild(x, options, `${i}`)).filter((x) => typeof x !== 'undefined');
  }

  if (containsMapToken(obj as Record<string, unknown>))
    return options.resolver.resolveMap(obj as Record<string, unknown>, makeContext(options)[0]);

  if (unresolved(obj)) {
    const [context, postProcessor] = makeContext(options);
    return options.resolver.resolveToken(obj as IResolvable, context, postProcessor);
  }

  if (isConstruct(obj)) throw errors.constructsCannotBeResolved(pathName(options.path));

  const result: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const resolvedKey = isPlain(key, options.depth) ? key : makeContext(options)[0].resolve(key);
    if (typeof resolvedKey !== 'string')
      throw errors.mapKeyMustResolveToString(pathName(options.path), key, resolvedKey);
    const value = resolveChild((obj as Record<string, unknown>)[key], options, key);
    if (typeof value === 'undefined') continue;
    result[resolvedKey] = value;
  }
  return result;
}

/** `makeContext(key)[0].resolve(value)`, without the context when the value is plain. */
function resolveChild(value: unknown, options: Options, key: string): unknown {
  return isPlain(value, options.depth + 1) ? value : makeContext(options, key)[0].resolve(value);
}

/** cdktf's guard against resolving a construct (a typo that would recurse through parent and children). */
function isConstruct(x: object): boolean {
  const c = x as { _children?: unknown; _metadata?: unknown };
  return c._children !== undefined && c._metadata !== undefined;
}

/**
 * cdktf's `resolve(obj, options)`, faster (see the file comment). Same arguments, same result, same errors.
 */
export function resolveLikeCdktf(obj: unknown, options: CdktfResolveOptions): unknown {
  const prefix = options.prefix ?? [];
  let path: KeyPath | undefined;
  for (const key of prefix) path = { parent: path, key };
  return resolveValue(obj, {
    scope: options.scope,
    preparing: options.preparing,
    resolver: options.resolver,
    previousContext: options.previousContext,
    depth: prefix.length,
    path,
  });
}

/** The loaded cdktf's version, from the type information jsii gives each of its classes. */
export function cdktfVersion(): string | undefined {
  return (Token as unknown as Record<symbol, { version?: string } | undefined>)[Symbol.for('jsii.rtti')]?.version;
}

/** cdktf's resolve module: its `resolve` export is read at each call by every caller in cdktf. */
interface ResolveModule {
  resolve: (obj: unknown, options: CdktfResolveOptions) => unknown;
}

/**
 * Runs `fn` with cdktf's token resolution replaced by {@link resolveLikeCdktf}, then puts cdktf's back (also on a
 * throw). With any cdktf other than the version it was ported from, `fn` runs with cdktf's own.
 */
export function withFastTokenResolution<T>(fn: () => T): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require('cdktf/lib/tokens/private/resolve') as ResolveModule;
  if (cdktfVersion() !== PORTED_FROM_CDKTF || module.resolve === resolveLikeCdktf) return fn();
  const original = module.resolve;
  module.resolve = resolveLikeCdktf;
  try {
    return fn();
  } finally {
    module.resolve = original;
  }
}
