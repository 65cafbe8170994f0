/**
 * `npm run diagram -- <env>`: a picture of an environment, from its values (and, when present, its synthesized
 * stacks): the four stacks, the fleet of each color with capacity and release, the load balancer and the
 * traffic weights, the VPN, the log store and the archive. Rendered as Mermaid (for PR summaries) and as a
 * standalone HTML page with an inline SVG (no scripts, no network).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../config/errors';
import { listEnvironments, loadEnvironments } from '../config/loader';
import { EnvironmentConfig } from '../config/schema';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { StackJson } from './synth-output';
import { STACK_ROLES, StackRole, stackName } from '../../stacks/contract';

/** A box in the picture. */
export interface DiagramNode {
  /** Mermaid-safe id. */
  readonly id: string;
  /** Lines of text. */
  readonly lines: readonly string[];
  /** Column in the SVG layout: 0 outside (users, office), 1 entry points and registry, 2 fleets and VPN, 3 shared services. */
  readonly column: 0 | 1 | 2 | 3;
  /** The stack it lives in (`undefined` for things outside the environment, e.g. users). */
  readonly stack?: string;
  /** Row in its column (the next free row when not given). */
  readonly row?: number;
  /** Drawn highlighted: the color(s) carrying traffic. */
  readonly live?: boolean;
}

/** An arrow between two nodes of a {@link Diagram}: traffic, logs, records or the test path. */
export interface DiagramEdge {
  /** Source node id. */
  readonly from: string;
  /** Target node id. */
  readonly to: string;
  /** Label on the arrow. */
  readonly label?: string;
  /** Dashed (no live traffic: test path, logs, records). */
  readonly dashed?: boolean;
}

/** The picture, before rendering. */
export interface Diagram {
  /** Environment name. */
  readonly env: string;
  /** Title line. */
  readonly title: string;
  /** Stacks in order, with resource counts when synthesized output was given. */
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly resources?: number }>;
  /** The boxes: users, entry points, fleets, VPN and shared services. */
  readonly nodes: readonly DiagramNode[];
  /** The arrows between the boxes. */
  readonly edges: readonly DiagramEdge[];
}

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function countResources(tf: StackJson | undefined): number | undefined {
  if (!tf || typeof tf.resource !== 'object' || tf.resource === null) return tf ? 0 : undefined;
  return Object.values(tf.resource as Record<string, Record<string, unknown>>).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

/** Builds the picture of one environment from its values and (optionally) its synthesized stacks. Pure. */
export function buildDiagram(config: EnvironmentConfig, synthesized: ReadonlyMap<string, StackJson> = new Map()): Diagram {
  const c = config as unknown as Loose;
  const env = config.name;
  const aws = config.cloud === 'aws';
  const stack = (role: StackRole) => stackName(env, role);
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const weights = { blue: config.traffic.blue, green: config.traffic.green };
  const size = aws ? c.app?.instanceType : c.app?.dropletSize;

  nodes.push({ id: 'users', lines: ['Users'], column: 0 });
  const lbLines = aws
    ? ['Application Load Balancer', c.loadBalancer?.certificate?.domain ? `https://${c.loadBalancer.certificate.domain}` : 'HTTPS :443']
    : ['Load balancers (live + preview)', c.digitalocean?.liveHostname ? `https://${c.digitalocean.liveHostname}` : 'HTTPS :443'];
  nodes.push({ id: 'lb', lines: lbLines, column: 1, stack: aws ? stack('shared') : stack('cutover') });
  nodes.push({ id: 'cutover', lines: [aws ? 'Weighted listener' : 'Live load balancer target', `blue ${weights.blue}% · green ${weights.green}%`], column: 1, stack: stack('cutover') });
  edges.push({ from: 'users', to: 'lb', label: 'HTTPS' });
  edges.push({ from: 'lb', to: 'cutover' });

  for (const color of ['blue', 'green'] as const) {
    const values = config.colors[color];
    const cap = values.capacity;
    nodes.push({
      id: color,
      lines: [`${color} fleet · release ${values.release.version}`, `${cap.desired} × ${size ?? 'server'} (min ${cap.min}, max ${cap.max})`, `image ${values.release.image}`],
      column: 2,
      stack: stack(color),
      live: weights[color] > 0,
    });
    edges.push({ from: 'cutover', to: color, label: `${weights[color]}%`, dashed: weights[color] === 0 });
  }
  const testPort = c.loadBalancer?.testListener?.port;
  const idle = weights.blue === 0 ? 'blue' : weights.green === 0 ? 'green' : undefined;
  if (idle && (testPort || !aws)) edges.push({ from: 'lb', to: idle, label: aws ? `test :${testPort}` : 'preview', dashed: true });

  nodes.push({ id: 'network', lines: [aws ? 'VPC' : 'VPC', config.network.vpcCidr], column: 3, stack: stack('shared') });
  const store = c.logging?.store;
  nodes.push({
    id: 'logs',
    lines: ['Log store (OpenSearch)', aws && store ? `${store.instanceCount ?? 1} × ${store.instanceType ?? ''}`.trim() : c.digitalocean?.opensearch ? `${c.digitalocean.opensearch.nodeCount ?? 1} × ${c.digitalocean.opensearch.size ?? ''}` : `indices kept ${c.logging?.indexRetentionDays ?? '?'} days`],
    column: 3,
    stack: stack('shared'),
  });
  nodes.push({
    id: 'archive',
    lines: [aws ? 'Archive bucket (object lock)' : 'Deployments bucket (Spaces)', c.archive?.retentionDays ? `${c.archive.objectLockMode ?? 'locked'} ${c.archive.retentionDays} days` : 'deployment records'],
    column: 3,
    stack: stack('shared'),
  });
  for (const color of ['blue', 'green']) edges.push({ from: color, to: 'logs', label: 'logs', dashed: true });
  if (aws) {
    nodes.push({ id: 'registry', lines: ['Release registry (ECR)', 'artifacts pinned by digest'], column: 1, stack: stack('shared') });
    for (const color of ['blue', 'green']) if (config.colors[color as 'blue' | 'green'].release.artifact) edges.push({ from: 'registry', to: color, label: 'pull', dashed: true });
  }
  if (c.vpn) {
    nodes.push({ id: 'office', lines: ['Office', ...(c.vpn.onPremCidrs ?? []).slice(0, 2)], column: 0, row: 3 });
    nodes.push({ id: 'vpn', lines: ['Site-to-site VPN (IKEv2)', `${c.vpn.customerGateway?.ipAddress ?? 'customer gateway'} ⇄ ${config.network.vpcCidr}`], column: 1, row: 3, stack: stack('shared') });
    edges.push({ from: 'office', to: 'vpn', label: 'IPsec' });
  }
  const stacks = STACK_ROLES.map((r) => ({ name: stack(r), resources: countResources(synthesized.get(stack(r))) }));
  return { env, title: `${env} on ${aws ? 'AWS' : 'DigitalOcean'} (${config.region})`, stacks, nodes, edges };
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** Mermaid flowchart source (for a ```mermaid block in a PR comment). */
export function renderMermaid(d: Diagram): string {
  const out = ['flowchart LR', `  %% ${d.title}`];
  const byStack = new Map<string | undefined, DiagramNode[]>();
  for (const n of d.nodes) byStack.set(n.stack, [...(byStack.get(n.stack) ?? []), n]);
  const node = (n: DiagramNode) => `${n.id}["${n.lines.map(mermaidText).join('<br/>')}"]`;
  for (const n of byStack.get(undefined) ?? []) out.push(`  ${n.id === 'users' || n.id === 'office' ? `${n.id}(["${n.lines.map(mermaidText).join('<br/>')}"])` : node(n)}`);
  for (const s of d.stacks) {
    const members = byStack.get(s.name) ?? [];
    if (members.length === 0) continue;
    const title = s.resources === undefined ? s.name : `${s.name} · ${s.resources} resources`;
    out.push(`  subgraph ${s.name.replace(/[^A-Za-z0-9_]/g, '_')}["${mermaidText(title)}"]`);
    for (const n of members) out.push(`    ${node(n)}`);
    out.push('  end');
  }
  for (const e of d.edges) {
    const arrow = e.dashed ? '-.->' : '-->';
    out.push(e.label ? `  ${e.from} ${arrow}|"${mermaidText(e.label)}"| ${e.to}` : `  ${e.from} ${arrow} ${e.to}`);
  }
  out.push('  classDef live fill:#d9f5dd,stroke:#1a7f37,stroke-width:2px');
  const live = d.nodes.filter((n) => n.live).map((n) => n.id);
  if (live.length > 0) out.push(`  class ${live.join(',')} live`);
  return out.join('\n') + '\n';
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const BOX = { w: 230, h: 64, colGap: 300, rowGap: 96, margin: 40, top: 60 };

/** A standalone SVG: columns of boxes (clients, entry points, fleets, services), arrows with labels. */
export function renderSvg(d: Diagram): string {
  const pos = new Map<string, { x: number; y: number }>();
  const rows = [0, 0, 0, 0];
  for (const n of d.nodes) {
    const row = n.row ?? rows[n.column];
    pos.set(n.id, { x: BOX.margin + n.column * BOX.colGap, y: BOX.top + row * BOX.rowGap });
    rows[n.column] = Math.max(rows[n.column], row + 1);
  }
  const width = BOX.margin * 2 + 3 * BOX.colGap + BOX.w;
  const height = BOX.top + Math.max(...rows) * BOX.rowGap + BOX.margin;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${xml(d.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    `<text x="${BOX.margin}" y="30" font-size="16" font-weight="bold">${xml(d.title)}</text>`,
  ];
  for (const e of d.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    // Left to right between columns; right to left backwards; top to bottom within a column.
    const dir = Math.sign(b.x - a.x);
    const x1 = dir > 0 ? a.x + BOX.w : dir < 0 ? a.x : a.x + BOX.w / 2;
    const y1 = dir !== 0 ? a.y + BOX.h / 2 : a.y + BOX.h;
    const x2 = dir > 0 ? b.x : dir < 0 ? b.x + BOX.w : b.x + BOX.w / 2;
    const y2 = dir !== 0 ? b.y + BOX.h / 2 : b.y;
    parts.push(`<line class="edge" data-from="${e.from}" data-to="${e.to}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#555" stroke-width="1.5"${e.dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`);
    // Labels sit a third of the way along, so labels of arrows leaving one box apart do not collide.
    if (e.label) parts.push(`<text x="${x1 + (x2 - x1) * 0.35}" y="${y1 + (y2 - y1) * 0.35 - 4}" text-anchor="middle" fill="#333">${xml(e.label)}</text>`);
  }
  for (const n of d.nodes) {
    const p = pos.get(n.id)!;
    const fill = n.live ? '#d9f5dd' : n.column === 2 ? '#eef2ff' : '#f6f8fa';
    const stroke = n.live ? '#1a7f37' : '#8c959f';
    parts.push(`<g class="node" id="node-${n.id}">`);
    parts.push(`<rect x="${p.x}" y="${p.y}" width="${BOX.w}" height="${BOX.h}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="${n.live ? 2 : 1}"/>`);
    n.lines.forEach((line, i) => {
      parts.push(`<text x="${p.x + 10}" y="${p.y + 18 + i * 15}"${i === 0 ? ' font-weight="bold"' : ''}>${xml(line.length > 36 ? `${line.slice(0, 35)}…` : line)}</text>`);
    });
    if (n.stack) parts.push(`<text x="${p.x + BOX.w - 6}" y="${p.y + BOX.h + 12}" text-anchor="end" fill="#6e7781" font-size="10">${xml(n.stack)}</text>`);
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** A standalone XHTML page: the SVG, the stacks table, and the Mermaid source. */
export function renderHtml(d: Diagram): string {
  const rows = d.stacks.map((s) => `<tr><td><code>${xml(s.name)}</code></td><td>${s.resources ?? '–'}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<title>${xml(d.title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#1f2328}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px}pre{background:#f6f8fa;padding:1em;overflow:auto}</style>
</head>
<body>
<h1>${xml(d.title)}</h1>
${renderSvg(d)}
<h2>Stacks</h2>
<table>
<tr><th>Stack</th><th>Resources (synthesized)</th></tr>
${rows}
</table>
<h2>Mermaid source</h2>
<pre>${xml(renderMermaid(d))}</pre>
</body>
</html>
`;
}

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

/** Draws each environment; returns the Mermaid text per environment and the files written. */
export function diagram(options: DiagramOptions): { mermaid: Map<string, string>; files: string[] } {
  const valuesDir = options.valuesDir ?? 'environments';
  const known = listEnvironments(valuesDir);
  const unknown = options.envs.filter((e) => !known.includes(e));
  if (unknown.length > 0) throw new UsageError(`no environment named ${unknown.join(', ')} in ${valuesDir}/ (have: ${known.join(', ')})`);
  const configs = loadEnvironments({ dir: valuesDir, only: options.envs });
  const outDir = options.outDir ?? path.join('cdktf.out', 'diagrams');
  fs.mkdirSync(outDir, { recursive: true });
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
    mermaid.set(config.name, text);
    for (const [ext, content] of [['mmd', text], ['html', renderHtml(d)]] as const) {
      const file = path.join(outDir, `${config.name}.${ext}`);
      fs.writeFileSync(file, content);
      files.push(file);
    }
  }
  return { mermaid, files };
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
  flags: { out: { type: 'string' }, values: { type: 'string' }, 'synth-out': { type: 'string' }, markdown: { type: 'string' } },
  run: (args, io): number => {
    const { stdout, stderr } = io;
    if (args.positionals.length === 0) throw new UsageError('which environment? e.g. npm run diagram -- prod (see --help)');
    let drawn: ReturnType<typeof diagram>;
    try {
      drawn = diagram({ envs: [...args.positionals], valuesDir: stringFlag(args, 'values'), synthOut: stringFlag(args, 'synth-out'), outDir: stringFlag(args, 'out') });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      stderr(`diagram: ${e.message}\n`);
      return ExitCode.FAILED;
    }
    const { mermaid, files } = drawn;
    const markdown = [...mermaid].map(([env, text]) => `### Environment \`${env}\`\n\n\`\`\`mermaid\n${text}\`\`\`\n`).join('\n');
    const md = stringFlag(args, 'markdown');
    if (md) fs.writeFileSync(md, markdown);
    stdout([...mermaid.values()].join('\n'));
    stderr(`diagram: wrote ${files.join(', ')}\n`);
    return ExitCode.OK;
  },
});
