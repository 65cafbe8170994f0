/**
 * Blast radius: follows every replaced or removed resource to the resources that use it, in its own stack
 * (Terraform references) and in the other stacks of its environment through the values `<env>-shared` publishes
 * (the contract's `AWS_SHARED_VALUES` / `AWS_SHARED_READS` on AWS; lookups by name on DigitalOcean). A consumer whose
 * referencing argument forces a replacement is replaced too, and followed in turn. Then says whether the change can
 * be deployed: safely, in a given stack order, only with downtime, or not at all (the cloud refuses a step).
 */
import { readResources, references, SynthResource } from '../policy/stack-view';
import {
  AWS_SHARED_READS,
  AWS_SHARED_VALUES,
  AwsSharedValueKey,
  stackName,
  STACK_ROLES,
  StackRole,
} from '../../stacks/contract';
import { BlastRadius, Consumer, isObject, Json, ResourceChange, Risk, stackRole, Verdict } from './diff-model';
import { RESOURCE_KNOWLEDGE, topArgument } from './resource-knowledge';
import { StackJson } from './synth-output';

/** What {@link blastRadius} finds. */
export interface BlastRadiusResult {
  /** The blast radius of each root change, by `"<stack> <address>"`. */
  readonly byResource: ReadonlyMap<string, BlastRadius>;
  /** Risks: changes that fail, need downtime, or need a deploy order. */
  readonly risks: readonly Risk[];
  /** Published value keys each stack reads that change, by stack. */
  readonly readsChanged: ReadonlyMap<string, readonly string[]>;
}

/** A resource or data source of a synthesized stack, with its configuration text for reference searches. */
interface Node {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly path: string;
  readonly config: Json;
}

/** Resources and data sources of a stack (data sources as `data.<type>.<name>`). */
function nodesOf(stack: string, tf: StackJson | undefined): Node[] {
  if (!tf) return [];
  const resources = readResources(tf).map((r: SynthResource) => ({
    stack,
    address: r.address,
    type: r.type,
    path: r.path,
    config: r.config,
  }));
  // Data sources have the same shape under `data`: read them the same way, addressed `data.<type>.<name>`.
  const data = readResources({ resource: tf.data }).map((r) => ({
    stack,
    address: `data.${r.address}`,
    type: r.type,
    path: r.path,
    config: r.config,
  }));
  return [...resources, ...data];
}

/** The top-level arguments of `node` that reference `address` (`type.name` or `data.type.name`). */
function referencingArguments(node: Node, address: string): string[] {
  const dot = address.lastIndexOf('.');
  const target = { type: address.slice(0, dot), name: address.slice(dot + 1) };
  return Object.keys(node.config).filter(
    (k) => k !== 'lifecycle' && k !== 'depends_on' && references(node.config[k], target),
  );
}

/** The top-level arguments of `node` whose value contains `text` (a published parameter name). */
function argumentsContaining(node: Node, text: string): string[] {
  return Object.keys(node.config).filter((k) =>
    JSON.stringify(node.config[k] ?? null).includes(JSON.stringify(text).slice(1, -1)),
  );
}

const PUBLISHED_BY_NAME: ReadonlyMap<string, AwsSharedValueKey> = new Map(
  Object.entries(AWS_SHARED_VALUES).map(([key, v]): [string, AwsSharedValueKey] => [v.name, key as AwsSharedValueKey]),
);

/** The published value key of an SSM parameter of `<env>-shared` (`/<app>/<env>/shared/<name>`), if it is one. */
function publishedKey(node: Node): AwsSharedValueKey | undefined {
  if (node.type !== 'aws_ssm_parameter' || typeof node.config.name !== 'string') return undefined;
  const match = /\/shared\/([^/]+)$/.exec(node.config.name);
  return match ? PUBLISHED_BY_NAME.get(match[1]) : undefined;
}

const createsBeforeDestroy = (node: Node | undefined) =>
  isObject(node?.config.lifecycle) && node!.config.lifecycle.create_before_destroy === true;
const deploy = (stack: string) => `npx cdktf deploy ${stack}`;
const roleIndex = (stack: string) => STACK_ROLES.indexOf(stackRole(stack).role ?? 'shared');

interface Closure {
  readonly consumers: Consumer[];
  /** Replaced or removed nodes: the root and every consumer replaced with it, by `"<stack> <address>"`. */
  readonly replaced: Map<string, { node: Node; removed: boolean }>;
  /** Published keys whose value changes, by consumer stack. */
  readonly reads: Map<string, Set<string>>;
  /** Published keys no longer published (their parameter is removed). */
  readonly unpublished: Set<string>;
}

/**
 * Follows the changes of one environment. `changes` holds the resource changes of every stack (by stack name);
 * `live` the colors carrying traffic per environment.
 */
export function blastRadius(
  base: ReadonlyMap<string, StackJson>,
  head: ReadonlyMap<string, StackJson>,
  changes: ReadonlyMap<string, readonly ResourceChange[]>,
  live: Readonly<Record<string, readonly string[]>>,
): BlastRadiusResult {
  const headNodes = new Map([...head].map(([s, tf]) => [s, nodesOf(s, tf)]));
  const baseNodes = new Map([...base].map(([s, tf]) => [s, nodesOf(s, tf)]));
  const find = (nodes: ReadonlyMap<string, Node[]>, stack: string, address: string) =>
    nodes.get(stack)?.find((n) => n.address === address);
  const changeOf = (stack: string, address: string) => changes.get(stack)?.find((c) => c.address === address);

  function follow(stack: string, address: string): Closure {
    const closure: Closure = { consumers: [], replaced: new Map(), reads: new Map(), unpublished: new Set() };
    const queue: Array<{ stack: string; address: string }> = [];
    const seen = new Set<string>();
    const enqueue = (s: string, a: string) => {
      const key = `${s} ${a}`;
      if (seen.has(key)) return;
      seen.add(key);
      queue.push({ stack: s, address: a });
    };
    const consume = (node: Node, via: string, args: string[]) => {
      const change = node.address.startsWith('data.') ? undefined : changeOf(node.stack, node.address);
      const forcing = args.filter((a) => (RESOURCE_KNOWLEDGE[node.type]?.replaceOn ?? []).includes(a));
      const effect = forcing.length > 0 || change?.action === 'replace' ? 'replace' : 'update';
      const known = closure.consumers.findIndex((c) => c.stack === node.stack && c.address === node.address);
      if (known < 0) closure.consumers.push({ stack: node.stack, address: node.address, path: node.path, via, effect });
      // Reached again through a reference that forces replacement (a route table association follows both its
      // replaced route table, in place, and its replaced subnet, ForceNew): replaced, as Terraform plans it.
      else if (effect === 'replace' && closure.consumers[known].effect === 'update')
        closure.consumers[known] = { ...closure.consumers[known], via, effect };
      if (effect === 'replace' || node.address.startsWith('data.')) enqueue(node.stack, node.address);
      else crossStack(node, false);
    };
    const crossStack = (node: Node, removed: boolean) => {
      const { env, role } = stackRole(node.stack);
      if (role !== 'shared') return;
      const key = publishedKey(node);
      if (key) {
        if (removed) closure.unpublished.add(key);
        for (const [reader, keys] of Object.entries(AWS_SHARED_READS) as Array<
          [StackRole, readonly AwsSharedValueKey[]]
        >) {
          if (!keys.includes(key)) continue;
          const consumerStack = stackName(env, reader);
          if (!head.has(consumerStack)) continue;
          closure.reads.set(consumerStack, (closure.reads.get(consumerStack) ?? new Set()).add(key));
          for (const c of headNodes.get(consumerStack) ?? []) {
            const args = argumentsContaining(c, String(node.config.name)).filter(
              (a) => !(c.address.startsWith('data.') && a === 'lifecycle'),
            );
            if (args.length > 0 && !c.address.startsWith('data.'))
              consume(c, `published ${key} → ${args.join(', ')}`, args);
          }
        }
      }
      // DigitalOcean: the other stacks look shared resources up by name with a data source of the same type.
      if (node.type.startsWith('digitalocean_') && typeof node.config.name === 'string') {
        for (const [other, nodes] of headNodes) {
          if (other === node.stack || stackRole(other).env !== env) continue;
          for (const d of nodes.filter(
            (n) => n.address.startsWith(`data.${node.type}.`) && n.config.name === node.config.name,
          )) {
            closure.reads.set(other, (closure.reads.get(other) ?? new Set()).add(`${node.type} "${node.config.name}"`));
            consume(d, `looks up ${node.type} "${node.config.name}" by name`, ['name']);
          }
        }
      }
    };

    enqueue(stack, address);
    while (queue.length > 0) {
      const item = queue.shift()!;
      const node = find(headNodes, item.stack, item.address);
      const removed = !node;
      const subject = node ?? find(baseNodes, item.stack, item.address);
      if (!subject) continue;
      if (!subject.address.startsWith('data.'))
        closure.replaced.set(`${item.stack} ${item.address}`, { node: subject, removed });
      crossStack(subject, removed);
      if (removed) continue;
      for (const c of headNodes.get(item.stack) ?? []) {
        if (c.address === item.address) continue;
        const args = referencingArguments(c, item.address);
        if (args.length > 0) consume(c, args.join(', '), args);
      }
    }
    return closure;
  }

  function judge(rootStack: string, closure: Closure): { verdict: Verdict; reasons: string[]; steps: string[] } {
    const fails: string[] = [];
    const downtime: string[] = [];
    const { env } = stackRole(rootStack);
    const liveColors = live[env] ?? [];
    const users = (stack: string, address: string) =>
      closure.consumers.filter(
        (c) =>
          c.effect === 'update' &&
          !c.address.startsWith('data.') &&
          (c.stack !== stack || referencingArguments(find(headNodes, c.stack, c.address)!, address).length > 0),
      );
    let deposed = false;
    const vpcMoves = [...closure.replaced.values()].some(
      (r) => !r.removed && (r.node.type === 'aws_vpc' || r.node.type === 'digitalocean_vpc'),
    );
    for (const { node, removed } of closure.replaced.values()) {
      const k = RESOURCE_KNOWLEDGE[node.type];
      const before = find(baseNodes, node.stack, node.address);
      const refused = before && k?.deleteRefused?.(before.config);
      if (refused) fails.push(`${node.address} in ${node.stack} cannot be deleted: ${refused}`);
      const using = users(node.stack, node.address);
      if (k?.deleteRefusedWhileUsed && using.length > 0) {
        const cbd = !removed && createsBeforeDestroy(node);
        if (!cbd) {
          fails.push(
            `${node.address} in ${node.stack} is deleted${removed ? '' : ' before its replacement exists'} while ${using.map((u) => `${u.address} (${u.stack})`).join(', ')} still use${using.length === 1 ? 's' : ''} it: the cloud refuses (${k.deleteRefusedWhileUsed}) and the apply stops half-way`,
          );
        } else if (using.some((u) => u.stack !== node.stack)) {
          // Consumers in its own stack move to the new one in the same apply; those in other stacks only later.
          deposed = true;
        }
      }
      const { role } = stackRole(node.stack);
      if (!removed && (role === 'cutover' || (role !== undefined && role !== 'shared' && liveColors.includes(role)))) {
        downtime.push(`${node.address} in ${node.stack} is replaced while it serves live traffic`);
      }
      if (!removed && (node.type === 'aws_lb' || node.type === 'digitalocean_loadbalancer')) {
        downtime.push(`${node.address} is replaced: the live URL's load balancer gets a new address`);
      }
    }
    if (vpcMoves) {
      for (const c of closure.consumers.filter((c) => c.effect === 'update')) {
        const node = find(headNodes, c.stack, c.address);
        const placement = node ? (RESOURCE_KNOWLEDGE[node.type]?.vpcPlacement ?? []) : [];
        const args = c.via.replace(/^published [^ ]+ → /, '').split(', ');
        if (placement.some((p) => args.includes(p)))
          fails.push(
            `${c.address} (${node!.type}) in ${c.stack} cannot move to another VPC in place: the cloud refuses the new ${placement.filter((p) => args.includes(p)).join('/')}`,
          );
      }
    }
    for (const key of closure.unpublished) {
      const readers = [...closure.reads].filter(([, keys]) => keys.has(key)).map(([s]) => s);
      if (readers.length > 0)
        fails.push(
          `${readers.join(', ')} read${readers.length === 1 ? 's' : ''} ${key}, which ${stackName(env, 'shared')} no longer publishes: their plans fail`,
        );
    }
    const stacks = [...new Set(closure.consumers.map((c) => c.stack))]
      .filter((s) => s !== rootStack)
      .sort((a, b) => roleIndex(a) - roleIndex(b) || a.localeCompare(b));
    const steps =
      stacks.length > 0
        ? [
            deploy(rootStack),
            ...stacks.map(deploy),
            ...(deposed
              ? [
                  `${deploy(rootStack)} (again: deletes the old ones, kept until nothing uses them; the first deploy reports their delete as refused)`,
                ]
              : []),
          ]
        : [];
    const verdict: Verdict =
      fails.length > 0 ? 'fails' : downtime.length > 0 ? 'downtime' : stacks.length > 0 ? 'in-order' : 'safe';
    return {
      verdict,
      reasons: verdict === 'fails' ? fails : verdict === 'downtime' ? downtime : [],
      steps: verdict === 'fails' ? [] : steps,
    };
  }

  // Roots: every replaced or removed resource, and every published value whose parameter changes in place.
  const roots: Array<{ stack: string; address: string }> = [];
  for (const [stack, list] of changes) {
    for (const c of list) {
      const node = find(headNodes, stack, c.address) ?? find(baseNodes, stack, c.address);
      const published = node && stackRole(stack).role === 'shared' && publishedKey(node) !== undefined;
      if (c.action === 'replace' || c.action === 'remove' || (c.action === 'update' && published))
        roots.push({ stack, address: c.address });
    }
  }
  const closures = roots.map((r) => ({ root: r, closure: follow(r.stack, r.address) }));
  const inOther = (r: { stack: string; address: string }) =>
    closures.some(
      (o) =>
        (o.root.stack !== r.stack || o.root.address !== r.address) &&
        (o.closure.replaced.has(`${r.stack} ${r.address}`) ||
          o.closure.consumers.some((c) => c.stack === r.stack && c.address === r.address)),
    );

  const byResource = new Map<string, BlastRadius>();
  const risks: Risk[] = [];
  const readsChanged = new Map<string, Set<string>>();
  for (const { root, closure } of closures) {
    for (const [s, keys] of closure.reads)
      for (const k of keys) readsChanged.set(s, (readsChanged.get(s) ?? new Set()).add(k));
    if (inOther(root)) continue;
    const { verdict, reasons, steps } = judge(root.stack, closure);
    const radius: BlastRadius = { consumers: closure.consumers, verdict, reasons, steps };
    byResource.set(`${root.stack} ${root.address}`, radius);
    const change = changeOf(root.stack, root.address)!;
    const node = find(headNodes, root.stack, root.address) ?? find(baseNodes, root.stack, root.address)!;
    const what =
      change.action === 'remove'
        ? 'is removed'
        : change.action === 'replace'
          ? `is replaced (forced by ${change.replacedBecause.join(', ')})`
          : 'changes the value it publishes';
    const others = [...new Set(closure.consumers.map((c) => c.stack).filter((s) => s !== root.stack))];
    const reach = `${closure.consumers.length} consumer(s)${others.length > 0 ? `, in ${[root.stack, ...others].join(', ')}` : ''}`;
    const base = { stack: root.stack, address: root.address, path: node.path, consumers: closure.consumers };
    // A stateful resource replaced only because it follows the root (its own JSON may not change at all).
    for (const c of closure.consumers.filter(
      (c) => c.effect === 'replace' && changeOf(c.stack, c.address)?.action !== 'replace',
    )) {
      const type = c.address.split('.')[0];
      if (!RESOURCE_KNOWLEDGE[type]?.stateful) continue;
      risks.push({
        kind: 'stateful-replacement',
        stack: c.stack,
        address: c.address,
        path: c.path,
        message: `${type} is replaced because ${c.via} follows the replaced ${root.address} (${root.stack}): it is destroyed and recreated, losing its data or connections`,
      });
    }
    if (verdict === 'fails')
      risks.push({
        ...base,
        kind: 'will-fail-at-apply',
        message: `${root.address} ${what}; ${reach}. Will fail at apply: ${reasons.join('; ')}`,
      });
    else if (verdict === 'downtime')
      risks.push({
        ...base,
        kind: 'planned-downtime',
        message: `${root.address} ${what}; ${reach}. Not without downtime: ${reasons.join('; ')}`,
        steps,
      });
    else if (verdict === 'in-order')
      risks.push({
        ...base,
        kind: 'deploy-in-order',
        message: `${root.address} ${what}; ${reach}. Safe in this order: ${steps.join(' → ')}`,
        steps,
      });
  }
  risks.push(...publishedRuleChanges(changes, headNodes, live));
  return { byResource, risks, readsChanged: new Map([...readsChanged].map(([s, k]) => [s, [...k].sort()])) };
}

/**
 * Port changes of the rules of a security group `<env>-shared` publishes to the fleets: they apply with
 * `<env>-shared`, while a live fleet still serves on the old port until its own stack is deployed.
 */
function publishedRuleChanges(
  changes: ReadonlyMap<string, readonly ResourceChange[]>,
  headNodes: ReadonlyMap<string, Node[]>,
  live: Readonly<Record<string, readonly string[]>>,
): Risk[] {
  const risks: Risk[] = [];
  for (const [stack, list] of changes) {
    const { env, role } = stackRole(stack);
    if (role !== 'shared') continue;
    const nodes = headNodes.get(stack) ?? [];
    const published = nodes.filter((n) => publishedKey(n) !== undefined);
    for (const c of list.filter(
      (c) => c.action === 'update' && /^aws_vpc_security_group_(ingress|egress)_rule$/.test(c.type),
    )) {
      const ports = c.attributes.filter((a) => ['from_port', 'to_port'].includes(topArgument(a.path)));
      const node = nodes.find((n) => n.address === c.address);
      if (ports.length === 0 || !node) continue;
      const groups = ['security_group_id', 'referenced_security_group_id']
        .map((a) => node.config[a])
        .filter((v): v is string => typeof v === 'string');
      const keys = published
        .filter((p) => groups.some((g) => g === (p.config.insecure_value ?? p.config.value)))
        .map((p) => publishedKey(p)!);
      const readers = (Object.entries(AWS_SHARED_READS) as Array<[StackRole, readonly AwsSharedValueKey[]]>)
        .filter(([, k]) => keys.some((key) => k.includes(key)))
        .map(([r]) => r);
      const liveReaders = readers.filter((r) => (live[env] ?? []).includes(r));
      if (liveReaders.length === 0) continue;
      const change = ports.map((a) => `${a.path} ${String(a.before)} → ${String(a.after)}`).join(', ');
      risks.push({
        kind: 'planned-downtime',
        stack,
        address: c.address,
        path: c.path,
        message: `the fleets' security group rule changes port (${change}) when ${stack} is deployed, while the live fleet (${liveReaders.map((r) => stackName(env, r)).join(', ')}) still serves on the old port until its own stack is deployed: the load balancer cannot reach it in between`,
      });
    }
  }
  return risks;
}
