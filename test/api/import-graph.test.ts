// The module graph of lib/ and stacks/ has no cycle, and nothing outside lib/commands imports lib/commands: the
// build path (values -> schema -> stacks -> constructs) runs one way, and the commands sit on top of it.
import * as fs from 'fs';
import * as path from 'path';
import { specifiers, tsFiles } from '../support/module-specifiers';

const ROOT = path.resolve(__dirname, '../..');

/** The relative imports of each file as repo-relative paths (`import type` included: a type cycle is a cycle too). */
type ImportGraph = ReadonlyMap<string, ReadonlyArray<{ readonly target: string; readonly line: number }>>;

/** Resolves `spec` imported from `from` the way Node and TypeScript do for this repo: `<p>.ts` or `<p>/index.ts`. */
function resolveImport(from: string, spec: string, exists: (rel: string) => boolean): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return [`${base}.ts`, `${base}/index.ts`, base].find(exists);
}

/** Builds the graph of relative imports between the given files (repo-relative paths and their texts). */
function importGraph(sources: ReadonlyMap<string, string>): ImportGraph {
  const graph = new Map<string, Array<{ target: string; line: number }>>();
  for (const [file, text] of sources) {
    const edges: Array<{ target: string; line: number }> = [];
    for (const { spec, line } of specifiers(file, text)) {
      if (!spec || !spec.startsWith('.')) continue;
      const target = resolveImport(file, spec, (rel) => sources.has(rel));
      if (target) edges.push({ target, line });
    }
    graph.set(file, edges);
  }
  return graph;
}

/** The import cycles: each strongly connected component with more than one file (or a self-import), sorted. */
function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative over the files in a stable order.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strongConnect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfImport = (graph.get(v) ?? []).some((e) => e.target === v);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strongConnect(v);
  return cycles;
}

/** Imports of `lib/commands/` from files outside it, as `<file>:<line>: imports <target>`. */
function commandImports(graph: ImportGraph): string[] {
  const inCommands = (f: string) => f.startsWith('lib/commands/');
  return [...graph].flatMap(([file, edges]) =>
    inCommands(file)
      ? []
      : edges.filter((e) => inCommands(e.target)).map((e) => `${file}:${e.line}: imports ${e.target}`),
  );
}

function repoSources(): Map<string, string> {
  const files = ['lib', 'stacks'].flatMap((d) => tsFiles(path.join(ROOT, d)));
  return new Map(files.map((f) => [path.relative(ROOT, f).split(path.sep).join('/'), fs.readFileSync(f, 'utf8')]));
}

describe('the module graph of lib/ and stacks/', () => {
  const graph = importGraph(repoSources());

  test('reads the sources and resolves their relative imports', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('lib/index.ts')?.map((e) => e.target)).toEqual(
      expect.arrayContaining(['lib/config/index.ts', 'lib/aws/index.ts']),
    );
    expect(graph.get('lib/config/schema.ts')?.map((e) => e.target)).toContain('lib/config/sections/vpn.ts');
  });

  test('has no import cycle', () => {
    const cycles = importCycles(graph).map((c) => `cycle: ${c.join(' <-> ')}`);
    expect(cycles.join('\n')).toBe('');
  });

  test('nothing outside lib/commands imports lib/commands', () => {
    expect(commandImports(graph).join('\n')).toBe('');
  });
});

describe('the checks themselves', () => {
  const sources = new Map([
    ['lib/config/schema.ts', "import { checkVpn } from './sections/vpn';\nexport type DeepReadonly<T> = T;"],
    ['lib/config/sections/vpn.ts', "import type { DeepReadonly } from '../schema';\nexport const checkVpn = 1;"],
    ['lib/config/index.ts', "export * from './schema';"],
    ['lib/self.ts', "export * from './self';"],
    ['stacks/contract.ts', "import { x } from '../lib/commands/output-names';"],
    ['lib/commands/output-names.ts', "import { y } from '../config';"],
  ]);
  const graph = importGraph(sources);

  test('fails on a type-only import cycle and a self-import, naming the files', () => {
    expect(importCycles(graph)).toEqual([['lib/config/schema.ts', 'lib/config/sections/vpn.ts'], ['lib/self.ts']]);
  });

  test('fails on an import of lib/commands from stacks/, naming the file and line', () => {
    expect(commandImports(graph)).toEqual(['stacks/contract.ts:1: imports lib/commands/output-names.ts']);
  });
});
