import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FLEET_COLORS,
  buildDiagram,
  diagramMain,
  legendEntries,
  renderMarkdown,
  renderMermaid,
  renderSvg,
  trafficRoles,
} from '../../lib/commands/diagram';
import { loadEnvironments } from '../../lib/config';
import { envDir, withValue } from '../support/env-dir';
import { diagramCases } from './diagram-cases';

/** Hue (0–360) of a `#rrggbb` color. */
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return NaN;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

/** The fill of a node's box in the SVG. */
function fillOf(svg: string, id: string): string {
  const m = new RegExp(`<g class="node[^"]*" id="node-${id}"[^>]*>\\n<rect [^>]*fill="(#[0-9a-f]{6})"`).exec(svg);
  if (!m) throw new Error(`no box node-${id} in the SVG`);
  return m[1];
}

describe('the diagram of prod', () => {
  const values = envDir();
  const [prod] = loadEnvironments({ dir: values, only: ['prod'] });
  const d = buildDiagram(prod);
  const svg = renderSvg(d);
  const mermaid = renderMermaid(d);

  test('labels each fleet with its traffic role and weight, release, capacity and image, in its own stack', () => {
    const green = d.nodes.find((n) => n.id === 'green')!;
    expect(green).toMatchObject({ stack: 'green', color: 'green', traffic: 'live', weightPercent: prod.traffic.green });
    expect(green.lines).toEqual([
      `green fleet · live ${prod.traffic.green}%`,
      `release ${prod.colors.green.release.version}`,
      `${prod.colors.green.capacity.desired} × ${prod.app.instanceType} (min ${prod.colors.green.capacity.min}, max ${prod.colors.green.capacity.max})`,
      `image ${prod.colors.green.release.image}`,
    ]);
    expect(d.nodes.find((n) => n.id === 'blue')!.lines[0]).toBe('blue fleet · idle 0%');
  });

  test('traffic roles: 100 live, 0 idle, the smaller share of a split canary, an even split both live', () => {
    expect(trafficRoles({ blue: 0, green: 100 })).toEqual({ blue: 'idle', green: 'live' });
    expect(trafficRoles({ blue: 90, green: 10 })).toEqual({ blue: 'live', green: 'canary' });
    expect(trafficRoles({ blue: 50, green: 50 })).toEqual({ blue: 'live', green: 'live' });
  });

  test('fills the blue fleet blue and the green fleet green, the live one stronger than the idle one', () => {
    const blueHue = hue(fillOf(svg, 'blue'));
    const greenHue = hue(fillOf(svg, 'green'));
    expect(blueHue).toBeGreaterThan(190);
    expect(blueHue).toBeLessThan(250);
    expect(greenHue).toBeGreaterThan(90);
    expect(greenHue).toBeLessThan(160);
    expect(fillOf(svg, 'green')).toBe(FLEET_COLORS.green.fill); // live
    expect(fillOf(svg, 'blue')).toBe(FLEET_COLORS.blue.idleFill); // idle
    expect(mermaid).toMatch(/^ {2}classDef blueFleet fill:#[0-9a-f]{6},stroke:#1d4ed8/m);
    expect(hue(/classDef greenFleet fill:(#[0-9a-f]{6})/.exec(mermaid)![1])).toBeGreaterThan(90);
  });

  test('draws the four stacks as groups around exactly the boxes each builds', () => {
    for (const role of ['shared', 'blue', 'green', 'cutover'])
      expect(svg).toContain(`<g class="group" id="group-${role}" data-stack="prod-${role}">`);
    const inStack = (role: string) =>
      d.nodes
        .filter((n) => n.stack === role)
        .map((n) => n.id)
        .sort();
    expect(inStack('shared')).toEqual(['alb', 'archive', 'logs', 'registry', 'vpn']);
    expect(inStack('cutover')).toEqual(['listener', 'test-listener']);
    expect(inStack('blue')).toEqual(['blue']);
    expect(d.nodes.find((n) => n.id === 'vpn')!.lines[1]).toContain(prod.vpn!.customerGateway.ipAddress);
    for (const s of ['prod_shared', 'prod_blue', 'prod_green', 'prod_cutover'])
      expect(mermaid).toMatch(new RegExp(`^  subgraph ${s}\\["prod-`, 'm'));
    expect(mermaid.match(/^ {2}subgraph /gm)).toHaveLength(mermaid.match(/^ {2}end$/gm)!.length);
  });

  test('labels the weighted forwards with their weights, the weight-0 one inactive', () => {
    expect(d.edges.filter((e) => e.from === 'listener')).toEqual([
      { from: 'listener', to: 'blue', kind: 'traffic', label: `${prod.traffic.blue}%`, inactive: true },
      { from: 'listener', to: 'green', kind: 'traffic', label: `${prod.traffic.green}%` },
    ]);
    expect(mermaid).toContain(`listener -->|"${prod.traffic.green}%"| green`);
    expect(mermaid).toContain(`listener -.->|"${prod.traffic.blue}%"| blue`);
  });

  test('draws no log store and no log arrows when logging.store.type is none (AWS)', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'store'], { type: 'none' }) });
    const [withoutStore] = loadEnvironments({ dir, only: ['prod'] });
    const drawn = buildDiagram(withoutStore);
    expect(drawn.nodes.map((n) => n.id)).not.toContain('logs');
    expect(drawn.edges.filter((e) => e.kind === 'logs')).toEqual([]);
    expect(d.nodes.map((n) => n.id)).toContain('logs'); // the shipped prod has one
    expect(d.edges.filter((e) => e.kind === 'logs')).toHaveLength(2);
  });

  test('shows the archive with the object-lock mode and retention the values set (AWS)', () => {
    expect(d.nodes.find((n) => n.id === 'archive')!.lines).toEqual([
      'Archive buckets (S3 object lock)',
      `records: ${prod.archive.objectLockMode} ${prod.archive.retentionDays} days`,
      `app files: ${prod.archive.objectLockMode} ${prod.archive.appFilesRetentionDays} days`,
    ]);
  });

  test('a legend explains the fills, the borders in use, the stacks and every kind of arrow drawn', () => {
    const texts = legendEntries(d).map((e) => e.text);
    expect(texts).toEqual([
      'blue fleet (blue stack)',
      'green fleet (green stack)',
      'live: serves users (solid border)',
      'idle: no user traffic (dashed border)',
      'stack: one Terraform state',
      'user traffic, with its weight',
      'test path to the color under test',
      'forward at weight 0 (no traffic now)',
      'log forwarding',
      'release artifact pulls',
      'site-to-site IPsec',
    ]);
    for (const t of texts)
      expect(svg).toMatch(new RegExp(`<text class="legend-label" [^>]*>${t.replace(/[()]/g, '\\$&')}</text>`));
    expect(svg.match(/<text class="legend-label"/g)).toHaveLength(texts.length);
    expect(renderMarkdown(d)).toContain(`Legend: ${texts.join('; ')}.`);
  });

  test('counts resources per stack from synthesized output (Mermaid subgraph titles)', () => {
    const synthesized = new Map([
      ['prod-blue', { resource: { aws_launch_template: { a: {} }, aws_autoscaling_group: { b: {}, c: {} } } }],
    ]);
    const withCounts = buildDiagram(prod, synthesized);
    expect(withCounts.groups.find((s) => s.name === 'prod-blue')!.resources).toBe(3);
    expect(withCounts.groups.find((s) => s.name === 'prod-green')!.resources).toBeUndefined();
    expect(renderMermaid(withCounts)).toContain('subgraph prod_blue["prod-blue · 3 resources"]');
  });

  test('renders an SVG with a box per node and an arrow per edge', () => {
    expect(svg.match(/<g class="node /g)).toHaveLength(d.nodes.length);
    expect(svg.match(/<polyline class="edge /g)).toHaveLength(d.edges.length);
  });

  test('the CLI writes <env>.mmd and <env>.html and a Markdown section', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diagram-'));
    let stdout = '';
    const code = diagramMain(
      ['prod', '--values', values, '--out', out, '--synth-out', out, '--markdown', path.join(out, 'd.md')],
      { stdout: (t) => (stdout += t), stderr: () => {} },
    );
    expect(code).toBe(0);
    expect(stdout).toBe(mermaid);
    expect(fs.readFileSync(path.join(out, 'prod.mmd'), 'utf8')).toBe(mermaid);
    const html = fs.readFileSync(path.join(out, 'prod.html'), 'utf8');
    expect(html).toContain(svg);
    expect(html).not.toMatch(/<script/);
    expect(fs.readFileSync(path.join(out, 'd.md'), 'utf8')).toBe(renderMarkdown(d));
  });

  test('fails on an unknown environment, listing the known ones, with exit 2', () => {
    let stderr = '';
    const code = diagramMain(['prd', '--values', values, '--out', os.tmpdir()], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('no environment named prd');
    expect(stderr).toContain('prod');
  });
});

describe('the diagram of a DigitalOcean environment', () => {
  const cases = diagramCases().filter((c) => c.config.cloud === 'digitalocean');
  const dev = cases.find((c) => c.name === 'digitalocean blue-green, blue live')!.config;
  const d = buildDiagram(dev);

  test('shows the Spaces bucket with versioning and no object lock or retention, which Spaces does not have', () => {
    for (const c of cases) {
      const text = [...buildDiagram(c.config).nodes.flatMap((n) => n.lines), renderSvg(buildDiagram(c.config))].join(
        '\n',
      );
      expect(text).not.toMatch(/object.lock|COMPLIANCE|GOVERNANCE|retention|locked|ECR|registry|VPN/i);
    }
    expect(d.nodes.find((n) => n.id === 'archive')!.lines).toEqual([
      'Spaces bucket (records, app files)',
      dev.digitalocean!.spaces.bucket,
      `versioned, old kept ${dev.digitalocean!.spaces.noncurrentVersionExpirationDays} days`,
    ]);
  });

  test('the live load balancer serves only the live color; in the join step it serves both', () => {
    expect(d.edges.filter((e) => e.from === 'live-lb').map((e) => e.to)).toEqual(['blue']);
    const join = buildDiagram(cases.find((c) => c.name === 'digitalocean join step')!.config);
    expect(join.edges.filter((e) => e.from === 'live-lb')).toEqual([
      { from: 'live-lb', to: 'blue', kind: 'traffic', label: '100%' },
      { from: 'live-lb', to: 'green', kind: 'traffic', label: 'joining' },
    ]);
    expect(join.nodes.find((n) => n.id === 'green')!.lines[0]).toBe('green fleet · joining');
    expect(join.nodes.find((n) => n.id === 'live-lb')!.lines[2]).toBe('droplet tag shop-dev');
  });

  test('puts the load balancers in the cutover stack and the log store and bucket in the shared stack', () => {
    expect(d.nodes.filter((n) => n.stack === 'cutover').map((n) => n.id)).toEqual(['live-lb', 'preview-lb']);
    expect(d.nodes.filter((n) => n.stack === 'shared').map((n) => n.id)).toEqual(['logs', 'archive']);
  });
});
