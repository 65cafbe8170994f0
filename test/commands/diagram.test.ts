import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildDiagram, diagramMain, renderMermaid, renderSvg } from '../../lib/commands/diagram';
import { loadEnvironments } from '../../lib/config';
import { envDir } from '../support/env-dir';

describe('the diagram of prod', () => {
  const values = envDir();
  const [prod] = loadEnvironments({ dir: values, only: ['prod'] });
  const d = buildDiagram(prod);
  const mermaid = renderMermaid(d);

  test('shows each fleet with its release and capacity, in its stack', () => {
    const green = d.nodes.find((n) => n.id === 'green')!;
    expect(green).toMatchObject({ stack: 'prod-green', live: true });
    expect(green.lines).toEqual([
      `green fleet · release ${prod.colors.green.release.version}`,
      `${prod.colors.green.capacity.desired} × ${prod.app.instanceType} (min ${prod.colors.green.capacity.min}, max ${prod.colors.green.capacity.max})`,
      `image ${prod.colors.green.release.image}`,
    ]);
    expect(d.nodes.find((n) => n.id === 'blue')!.live).toBe(prod.traffic.blue > 0);
  });

  test('labels the traffic arrows with the weights, dashed when a color gets none', () => {
    const toGreen = d.edges.find((e) => e.from === 'cutover' && e.to === 'green')!;
    const toBlue = d.edges.find((e) => e.from === 'cutover' && e.to === 'blue')!;
    expect(toGreen).toEqual({ from: 'cutover', to: 'green', label: `${prod.traffic.green}%`, dashed: prod.traffic.green === 0 });
    expect(toBlue.label).toBe(`${prod.traffic.blue}%`);
  });

  test('includes the VPN, log store, archive and registry of the shared stack', () => {
    const shared = d.nodes.filter((n) => n.stack === 'prod-shared').map((n) => n.id).sort();
    expect(shared).toEqual(['archive', 'lb', 'logs', 'network', 'registry', 'vpn']);
    expect(d.nodes.find((n) => n.id === 'vpn')!.lines[1]).toContain(prod.vpn!.customerGateway.ipAddress);
  });

  test('renders Mermaid with one subgraph per stack and the live class', () => {
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    for (const s of ['prod_shared', 'prod_blue', 'prod_green', 'prod_cutover']) expect(mermaid).toMatch(new RegExp(`^  subgraph ${s}\\["prod-`, 'm'));
    expect(mermaid).toContain(`cutover -->|"${prod.traffic.green}%"| green`);
    expect(mermaid).toContain('class green live');
    expect(mermaid.match(/^  subgraph /gm)).toHaveLength(mermaid.match(/^  end$/gm)!.length);
  });

  test('counts resources per stack from synthesized output', () => {
    const synthesized = new Map([['prod-blue', { resource: { aws_launch_template: { a: {} }, aws_autoscaling_group: { b: {}, c: {} } } }]]);
    const withCounts = buildDiagram(prod, synthesized);
    expect(withCounts.stacks.find((s) => s.name === 'prod-blue')!.resources).toBe(3);
    expect(renderMermaid(withCounts)).toContain('subgraph prod_blue["prod-blue · 3 resources"]');
  });

  test('renders an SVG with a box per node and an arrow per edge', () => {
    const svg = renderSvg(d);
    expect(svg.match(/<g class="node"/g)).toHaveLength(d.nodes.length);
    expect(svg.match(/<line class="edge"/g)).toHaveLength(d.edges.length);
    expect(svg).toMatch(/<g class="node" id="node-green">\n<rect [^>]*stroke="#1a7f37"/);
  });

  test('the CLI writes <env>.mmd and <env>.html and a Markdown section', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diagram-'));
    let stdout = '';
    const code = diagramMain(['prod', '--values', values, '--out', out, '--synth-out', out, '--markdown', path.join(out, 'd.md')], { stdout: (t) => (stdout += t), stderr: () => {} });
    expect(code).toBe(0);
    expect(stdout).toBe(mermaid);
    expect(fs.readFileSync(path.join(out, 'prod.mmd'), 'utf8')).toBe(mermaid);
    expect(fs.readFileSync(path.join(out, 'prod.html'), 'utf8')).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(fs.readFileSync(path.join(out, 'd.md'), 'utf8')).toBe(`### Environment \`prod\`\n\n\`\`\`mermaid\n${mermaid}\`\`\`\n`);
  });

  test('fails on an unknown environment, listing the known ones, with exit 2', () => {
    let stderr = '';
    const code = diagramMain(['prd', '--values', values, '--out', os.tmpdir()], { stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toContain('no environment named prd');
    expect(stderr).toContain('prod');
  });
});
