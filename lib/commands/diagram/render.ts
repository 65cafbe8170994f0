/**
 * Renders a {@link Diagram}: Mermaid (for PR comments), a standalone SVG with a legend, the XHTML page around it (no
 * scripts, no network) and the Markdown section of the PR comment. Pure functions of the diagram.
 */
import { Color } from '../../config';
import { DiagramLayout, GRID, Rect, groupTitle, layoutDiagram } from './layout';
import { Diagram, DiagramEdge, DiagramEdgeKind, DiagramNode, TrafficRole } from './model';

/** The fill and border of each fleet: blue is blue, green is green; an idle fleet is paler. */
export const FLEET_COLORS: Readonly<
  Record<Color, { readonly fill: string; readonly idleFill: string; readonly stroke: string }>
> = {
  blue: { fill: '#bfdbfe', idleFill: '#eff6ff', stroke: '#1d4ed8' },
  green: { fill: '#bbf7d0', idleFill: '#f0fdf4', stroke: '#15803d' },
};

/** The border of a fleet by traffic role: live solid and thick, canary and joining dotted, idle dashed and thin. */
export const TRAFFIC_BORDERS: Readonly<
  Record<TrafficRole, { readonly width: number; readonly dash?: string; readonly meaning: string }>
> = {
  live: { width: 3, meaning: 'live: serves users (solid border)' },
  canary: { width: 2.5, dash: '2 3', meaning: 'canary: the smaller share of a split (dotted border)' },
  joining: { width: 2.5, dash: '2 3', meaning: 'joining: served next to the live color (dotted border)' },
  idle: { width: 1.5, dash: '6 4', meaning: 'idle: no user traffic (dashed border)' },
};

/** The stroke of each kind of arrow. */
export const EDGE_STYLES: Readonly<
  Record<
    DiagramEdgeKind | 'inactive',
    { readonly stroke: string; readonly width: number; readonly dash?: string; readonly meaning: string }
  >
> = {
  traffic: { stroke: '#24292f', width: 2, meaning: 'user traffic, with its weight' },
  inactive: { stroke: '#8c959f', width: 1.5, dash: '4 4', meaning: 'forward at weight 0 (no traffic now)' },
  test: { stroke: '#8250df', width: 2, dash: '8 4', meaning: 'test path to the color under test' },
  logs: { stroke: '#6e7781', width: 1.2, dash: '2 3', meaning: 'log forwarding' },
  pull: { stroke: '#6e7781', width: 1.2, dash: '2 3', meaning: 'release artifact pulls' },
  ipsec: { stroke: '#6e7781', width: 1.5, meaning: 'site-to-site IPsec' },
};

const NEUTRAL = { fill: '#f6f8fa', stroke: '#8c959f', outside: '#ffffff', group: '#57606a', groupFill: '#fbfcfd' };
const FONT = { size: 12, line: 15, title: 16, small: 11 };
/** Characters that fit a box line (DejaVu Sans / Arial at 12 px; the Chromium test checks every line fits). */
const MAX_LINE_CHARS = 34;

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fit(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line;
}

function edgeStyle(e: DiagramEdge) {
  return EDGE_STYLES[e.inactive ? 'inactive' : e.kind];
}

function stroke(s: { stroke: string; width: number; dash?: string }): string {
  return `stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}`;
}

/** The fill and border of a box. */
function boxStyle(n: DiagramNode): { fill: string; stroke: string; width: number; dash?: string } {
  if (n.kind === 'fleet' && n.color && n.traffic) {
    const c = FLEET_COLORS[n.color];
    const b = TRAFFIC_BORDERS[n.traffic];
    return { fill: n.traffic === 'idle' ? c.idleFill : c.fill, stroke: c.stroke, width: b.width, dash: b.dash };
  }
  return { fill: n.stack ? NEUTRAL.fill : NEUTRAL.outside, stroke: NEUTRAL.stroke, width: 1 };
}

/** One legend entry: a swatch (box or line) and what it means. */
interface LegendEntry {
  readonly swatch:
    | { readonly box: { fill: string; stroke: string; width: number; dash?: string } }
    | { readonly line: { stroke: string; width: number; dash?: string } };
  readonly text: string;
}

/** The legend: only what the picture shows. */
export function legendEntries(d: Diagram): Array<{ readonly kind: 'box' | 'line'; readonly text: string }> {
  return legend(d).map((e) => ({ kind: 'box' in e.swatch ? 'box' : 'line', text: e.text }));
}

function legend(d: Diagram): LegendEntry[] {
  const entries: LegendEntry[] = [];
  for (const color of ['blue', 'green'] as const) {
    entries.push({
      swatch: { box: { fill: FLEET_COLORS[color].fill, stroke: FLEET_COLORS[color].stroke, width: 1.5 } },
      text: `${color} fleet (${color} stack)`,
    });
  }
  const roles = new Set(d.nodes.map((n) => n.traffic).filter((t): t is TrafficRole => t !== undefined));
  for (const role of ['live', 'canary', 'joining', 'idle'] as const) {
    if (roles.has(role))
      entries.push({
        swatch: {
          box: {
            fill: '#ffffff',
            stroke: '#24292f',
            width: TRAFFIC_BORDERS[role].width,
            dash: TRAFFIC_BORDERS[role].dash,
          },
        },
        text: TRAFFIC_BORDERS[role].meaning,
      });
  }
  entries.push({
    swatch: { box: { fill: NEUTRAL.groupFill, stroke: NEUTRAL.group, width: 1, dash: '5 3' } },
    text: 'stack: one Terraform state',
  });
  const seen = new Set<string>();
  for (const e of d.edges) {
    const style = edgeStyle(e);
    if (seen.has(style.meaning)) continue;
    seen.add(style.meaning);
    entries.push({ swatch: { line: style }, text: style.meaning });
  }
  return entries;
}

/** Estimated text width at 12 px (only to lay the legend out; the Chromium test measures the real boxes). */
function textWidth(s: string): number {
  return s.length * 7.2;
}

interface Drawn {
  readonly svg: string[];
  readonly height: number;
}

function drawLegend(d: Diagram, width: number, top: number): Drawn {
  const svg = [
    `<g class="legend">`,
    `<text class="legend-title" x="${GRID.margin}" y="${top + 14}" font-weight="bold">Legend</text>`,
  ];
  let x = GRID.margin;
  let y = top + 30;
  for (const entry of legend(d)) {
    const w = 36 + textWidth(entry.text) + 28;
    if (x > GRID.margin && x + w > width - GRID.margin) {
      x = GRID.margin;
      y += 24;
    }
    if ('box' in entry.swatch)
      svg.push(
        `<rect x="${x}" y="${y}" width="28" height="16" rx="3" fill="${entry.swatch.box.fill}" ${stroke(entry.swatch.box)}/>`,
      );
    else svg.push(`<line x1="${x}" y1="${y + 8}" x2="${x + 28}" y2="${y + 8}" ${stroke(entry.swatch.line)}/>`);
    svg.push(`<text class="legend-label" x="${x + 36}" y="${y + 12}">${xml(entry.text)}</text>`);
    x += w;
  }
  svg.push('</g>');
  return { svg, height: y + 24 - top };
}

function drawGroups(d: Diagram, layout: DiagramLayout): string[] {
  const out: string[] = [];
  for (const g of layout.groups) {
    const group = d.groups.find((x) => x.role === g.role)!;
    const r = g.rect;
    out.push(`<g class="group" id="group-${g.role}" data-stack="${xml(group.name)}">`);
    out.push(
      `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" rx="10" fill="${NEUTRAL.groupFill}" stroke="${NEUTRAL.group}" stroke-width="1" stroke-dasharray="5 3"/>`,
    );
    out.push(
      `<text class="group-title" x="${g.titleAt.x}" y="${g.titleAt.y}" fill="${NEUTRAL.group}" font-size="${FONT.small}" font-weight="bold">${xml(g.title)}</text>`,
    );
    out.push('</g>');
  }
  return out;
}

function drawNode(n: DiagramNode, r: Rect): string[] {
  const s = boxStyle(n);
  const attrs = [
    `class="node node-${n.kind}"`,
    `id="node-${n.id}"`,
    ...(n.stack ? [`data-stack="${n.stack}"`] : []),
    ...(n.color ? [`data-color="${n.color}"`] : []),
    ...(n.traffic ? [`data-traffic="${n.traffic}"`] : []),
  ];
  const out = [`<g ${attrs.join(' ')}>`];
  const rx = n.stack ? 8 : 24;
  out.push(
    `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" rx="${rx}" fill="${s.fill}" ${stroke(s)}/>`,
  );
  n.lines.forEach((line, i) => {
    out.push(
      `<text class="node-text" x="${r.x + 12}" y="${r.y + 20 + i * FONT.line}"${i === 0 ? ' font-weight="bold"' : ''}>${xml(fit(line))}</text>`,
    );
  });
  out.push('</g>');
  return out;
}

/** A standalone SVG: the stacks as groups, boxes filled in their color, arrows by kind with labels, and a legend. */
export function renderSvg(d: Diagram): string {
  const layout = layoutDiagram(d);
  const legendWidth = Math.max(layout.width, 900);
  const legendBlock = drawLegend(d, legendWidth, layout.bottom + 10);
  const width = legendWidth;
  const height = layout.bottom + 10 + legendBlock.height + GRID.margin;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${FONT.size}">`,
    `<title>${xml(d.title)}</title>`,
    '<defs>',
    ...(['traffic', 'inactive', 'test', 'logs', 'ipsec'] as const).map(
      (k) =>
        `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${EDGE_STYLES[k].stroke}"/></marker>`,
    ),
    '</defs>',
    `<text class="title" x="${GRID.margin}" y="34" font-size="${FONT.title}" font-weight="bold">${xml(d.title)}</text>`,
    ...drawGroups(d, layout),
  ];
  for (const el of layout.edges) {
    const e = el.edge;
    const style = edgeStyle(e);
    const marker = e.inactive ? 'inactive' : e.kind === 'pull' ? 'logs' : e.kind;
    const points = el.points.map((p) => `${p.x},${p.y}`).join(' ');
    parts.push(
      `<polyline class="edge edge-${e.kind}" data-from="${e.from}" data-to="${e.to}" points="${points}" fill="none" ${stroke(style)} marker-end="url(#arrow-${marker})"/>`,
    );
  }
  for (const n of d.nodes) parts.push(...drawNode(n, layout.boxes.get(n.id)!));
  // Edge labels last, on a white halo, so no line runs through their text.
  for (const el of layout.edges) {
    if (!el.labelAt || !el.edge.label) continue;
    const { x, y } = el.labelAt;
    parts.push(
      `<text class="edge-label" data-from="${el.edge.from}" data-to="${el.edge.to}" x="${x}" y="${y}" fill="${edgeStyle(el.edge).stroke}" font-size="${FONT.small}" stroke="#ffffff" stroke-width="4" paint-order="stroke">${xml(el.edge.label)}</text>`,
    );
  }
  parts.push(...legendBlock.svg);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** Mermaid flowchart source (for a ```mermaid block in a PR comment): one subgraph per stack, styled like the SVG. */
export function renderMermaid(d: Diagram): string {
  const out = ['flowchart TB', `  %% ${d.title}`];
  const label = (n: DiagramNode) => n.lines.map(mermaidText).join('<br/>');
  for (const n of d.nodes.filter((x) => x.stack === undefined)) out.push(`  ${n.id}(["${label(n)}"])`);
  for (const g of d.groups) {
    const members = d.nodes.filter((n) => n.stack === g.role);
    if (members.length === 0) continue;
    const title = g.resources === undefined ? groupTitle(g) : `${groupTitle(g)} · ${g.resources} resources`;
    out.push(`  subgraph ${g.name.replace(/[^A-Za-z0-9_]/g, '_')}["${mermaidText(title)}"]`);
    for (const n of members) out.push(`    ${n.id}["${label(n)}"]`);
    out.push('  end');
  }
  const linkStyles: string[] = [];
  d.edges.forEach((e, i) => {
    const arrow =
      (e.kind === 'traffic' && !e.inactive) || e.kind === 'ipsec' ? '-->' : e.kind === 'test' ? '==>' : '-.->';
    out.push(e.label ? `  ${e.from} ${arrow}|"${mermaidText(e.label)}"| ${e.to}` : `  ${e.from} ${arrow} ${e.to}`);
    const s = edgeStyle(e);
    linkStyles.push(
      `  linkStyle ${i} stroke:${s.stroke},stroke-width:${s.width}px${s.dash ? `,stroke-dasharray:${s.dash}` : ''}`,
    );
  });
  out.push(...linkStyles);
  const fleets = d.nodes.filter((n) => n.kind === 'fleet' && n.color && n.traffic);
  for (const n of fleets) {
    const s = boxStyle(n);
    out.push(
      `  classDef ${n.id}Fleet fill:${s.fill},stroke:${s.stroke},stroke-width:${s.width}px${s.dash ? `,stroke-dasharray:${s.dash}` : ''}`,
    );
    out.push(`  class ${n.id} ${n.id}Fleet`);
  }
  return out.join('\n') + '\n';
}

/** The legend as one Markdown line, for the text around a Mermaid block. */
export function renderLegendText(d: Diagram): string {
  return legend(d)
    .map((e) => e.text)
    .join('; ');
}

/** The PR comment's section for one environment: a heading, the Mermaid block and the legend. */
export function renderMarkdown(d: Diagram): string {
  return `### Environment \`${d.env}\`\n\n\`\`\`mermaid\n${renderMermaid(d)}\`\`\`\n\nLegend: ${renderLegendText(d)}.\n`;
}

/** A standalone XHTML page: the SVG (with its legend), the stacks table, and the Mermaid source. No scripts. */
export function renderHtml(d: Diagram): string {
  const rows = d.groups
    .map((s) => `<tr><td><code>${xml(s.name)}</code></td><td>${s.resources ?? '–'}</td></tr>`)
    .join('\n');
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
