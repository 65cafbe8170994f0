/**
 * `npm run diagram -- <env>`: the CLI over the diagram's compute (`diagram/model.ts`: what the stacks build, from the
 * same definitions they use), layout (`diagram/layout.ts`) and render (`diagram/render.ts`: Mermaid, SVG with a legend,
 * the XHTML page, the Markdown section of the PR comment).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../config/errors';
import { listEnvironments, loadEnvironments } from '../config/loader';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { StackJson } from './synth-output';
import { STACK_ROLES, stackName } from '../../stacks/contract';
import { Diagram, buildDiagram } from './diagram/model';
import { renderHtml, renderMarkdown, renderMermaid } from './diagram/render';

export {
  Diagram,
  DiagramEdge,
  DiagramEdgeKind,
  DiagramGroup,
  DiagramNode,
  DiagramNodeKind,
  DiagramTestPath,
  TrafficRole,
  buildDiagram,
  trafficRoles,
} from './diagram/model';
export {
  EDGE_STYLES,
  FLEET_COLORS,
  TRAFFIC_BORDERS,
  legendEntries,
  renderHtml,
  renderLegendText,
  renderMarkdown,
  renderMermaid,
  renderSvg,
} from './diagram/render';

/** Options for {@link diagram}. */
export interface DiagramOptions {
  /** Environments to draw. */
  readonly envs: readonly string[];
  /**
   * Values directory.
   * @default 'environments'
   */
  readonly valuesDir?: string;
  /**
   * Synthesized output to count resources from (skipped when absent).
   * @default 'cdktf.out'
   */
  readonly synthOut?: string;
  /**
   * Where `<env>.mmd` and `<env>.html` go.
   * @default 'cdktf.out/diagrams'
   */
  readonly outDir?: string;
}

/** Draws each environment; returns the diagram and Mermaid text per environment and the files written. */
export function diagram(options: DiagramOptions): {
  diagrams: Map<string, Diagram>;
  mermaid: Map<string, string>;
  files: string[];
} {
  const valuesDir = options.valuesDir ?? 'environments';
  const known = listEnvironments(valuesDir);
  const unknown = options.envs.filter((e) => !known.includes(e));
  if (unknown.length > 0)
    throw new UsageError(`no environment named ${unknown.join(', ')} in ${valuesDir}/ (have: ${known.join(', ')})`);
  const configs = loadEnvironments({ dir: valuesDir, only: options.envs });
  const outDir = options.outDir ?? path.join('cdktf.out', 'diagrams');
  fs.mkdirSync(outDir, { recursive: true });
  const diagrams = new Map<string, Diagram>();
  const mermaid = new Map<string, string>();
  const files: string[] = [];
  for (const config of configs) {
    const synthesized = new Map<string, StackJson>();
    for (const role of STACK_ROLES) {
      const name = stackName(config.name, role);
      const file = path.join(options.synthOut ?? 'cdktf.out', 'stacks', name, 'cdk.tf.json');
      if (fs.existsSync(file)) synthesized.set(name, JSON.parse(fs.readFileSync(file, 'utf8')) as StackJson);
    }
    const d = buildDiagram(config, synthesized);
    const text = renderMermaid(d);
    diagrams.set(config.name, d);
    mermaid.set(config.name, text);
    for (const [ext, content] of [
      ['mmd', text],
      ['html', renderHtml(d)],
    ] as const) {
      const file = path.join(outDir, `${config.name}.${ext}`);
      fs.writeFileSync(file, content);
      files.push(file);
    }
  }
  return { diagrams, mermaid, files };
}

/** `npm run diagram -- --help`. */
export const DIAGRAM_HELP = `Usage: npm run diagram -- <env> [<env>...] [options]

Draws each environment (stacks, fleets per color with capacity and release, load balancer, traffic weights,
VPN, log store, archive) from its values, with resource counts from cdktf.out when synthesized.

  --out <dir>          where <env>.mmd and <env>.html go (default: cdktf.out/diagrams)
  --values <dir>       values directory (default: environments)
  --synth-out <dir>    synthesized output to count resources from (default: cdktf.out)
  --markdown <file>    also write a Markdown section with a mermaid block per environment
  -h, --help           this text

Prints the Mermaid source on stdout. Exit codes: 0 drawn, 1 invalid values, 2 bad arguments.
`;

/** `npm run diagram`: parses the arguments, draws each environment, writes the files; returns the exit code (0 drawn, 1 invalid values, 2 bad arguments). */
export const diagramMain = defineCommand({
  command: 'diagram',
  synchronous: true,
  help: DIAGRAM_HELP,
  flags: {
    out: { type: 'string' },
    values: { type: 'string' },
    'synth-out': { type: 'string' },
    markdown: { type: 'string' },
  },
  run: (args, io): number => {
    const { stdout, stderr } = io;
    if (args.positionals.length === 0)
      throw new UsageError('which environment? e.g. npm run diagram -- prod (see --help)');
    let drawn: ReturnType<typeof diagram>;
    try {
      drawn = diagram({
        envs: [...args.positionals],
        valuesDir: stringFlag(args, 'values'),
        synthOut: stringFlag(args, 'synth-out'),
        outDir: stringFlag(args, 'out'),
      });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      stderr(`diagram: ${e.message}\n`);
      return ExitCode.FAILED;
    }
    const { diagrams, mermaid, files } = drawn;
    const markdown = [...diagrams.values()].map(renderMarkdown).join('\n');
    const md = stringFlag(args, 'markdown');
    if (md) fs.writeFileSync(md, markdown);
    stdout([...mermaid.values()].join('\n'));
    stderr(`diagram: wrote ${files.join(', ')}\n`);
    return ExitCode.OK;
  },
});
