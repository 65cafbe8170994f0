import { App, Fn, IResolvable, IResolveContext, Lazy, TerraformStack, Token } from 'cdktf';
import { DefaultTokenResolver, StringConcat } from 'cdktf/lib/tokens/resolvable';
import { ref } from 'cdktf/lib/tfExpression';
import { Construct } from 'constructs';
import { cdktfVersion, resolveLikeCdktf, withFastTokenResolution } from '../../lib/policy/token-resolution';

// The port of cdktf's `resolve` must give what cdktf's own gives, value for value and error for error. The whole
// shipped app is compared byte for byte in render-once.test.ts (enforceGuardrails renders with the port, a plain
// app.synth() with cdktf's); here each kind of value and token, side by side.

const cdktfResolveModule = require('cdktf/lib/tokens/private/resolve') as {
  resolve: (obj: unknown, options: object) => unknown;
};
const cdktfResolve = cdktfResolveModule.resolve;

const stack = new TerraformStack(new App({ stackTraces: false }), 'resolution');

/** Resolves `value` with cdktf's own `resolve` and with the port; returns both outcomes (value or error text). */
function both(value: () => unknown, prefix?: string[]): { cdktf: unknown; port: unknown } {
  const subject = value(); // once: both resolve the same tokens (a token's id is its place in cdktf's token map)
  const outcome = (resolve: (obj: unknown, options: never) => unknown) => {
    const options = { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()), prefix };
    try {
      return { value: resolve(subject, options as never) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  return { cdktf: outcome(cdktfResolve), port: outcome(resolveLikeCdktf as never) };
}

/** A token that resolves to `value` and records the context it was given. */
function tokenOf(value: unknown, seen?: IResolveContext[]): IResolvable {
  return {
    creationStack: [],
    resolve: (context: IResolveContext) => {
      seen?.push(context);
      return value;
    },
    toString: () => Token.asString({ creationStack: [], resolve: () => value }),
  };
}

const deepObject = (depth: number): unknown => (depth === 0 ? 'leaf' : { k: deepObject(depth - 1) });
const wrapDeep = (depth: number, inner: unknown): unknown => (depth === 0 ? inner : { k: wrapDeep(depth - 1, inner) });
class ListOf<T> extends Array<T> {}

const CASES: Array<[string, () => unknown]> = [
  [
    'plain values, nested, with undefined members and elements dropped',
    () => ({
      s: 'text',
      n: 42,
      f: 1.5e-3,
      t: true,
      z: null,
      u: undefined,
      d: new Date(0),
      list: ['a', undefined, 3, { x: undefined, y: 'e1e2' }],
      nested: { deeper: { e: '1e+5', x: '-2e-3|' } },
    }),
  ],
  [
    'a string token inside a string',
    () => `name-${Token.asString(Lazy.stringValue({ produce: () => 'resolved' }))}-end`,
  ],
  [
    'a reference expression and a Terraform function',
    () => ({
      a: ref('aws_s3_bucket.b.arn'),
      j: Fn.join(',', [Token.asString(ref('var.x')), 'y']),
      lit: Fn.join('-', ['${literal}', Token.asString(ref('var.z'))]),
    }),
  ],
  [
    'a number token alone and concatenated into a string',
    () => {
      const n = Token.asNumber(Lazy.numberValue({ produce: () => 7 }));
      return { alone: n, list: [n, 2], inString: `port-${n}`, key: { [`k${n}`]: 'v' } };
    },
  ],
  [
    'a list token as a list, alone and nested',
    () => {
      const l = Token.asList(Lazy.listValue({ produce: () => ['p', 'q'] }));
      return { l, nested: { again: l } };
    },
  ],
  ['a number list token', () => ({ l: Token.asNumberList(tokenOf([1, 2])) })],
  [
    'map tokens (string, number, any)',
    () => ({
      s: Token.asStringMap(tokenOf({ a: 'b' })),
      n: Token.asNumberMap(tokenOf({ a: 1 })),
      a: Token.asAnyMap(tokenOf({ a: [1, 'x'] })),
    }),
  ],
  [
    'a token resolving to an object that holds more tokens and undefined',
    () => ({
      t: tokenOf({ inner: Token.asString(tokenOf('deep')), gone: undefined, list: [tokenOf('x'), undefined] }),
    }),
  ],
  ['a token key', () => ({ [Token.asString(tokenOf('computed-key'))]: 'v' })],
  [
    'a post-processing token',
    () => ({
      p: {
        creationStack: [],
        resolve: (context: IResolveContext) => {
          context.registerPostProcessor({ postProcess: (x: unknown) => `${String(x)}!` });
          return 'before';
        },
      },
    }),
  ],
  ['escape sequences inside a Terraform function (cdktf warns and keeps them)', () => Fn.lower('${keep}')],
  ['200 keys deep (the limit)', () => deepObject(200)],
  [
    'an array that grows while it is resolved (cdktf reads its length once)',
    // a fresh array at each resolution (the harness resolves the same subject twice)
    () => ({
      a: Lazy.anyValue({
        produce: () => {
          const a: unknown[] = [];
          a.push(Lazy.anyValue({ produce: () => (a.push('added'), 'first') }));
          return a;
        },
      }),
    }),
  ],
  ['an Array subclass', () => ({ l: ListOf.from(['a', 'b']) })],
  ['error: an undefined member just past the limit', () => wrapDeep(200, { u: undefined })],
  ['error: 201 keys deep', () => deepObject(201)],
  ['error: a function', () => ({ a: { f: () => 1 } })],
  ['error: a construct', () => ({ c: new Construct(stack, 'inner') })],
  ['error: a list token element where a string belongs', () => ({ s: Token.asList(tokenOf(['x']))[0] })],
  ['error: a map token value in string context', () => Token.STRING_MAP_TOKEN_VALUE],
  ['error: a map token value in number context', () => Token.NUMBER_MAP_TOKEN_VALUE],
  ['error: a key that resolves to a number', () => ({ [Token.asString(tokenOf(5))]: 'v' })],
];

describe("the port of cdktf's token resolution gives what cdktf's gives", () => {
  test.each(CASES)('%s', (name, value) => {
    const { cdktf, port } = both(value);
    expect(port).toStrictEqual(cdktf); // strict: an Array subclass stays one, as in cdktf
    // the cases named "error" do fail, the others resolve (so the comparison is not of two identical errors)
    expect(Object.keys(cdktf as object)).toEqual([name.startsWith('error') ? 'error' : 'value']);
  });

  test('an Array subclass comes back as that subclass, as from cdktf (map keeps the species)', () => {
    const { cdktf, port } = both(() => ({ l: ListOf.from(['a', 'b']) }));
    const classOf = (r: unknown) => Object.getPrototypeOf((r as { value: { l: unknown } }).value.l);
    expect(classOf(cdktf)).toBe(ListOf.prototype);
    expect(classOf(port)).toBe(ListOf.prototype);
  });

  test('a starting prefix counts toward the depth limit and names the path in errors', () => {
    const prefix = Array.from({ length: 199 }, (_, i) => `p${i}`);
    const { cdktf, port } = both(() => ({ a: { b: 'x' } }), prefix);
    expect(port).toEqual(cdktf);
    expect((cdktf as { error: string }).error).toContain('/p0/p1/');
  });

  test('nested contexts carry what a token set on its context (suppressBraces, ignoreEscapes) to the tokens below', () => {
    const seenCdktf: IResolveContext[] = [];
    const seenPort: IResolveContext[] = [];
    const make = (seen: IResolveContext[]) => () => ({
      outer: {
        creationStack: [],
        resolve: (context: IResolveContext) => {
          context.suppressBraces = true;
          context.ignoreEscapes = true;
          return { inner: tokenOf('x', seen) };
        },
      },
    });
    const options = () => ({ scope: stack, preparing: true, resolver: new DefaultTokenResolver(new StringConcat()) });
    expect(resolveLikeCdktf(make(seenPort)(), options())).toEqual(cdktfResolve(make(seenCdktf)(), options()));
    expect(seenPort.map((c) => [c.suppressBraces, c.ignoreEscapes, c.preparing])).toEqual(
      seenCdktf.map((c) => [c.suppressBraces, c.ignoreEscapes, c.preparing]),
    );
    expect(seenPort).toHaveLength(1);
  });
});

describe('withFastTokenResolution', () => {
  test("uses the port inside and puts cdktf's resolve back after, also when the function throws", () => {
    let inside: unknown;
    withFastTokenResolution(() => (inside = cdktfResolveModule.resolve));
    expect(inside).toBe(resolveLikeCdktf);
    expect(cdktfResolveModule.resolve).toBe(cdktfResolve);
    expect(() =>
      withFastTokenResolution(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(cdktfResolveModule.resolve).toBe(cdktfResolve);
  });

  test('keeps cdktf’s own resolve with a cdktf version other than the one it was ported from', () => {
    expect(cdktfVersion()).toBe('0.21.0');
    const rtti = Symbol.for('jsii.rtti');
    const own = (Token as unknown as Record<symbol, unknown>)[rtti];
    Object.defineProperty(Token, rtti, { value: { fqn: 'cdktf.Token', version: '0.22.0' }, configurable: true });
    try {
      let inside: unknown;
      withFastTokenResolution(() => (inside = cdktfResolveModule.resolve));
      expect(inside).toBe(cdktfResolve);
    } finally {
      Object.defineProperty(Token, rtti, { value: own, configurable: true });
    }
  });
});
