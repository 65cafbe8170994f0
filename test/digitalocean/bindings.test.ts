// Every block the DigitalOcean stacks emit, checked against the provider bindings (@cdktf/provider-digitalocean,
// provider 2.71.0): each argument, at every nesting level, is one the provider schema has. There is no
// DigitalOcean provider binary here, so `terraform validate` cannot do it; the bindings are generated from the
// provider schema and list each block's arguments in its `...ToTerraform` / `synthesizeAttributes` functions.
import * as fs from 'fs';
import * as path from 'path';
import { envDir, withValue } from '../support/env-dir';
import { synthEnvironments, TfJson } from '../support/synth';

const BINDINGS = path.dirname(require.resolve('@cdktf/provider-digitalocean/package.json'));
/** Terraform meta-arguments, allowed on every resource and data source. */
const META = new Set(['//', 'lifecycle', 'depends_on', 'provisioner', 'connection', 'count', 'for_each', 'provider']);

interface Schema {
  /** Argument → the nested block's schema, or null for a plain attribute. */
  readonly args: Map<string, Schema | null>;
}

/** The argument schema of one resource (`digitalocean_x`) or data source, read from its binding's source. */
function schemaOf(kind: 'resource' | 'data', type: string): Schema {
  const dir = `${kind === 'data' ? 'data-digitalocean-' : ''}${type.replace(/^digitalocean_/, '').replace(/_/g, '-')}`;
  const file = path.join(BINDINGS, 'lib', dir, 'index.js');
  if (!fs.existsSync(file)) throw new Error(`no binding for ${kind} ${type} (${file})`);
  const source = fs.readFileSync(file, 'utf8');
  const body = (start: RegExp): string => {
    const m = start.exec(source);
    if (!m) throw new Error(`${file}: ${start} not found`);
    const from = source.indexOf('return {', m.index);
    const indent = source.slice(source.lastIndexOf('\n', from) + 1, from);
    return source.slice(from, source.indexOf(`\n${indent}};`, from));
  };
  const parse = (text: string): Schema => {
    const args = new Map<string, Schema | null>();
    for (const m of text.matchAll(/^\s+(\w+): (.*)$/gm)) {
      const nested = /(?:listMapper\(|^)(\w+)ToTerraform\b/.exec(m[2]);
      args.set(m[1], nested ? parse(body(new RegExp(`^function ${nested[1]}ToTerraform\\(`, 'm'))) : null);
    }
    return { args };
  };
  return parse(body(/^\s+synthesizeAttributes\(\) \{/m));
}

/** Arguments of `value` that `schema` does not have, as key paths. */
function unknownArgs(value: unknown, schema: Schema, at: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    for (const [key, v] of Object.entries(item)) {
      if (at === '' && META.has(key)) continue;
      if (!schema.args.has(key)) out.push(`${at}${key}`);
      else if (schema.args.get(key)) out.push(...unknownArgs(v, schema.args.get(key)!, `${at}${key}.`));
    }
  }
  return out;
}

function checkStack(name: string, stack: TfJson): string[] {
  const out: string[] = [];
  for (const [kind, blocks] of [
    ['resource', stack.resource],
    ['data', stack.data],
  ] as const) {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      if (!type.startsWith('digitalocean_')) continue;
      const schema = schemaOf(kind, type);
      for (const [id, block] of Object.entries(byName as Record<string, unknown>)) {
        for (const bad of unknownArgs(block, schema, ''))
          out.push(`${name} ${kind} ${type}.${id}: unknown argument ${bad}`);
      }
    }
  }
  return out;
}

describe('DigitalOcean stacks against the provider bindings (2.71.0)', () => {
  test('the checker finds a misspelt argument at the top and inside a nested block', () => {
    const stack = {
      resource: {
        digitalocean_loadbalancer: {
          lb: { name: 'x', region: 'fra1', dropletTag: 'y', healthcheck: { port: 1, path: '/', checkIntervall: 1 } },
        },
      },
    } as unknown as TfJson;
    expect(checkStack('t', stack)).toEqual([
      't resource digitalocean_loadbalancer.lb: unknown argument dropletTag',
      't resource digitalocean_loadbalancer.lb: unknown argument healthcheck.checkIntervall',
    ]);
  });

  test.each([
    ['the shipped dev', {}],
    [
      'dev with DNS records and a color joining the live load balancer',
      { dns: { domain: 'shop.example.com' }, cutoverJoining: 'green' },
    ],
  ])('%s: every emitted block has only arguments the provider knows', (_label, extra) => {
    let text = withValue('dev.yaml', ['digitalocean', 'dns'], (extra as { dns?: unknown }).dns);
    if ((extra as { cutoverJoining?: string }).cutoverJoining)
      text = text.replace(/^digitalocean:\n/m, 'digitalocean:\n  cutoverJoining: green\n');
    const stacks = synthEnvironments(envDir({ 'dev.yaml': text }), ['dev']);
    expect([...stacks.keys()].sort()).toEqual(['dev-blue', 'dev-cutover', 'dev-green', 'dev-shared']);
    const types = new Set(
      [...stacks.values()].flatMap((s) => [...Object.keys(s.resource ?? {}), ...Object.keys(s.data ?? {})]),
    );
    expect(types.size).toBeGreaterThan(10);
    expect([...stacks].flatMap(([name, stack]) => checkStack(name, stack))).toEqual([]);
  });
});
