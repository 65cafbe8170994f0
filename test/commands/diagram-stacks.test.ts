// The diagram against the real cutover stack, one case per strategy and cloud: the synthesized `<env>-cutover` has a
// test listener (AWS) or preview load balancer (DigitalOcean) exactly when the rendered SVG draws a test path, and both
// point at the same color; the traffic arrows match the listener's weights (AWS) and the live load balancer's droplet
// tag (DigitalOcean).
import { Testing } from 'cdktf';
import { buildDiagram, renderSvg } from '../../lib/commands/diagram';
import { AwsCutoverStack } from '../../stacks/aws/aws-cutover-stack';
import { DoCutoverStack } from '../../stacks/digitalocean/do-cutover-stack';
import { DiagramCase, diagramCases } from './diagram-cases';

type Resource = Record<string, any>;

/** The synthesized `<env>-cutover` of a case: its resources by type. */
function synthCutover(c: DiagramCase): Record<string, Record<string, Resource>> {
  const app = Testing.app();
  const stack =
    c.config.cloud === 'aws'
      ? new AwsCutoverStack(app, { config: c.config })
      : new DoCutoverStack(app, { config: c.config });
  return (JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Resource>> }).resource;
}

/** The color a published target group ARN or droplet tag names (`…/green-target-group-arn`, `shop-dev-green`). */
function colorIn(value: unknown): string | undefined {
  return /(?:^|[-/])(blue|green)(?:-target-group-arn|$)/.exec(String(value))?.[1];
}

/** What the rendered SVG draws: the test arrows into a fleet, and the traffic arrows with their labels. */
function drawn(svg: string) {
  const edges = [...svg.matchAll(/<polyline class="edge edge-(\w+)" data-from="([\w-]+)" data-to="([\w-]+)"/g)].map(
    (m) => ({ kind: m[1], from: m[2], to: m[3] }),
  );
  const labels = new Map(
    [...svg.matchAll(/<text class="edge-label" data-from="([\w-]+)" data-to="([\w-]+)"[^>]*>([^<]*)<\/text>/g)].map(
      (m) => [`${m[1]}->${m[2]}`, m[3]],
    ),
  );
  return {
    testColors: edges.filter((e) => e.kind === 'test' && (e.to === 'blue' || e.to === 'green')).map((e) => e.to),
    testEdges: edges.filter((e) => e.kind === 'test').length,
    trafficTo: (from: string) =>
      edges
        .filter((e) => e.kind === 'traffic' && e.from === from)
        .map((e) => ({ to: e.to, label: labels.get(`${from}->${e.to}`) })),
  };
}

const cases = diagramCases();

describe.each(cases.filter((c) => c.config.cloud === 'aws').map((c) => [c.name, c] as const))(
  '%s: diagram vs synthesized cutover stack',
  (_name, c) => {
    const listeners = Object.values(synthCutover(c).aws_lb_listener ?? {});
    const svg = renderSvg(buildDiagram(c.config));
    const picture = drawn(svg);
    const port = c.config.loadBalancer.testListener.port;

    test('test listener in the stack ⇔ test path in the diagram, to the same color', () => {
      const test = listeners.filter((l) => l.port === port);
      expect(test.length).toBeLessThanOrEqual(1);
      expect(picture.testColors).toEqual(test.map((l) => colorIn(l.default_action[0].target_group_arn)));
      if (test.length === 0) expect(picture.testEdges).toBe(0);
      else expect(svg).toContain(`>HTTPS :${test[0].port}</text>`);
    });

    test('the weighted listener forwards with the weights the arrows show', () => {
      const https = listeners.find((l) => l.port === 443)!;
      const forward = (https.default_action[0].forward.target_group as Resource[]).map((t) => ({
        to: colorIn(t.arn),
        label: `${t.weight ?? 0}%`,
      }));
      expect(picture.trafficTo('listener')).toEqual(forward);
    });
  },
);

describe.each(cases.filter((c) => c.config.cloud === 'digitalocean').map((c) => [c.name, c] as const))(
  '%s: diagram vs synthesized cutover stack',
  (_name, c) => {
    const balancers = Object.values(synthCutover(c).digitalocean_loadbalancer ?? {});
    const picture = drawn(renderSvg(buildDiagram(c.config)));

    test('preview load balancer in the stack ⇔ test path in the diagram, to the same color', () => {
      const preview = balancers.filter((b) => String(b.name).endsWith('-preview'));
      expect(picture.testColors).toEqual(preview.map((b) => colorIn(b.droplet_tag)));
    });

    test('the live load balancer serves the colors its droplet tag selects', () => {
      const live = balancers.filter((b) => String(b.name).endsWith('-live'));
      expect(live).toHaveLength(1);
      const tagged = colorIn(live[0].droplet_tag);
      const served = picture.trafficTo('live-lb').map((e) => e.to);
      expect(served).toEqual(tagged ? [tagged] : ['blue', 'green']); // the fleet tag (no color) selects both
    });
  },
);
