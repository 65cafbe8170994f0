/**
 * The diagram of an environment, computed (no rendering here) from the same definitions the stacks use: the
 * contract's stack names and DigitalOcean resource names, `testListenerTarget` (whether `<env>-cutover` builds a
 * test listener or preview load balancer, and for which color), `liveColor`, and the typed values. Whatever the
 * picture shows, a stack builds; whatever a stack on that cloud does not build, the picture does not show.
 */
import { Color, COLORS, EnvironmentConfig, hasLogStore, liveColor, testListenerTarget } from '../../config';
import { DigitalOceanValues } from '../../config/sections/digitalocean';
import { StackRole, STACK_ROLES, doResourceNames, stackName } from '../../../stacks/contract';
import { StackJson } from '../synth-output';

/**
 * What a color does for users right now: `live` (carries most or all of the traffic), `canary` (the smaller share of
 * a split), `idle` (no user traffic) or `joining` (DigitalOcean: added to the live load balancer next to the live color
 * during the join step of a cutover).
 */
export type TrafficRole = 'live' | 'canary' | 'idle' | 'joining';

/** What a box stands for. */
export type DiagramNodeKind =
  | 'users'
  | 'testers'
  | 'office'
  | 'load-balancer'
  | 'listener'
  | 'test-listener'
  | 'fleet'
  | 'log-store'
  | 'archive'
  | 'registry'
  | 'vpn';

/** A box in the picture. */
export interface DiagramNode {
  /** Id, unique in the diagram and safe in Mermaid and XML (`[a-z-]`). */
  readonly id: string;
  /** What the box stands for. */
  readonly kind: DiagramNodeKind;
  /** Lines of text; the first is the box's title. */
  readonly lines: readonly string[];
  /** The stack that builds it (`undefined` for things outside the environment: users, testers, the office). */
  readonly stack?: StackRole;
  /** The fleet's color (fleets only). */
  readonly color?: Color;
  /** The fleet's traffic role (fleets only). */
  readonly traffic?: TrafficRole;
  /** Percent of user traffic the fleet gets from the weighted listener (fleets only). */
  readonly weightPercent?: number;
}

/**
 * What an arrow carries: `traffic` (users' requests), `test` (the test listener or preview load balancer path to one
 * color), `logs` (log forwarding), `pull` (release artifact pulls), `ipsec` (the site-to-site VPN).
 */
export type DiagramEdgeKind = 'traffic' | 'test' | 'logs' | 'pull' | 'ipsec';

/** An arrow between two boxes. */
export interface DiagramEdge {
  /** Source node id. */
  readonly from: string;
  /** Target node id. */
  readonly to: string;
  /** What it carries. */
  readonly kind: DiagramEdgeKind;
  /** Label on the arrow. */
  readonly label?: string;
  /** A forward that carries no traffic now (weight 0): drawn faint. */
  readonly inactive?: boolean;
}

/** A stack drawn as a group around the boxes it builds. */
export interface DiagramGroup {
  /** The stack's role. */
  readonly role: StackRole;
  /** The stack's name, `<env>-<role>`. */
  readonly name: string;
  /** A short caption after the name (e.g. the VPC range of `<env>-shared`). */
  readonly caption?: string;
  /** Resources in the synthesized stack, when synthesized output was given. */
  readonly resources?: number;
}

/** The test path `<env>-cutover` builds: which color it serves and how it is reached. */
export interface DiagramTestPath {
  /** The color the test listener (AWS) or preview load balancer (DigitalOcean) forwards to. */
  readonly color: Color;
  /** AWS: the test listener's port. */
  readonly port?: number;
}

/** The picture of one environment, before rendering. */
export interface Diagram {
  /** Environment name. */
  readonly env: string;
  /** The environment's cloud. */
  readonly cloud: EnvironmentConfig['cloud'];
  /** Title line. */
  readonly title: string;
  /** The four stacks, in deploy order. */
  readonly groups: readonly DiagramGroup[];
  /** The boxes. */
  readonly nodes: readonly DiagramNode[];
  /** The arrows. */
  readonly edges: readonly DiagramEdge[];
  /** The test path, when the strategy has one (`testListenerTarget`); `undefined` under hard-cutover and rolling. */
  readonly testPath?: DiagramTestPath;
}

/** Counts the resources of a synthesized stack (`undefined` when not synthesized). */
function countResources(tf: StackJson | undefined): number | undefined {
  if (!tf) return undefined;
  const resource = tf.resource;
  if (typeof resource !== 'object' || resource === null) return 0;
  return Object.values(resource as Record<string, Record<string, unknown>>).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
}

/**
 * The traffic role of each color from the weights: 100 → live, 0 → idle; in a split the larger share is live and the
 * smaller one the canary (an even split: both live).
 */
export function trafficRoles(weights: Readonly<Record<Color, number>>): Record<Color, TrafficRole> {
  const top = liveColor(weights);
  const role = (c: Color): TrafficRole =>
    weights[c] === 0 ? 'idle' : top === undefined || top === c ? 'live' : 'canary';
  return { blue: role('blue'), green: role('green') };
}

/** The first `n` items, then `+k more`. */
function listed(items: readonly string[], n = 2): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} +${items.length - n} more`;
}

/** The fleet box of one color. */
function fleetNode(
  config: EnvironmentConfig,
  color: Color,
  traffic: TrafficRole,
  weightPercent: number,
  size: string | undefined,
): DiagramNode {
  const values = config.colors[color];
  const cap = values.capacity;
  const share = traffic === 'joining' ? 'joining' : `${traffic} ${weightPercent}%`;
  return {
    id: color,
    kind: 'fleet',
    stack: color,
    color,
    traffic,
    weightPercent,
    lines: [
      `${color} fleet · ${share}`,
      `release ${values.release.version}`,
      `${cap.desired} × ${size ?? 'server'} (min ${cap.min}, max ${cap.max})`,
      `image ${values.release.image}`,
    ],
  };
}

/** The cutover's test path, as `<env>-cutover` decides it (and refuses it, with the same message). */
function testPathOf(config: EnvironmentConfig): Color | undefined {
  const target = testListenerTarget(config);
  if (target.problem) throw new Error(`${stackName(config.name, 'cutover')}: ${target.problem}`);
  return target.color;
}

/** AWS: the ALB and its listeners, the fleets, the log store, the object-locked archives, the registry, the VPN. */
function awsDiagram(config: EnvironmentConfig): Pick<Diagram, 'nodes' | 'edges' | 'testPath'> {
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const weights = { blue: config.traffic.blue, green: config.traffic.green };
  const roles = trafficRoles(weights);
  const testColor = testPathOf(config);
  const lb = config.loadBalancer;
  const cert = lb.certificate;
  const host = cert && 'domain' in cert ? cert.domain : cert?.hostname;
  const port = lb.testListener.port;

  nodes.push({ id: 'users', kind: 'users', lines: ['Users', host ? `https://${host}` : 'HTTPS'] });
  nodes.push({
    id: 'alb',
    kind: 'load-balancer',
    stack: 'shared',
    lines: ['Application Load Balancer', host ?? 'its DNS name', 'HTTP :80 redirects to HTTPS'],
  });
  const sticky = config.traffic.stickinessSeconds;
  nodes.push({
    id: 'listener',
    kind: 'listener',
    stack: 'cutover',
    lines: [
      'HTTPS listener :443',
      `weighted: blue ${weights.blue}% · green ${weights.green}%`,
      sticky > 0 ? `sticky for ${sticky} s` : `strategy ${config.traffic.strategy}`,
    ],
  });
  edges.push({ from: 'users', to: 'alb', kind: 'traffic', label: 'HTTPS' });
  edges.push({ from: 'alb', to: 'listener', kind: 'traffic' });
  if (testColor) {
    const sources = [...lb.testListener.allowedCidrs, ...(config.vpn ? ['the VPN'] : [])];
    nodes.push({
      id: 'testers',
      kind: 'testers',
      lines: ['Smoke tests', sources.length > 0 ? `from ${listed(sources)}` : 'no source allowed yet'],
    });
    nodes.push({
      id: 'test-listener',
      kind: 'test-listener',
      stack: 'cutover',
      lines: [`Test listener :${port}`, `forwards to ${testColor} (${roles[testColor]})`],
    });
    edges.push({ from: 'testers', to: 'alb', kind: 'test', label: `HTTPS :${port}` });
    edges.push({ from: 'alb', to: 'test-listener', kind: 'test' });
  }
  for (const color of COLORS) {
    nodes.push(fleetNode(config, color, roles[color], weights[color], config.app.instanceType));
    edges.push({
      from: 'listener',
      to: color,
      kind: 'traffic',
      label: `${weights[color]}%`,
      ...(weights[color] === 0 ? { inactive: true } : {}),
    });
  }
  if (testColor) edges.push({ from: 'test-listener', to: testColor, kind: 'test', label: 'test' });

  const store = config.logging.store;
  // `logging.store.type: none`: no domain and no forwarder, so no box and no log arrows.
  if (hasLogStore(config)) {
    nodes.push({
      id: 'logs',
      kind: 'log-store',
      stack: 'shared',
      lines: [
        'Log store (OpenSearch)',
        `${store.instanceCount} × ${store.instanceType}`,
        `indices kept ${config.logging.indexRetentionDays} days`,
      ],
    });
    for (const color of COLORS) edges.push({ from: color, to: 'logs', kind: 'logs', label: 'logs' });
  }
  const archive = config.archive;
  nodes.push({
    id: 'archive',
    kind: 'archive',
    stack: 'shared',
    lines: [
      'Archive buckets (S3 object lock)',
      `records: ${archive.objectLockMode} ${archive.retentionDays} days`,
      `app files: ${archive.objectLockMode} ${archive.appFilesRetentionDays} days`,
    ],
  });
  nodes.push({
    id: 'registry',
    kind: 'registry',
    stack: 'shared',
    lines: ['Release registry (ECR)', 'immutable tags', `keeps ${archive.registryKeepImages} images`],
  });
  for (const color of COLORS)
    if (config.colors[color].release.artifact) edges.push({ from: 'registry', to: color, kind: 'pull', label: 'pull' });
  if (config.vpn) {
    nodes.push({ id: 'office', kind: 'office', lines: ['Office', listed(config.vpn.onPremCidrs)] });
    nodes.push({
      id: 'vpn',
      kind: 'vpn',
      stack: 'shared',
      lines: ['Site-to-site VPN (IKEv2)', `${config.vpn.customerGateway.ipAddress} ⇄ ${config.network.vpcCidr}`],
    });
    edges.push({ from: 'office', to: 'vpn', kind: 'ipsec', label: 'IPsec' });
  }
  return { nodes, edges, testPath: testColor ? { color: testColor, port } : undefined };
}

/** DigitalOcean: the live and preview load balancers, the fleets, the managed OpenSearch cluster, the Spaces bucket. */
function doDiagram(config: EnvironmentConfig): Pick<Diagram, 'nodes' | 'edges' | 'testPath'> {
  const d = config.digitalocean as DigitalOceanValues | undefined;
  if (!d)
    throw new Error(
      `${stackName(config.name, 'shared')}: the environment has no digitalocean section (the values schema requires one on DigitalOcean)`,
    );
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const names = doResourceNames(config.app.name, config.name, d.project.name);
  // As DoCutoverStack decides: the live color by weight (the schema allows only 0/100 here), the preview color by the
  // test listener rule, and the joining color of a cutover's join step.
  const live = liveColor(config.traffic) ?? 'blue';
  const previewColor = testPathOf(config);
  const joining = d.cutoverJoining;
  const role = (c: Color): TrafficRole => (c === live ? 'live' : c === joining ? 'joining' : 'idle');

  nodes.push({
    id: 'users',
    kind: 'users',
    lines: ['Users', d.liveHostname ? `https://${d.liveHostname}` : 'HTTPS to the live IP'],
  });
  nodes.push({
    id: 'live-lb',
    kind: 'load-balancer',
    stack: 'cutover',
    lines: [
      'Live load balancer',
      d.liveHostname ?? 'point DNS at live_ip',
      `droplet tag ${joining ? names.fleetTag : names.colorTags[live]}`,
    ],
  });
  edges.push({ from: 'users', to: 'live-lb', kind: 'traffic', label: 'HTTPS' });
  if (previewColor) {
    const sources = [...new Set([...d.adminCidrs, ...config.loadBalancer.testListener.allowedCidrs])];
    nodes.push({ id: 'testers', kind: 'testers', lines: ['Smoke tests, admins', `from ${listed(sources)}`] });
    nodes.push({
      id: 'preview-lb',
      kind: 'test-listener',
      stack: 'cutover',
      lines: [
        'Preview load balancer',
        d.previewHostname ?? 'reach it at preview_ip',
        `droplet tag ${names.colorTags[previewColor]}`,
      ],
    });
    edges.push({ from: 'testers', to: 'preview-lb', kind: 'test', label: 'HTTPS' });
  }
  for (const color of COLORS) {
    nodes.push(fleetNode(config, color, role(color), config.traffic[color], config.app.dropletSize));
    if (color === live) edges.push({ from: 'live-lb', to: color, kind: 'traffic', label: `${config.traffic[color]}%` });
    else if (color === joining) edges.push({ from: 'live-lb', to: color, kind: 'traffic', label: 'joining' });
  }
  if (previewColor) edges.push({ from: 'preview-lb', to: previewColor, kind: 'test', label: 'preview' });
  nodes.push({
    id: 'logs',
    kind: 'log-store',
    stack: 'shared',
    lines: [
      'Log store (managed OpenSearch)',
      `${d.opensearch.nodeCount} × ${d.opensearch.size}`,
      `indices kept ${config.logging.indexRetentionDays} days`,
    ],
  });
  nodes.push({
    id: 'archive',
    kind: 'archive',
    stack: 'shared',
    lines: [
      'Spaces bucket (records, app files)',
      d.spaces.bucket ?? '(bucket name missing)',
      `versioned, old kept ${d.spaces.noncurrentVersionExpirationDays} days`,
    ],
  });
  for (const color of COLORS) edges.push({ from: color, to: 'logs', kind: 'logs', label: 'logs' });
  return { nodes, edges, testPath: previewColor ? { color: previewColor } : undefined };
}

/**
 * Builds the picture of one environment from its validated values and (optionally) its synthesized stacks (for the
 * resource count of each stack). Pure.
 * @throws Error when the values ask for a test listener on a live color (the cutover stack refuses the same values)
 */
export function buildDiagram(
  config: EnvironmentConfig,
  synthesized: ReadonlyMap<string, StackJson> = new Map(),
): Diagram {
  const env = config.name;
  const aws = config.cloud === 'aws';
  const parts = aws ? awsDiagram(config) : doDiagram(config);
  const groups = STACK_ROLES.map((role): DiagramGroup => {
    const name = stackName(env, role);
    const resources = countResources(synthesized.get(name));
    return {
      role,
      name,
      ...(role === 'shared' ? { caption: `VPC ${config.network.vpcCidr}` } : {}),
      ...(resources === undefined ? {} : { resources }),
    };
  });
  return {
    env,
    cloud: config.cloud,
    title: `${env} on ${aws ? 'AWS' : 'DigitalOcean'} (${config.region})`,
    groups,
    ...parts,
  };
}
