/**
 * The traffic rules of an environment, run at synth before any stack exists: the weights add up, only `canary`
 * splits them (and only on AWS), traffic only goes to a color that can serve it, and the test listener never
 * points at the color serving most users. Each refusal names the environment, the color and the reason, and ends
 * with the literal edits that fix it (`fix: set traffic.strategy: canary, or ...`); every edit it suggests is one
 * these same rules accept (each suggestion is checked against them before it is offered).
 *
 * (A change to the live color's release cannot be seen here, since synth does not know the previous release;
 * the pull-request diff catches it.)
 */
import { z } from 'zod';
import { applyFix, formatFixes, report, ValuesFix } from './common';
import { COLORS, Color } from './release';
import { TEST_LISTENER_STRATEGIES, TrafficValues, otherColor } from './traffic';
import { stackName } from '../../../stacks/contract';

/** The parts of an environment's values the cutover checks read. */
export interface CutoverValues {
  /** Environment name. */
  readonly name: string;
  /**
   * The cloud: DigitalOcean load balancers cannot split traffic, so no split is allowed there.
   * @default - AWS rules
   */
  readonly cloud?: string;
  /** The two fleets. */
  readonly colors: Readonly<
    Record<Color, { readonly capacity: { readonly desired: number; readonly min?: number; readonly max?: number } }>
  >;
  /** Weights and strategy. */
  readonly traffic: Readonly<TrafficValues>;
  /** Test listener settings. */
  readonly loadBalancer: { readonly testListener: { readonly color?: Color } };
}

/** Where the test listener forwards: a color, nothing (the strategy has no test listener), or why it cannot. */
export interface TestListenerTarget {
  /** The color served, when there is a test listener and it is safe. */
  readonly color?: Color;
  /** Why the test listener cannot be built (it would serve the live color, or it cannot tell which color is new). */
  readonly problem?: string;
}

/**
 * True when `color` carries more traffic than the other color: the live one, which the test listener must never
 * serve. At an even canary split (50/50) neither color is: the test listener may serve the one pinned.
 */
export function carriesMostTraffic(weights: Readonly<Record<Color, number>>, color: Color): boolean {
  return weights[color] > weights[otherColor(color)];
}

/**
 * The color the test listener serves: the pinned `loadBalancer.testListener.color`, else the color with less
 * traffic. `undefined` color for strategies without a test listener (hard-cutover, rolling); a `problem` when
 * the chosen color carries most of the traffic, or at an even split with no pin (no color is the new one).
 */
export function testListenerTarget(values: CutoverValues): TestListenerTarget {
  const { traffic } = values;
  if (!TEST_LISTENER_STRATEGIES.includes(traffic.strategy)) return {};
  const pinned = values.loadBalancer.testListener.color;
  if (!pinned && traffic.blue === traffic.green) {
    return {
      problem: `both colors carry ${traffic.blue}% of traffic, so neither is the new one for the test listener to serve; pin loadBalancer.testListener.color to the color being brought in`,
    };
  }
  const color = pinned ?? (traffic.blue < traffic.green ? 'blue' : 'green');
  if (carriesMostTraffic(traffic, color)) {
    return { problem: `the test listener would point at ${color}, the live color (${traffic[color]}% of traffic)` };
  }
  return { color };
}

/** One refusal of the traffic rules: where, why, and the edits that would fix it. */
export interface TrafficRefusal {
  /** Key path the problem is reported at. */
  readonly path: Array<string | number>;
  /** Why, without the fix. */
  readonly reason: string;
  /** Literal edits that fix it, best first; each one accepted by these rules. */
  readonly fixes: readonly ValuesFix[];
}

/** How many alternatives a message offers at most. */
const MAX_FIXES = 3;

/** The weights 0/100 or 100/0, as fixes. */
const ALL_OR_NOTHING: readonly ValuesFix[] = [
  [
    ['traffic.blue', 0],
    ['traffic.green', 100],
  ],
  [
    ['traffic.blue', 100],
    ['traffic.green', 0],
  ],
];

/** Every traffic rule, with candidate fixes (unchecked). */
function rawRefusals(v: CutoverValues): TrafficRefusal[] {
  const out: TrafficRefusal[] = [];
  const refuse = (path: Array<string | number>, reason: string, fixes: readonly ValuesFix[]) =>
    out.push({ path, reason, fixes });
  const { traffic } = v;
  const env = `environment ${v.name}`;
  const aws = v.cloud === undefined || v.cloud === 'aws';
  const split = COLORS.some((c) => traffic[c] !== 0 && traffic[c] !== 100);
  const pinned = v.loadBalancer.testListener.color;
  const sum = traffic.blue + traffic.green;

  if (v.cloud === 'digitalocean') {
    const toWholeTraffic = ALL_OR_NOTHING.map((fix) => [['traffic.strategy', 'blue-green'], ...fix] as ValuesFix);
    if (traffic.strategy === 'canary') {
      refuse(
        ['traffic', 'strategy'],
        'canary needs a weighted split, which DigitalOcean load balancers cannot do (they serve the droplets of one tag)',
        [[['traffic.strategy', 'blue-green']], [['traffic.strategy', 'hard-cutover']], ...toWholeTraffic],
      );
    }
    if (traffic.strategy === 'rolling') {
      refuse(
        ['traffic', 'strategy'],
        'rolling replaces the live color in place, but droplets have no instance refresh, so the live color would go down',
        [[['traffic.strategy', 'blue-green']], [['traffic.strategy', 'hard-cutover']]],
      );
    }
    if (sum === 100 && split) {
      refuse(
        ['traffic'],
        `weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight (they send all of it to the droplets of one tag), so strategy canary is not available there either (got blue ${traffic.blue}, green ${traffic.green})`,
        [...ALL_OR_NOTHING, ...toWholeTraffic],
      );
    }
  }

  if (sum === 0) {
    refuse(['traffic'], 'both colors have weight 0, so nothing would serve users', [
      [['traffic.green', 100]],
      [['traffic.blue', 100]],
    ]);
  } else if (sum !== 100) {
    refuse(['traffic', 'green'], `weights must sum to 100 (got ${sum})`, [
      [['traffic.green', 100 - traffic.blue]],
      [['traffic.blue', 100 - traffic.green]],
      ...ALL_OR_NOTHING,
    ]);
  } else if (aws && split && traffic.strategy !== 'canary') {
    const canary: ValuesFix[] = [[['traffic.strategy', 'canary']]];
    // at an even split the canary needs a pin (which color is new); a pin on the color with most traffic must go
    if (traffic.blue === traffic.green)
      canary.push(
        ...COLORS.map(
          (c) =>
            [
              ['traffic.strategy', 'canary'],
              ['loadBalancer.testListener.color', c],
            ] as ValuesFix,
        ),
      );
    if (pinned)
      canary.push([
        ['traffic.strategy', 'canary'],
        ['loadBalancer.testListener.color', undefined],
      ]);
    for (const color of COLORS) {
      const w = traffic[color];
      if (w !== 0 && w !== 100) {
        refuse(
          ['traffic', color],
          `${color} at ${w}% splits traffic, which only strategy canary allows (strategy is ${traffic.strategy})`,
          [...canary, ...ALL_OR_NOTHING],
        );
      }
    }
  }

  for (const color of COLORS) {
    const weight = traffic[color];
    const capacity = v.colors[color].capacity;
    if (weight > 0 && capacity.desired === 0) {
      const desired = Math.max(1, capacity.min ?? 1);
      const scaleUp: ValuesFix = [[`colors.${color}.capacity.desired`, desired]];
      const fixes: ValuesFix[] = [
        capacity.max !== undefined && capacity.max < desired
          ? [...scaleUp, [`colors.${color}.capacity.max`, desired]]
          : scaleUp,
      ];
      fixes.push([
        [`traffic.${color}`, 0],
        [`traffic.${otherColor(color)}`, 100],
      ]);
      refuse(
        ['traffic', color],
        `${env}: ${color} would get ${weight}% of traffic but colors.${color}.capacity.desired is 0; scale ${color} up and deploy ${stackName(v.name, color)} first`,
        fixes,
      );
    }
  }
  if (sum !== 100 || (split && (!aws || traffic.strategy !== 'canary'))) return out; // the split itself is refused above

  if (pinned && !TEST_LISTENER_STRATEGIES.includes(traffic.strategy)) {
    refuse(
      ['loadBalancer', 'testListener', 'color'],
      `${env}: strategy ${traffic.strategy} has no test listener to pin`,
      [
        [['loadBalancer.testListener.color', undefined]],
        ...TEST_LISTENER_STRATEGIES.map((s) => [['traffic.strategy', s]] as ValuesFix),
      ],
    );
    return out;
  }
  const target = testListenerTarget(v);
  if (target.problem) {
    const fixes: ValuesFix[] = COLORS.filter((c) => c !== pinned).map(
      (c) => [['loadBalancer.testListener.color', c]] as ValuesFix,
    );
    if (pinned) fixes.push([['loadBalancer.testListener.color', undefined]]);
    refuse(pinned ? ['loadBalancer', 'testListener', 'color'] : ['traffic'], `${env}: ${target.problem}`, fixes);
  }
  return out;
}

/**
 * Every refusal of the traffic rules, each with the fixes (at most three) that these rules accept. A candidate fix
 * that would leave any refusal standing is not offered; a refusal none of whose candidates would clear everything
 * (two unrelated problems at once) offers those that at least clear it.
 */
export function trafficRefusals(v: CutoverValues): TrafficRefusal[] {
  const key = (r: TrafficRefusal) => `${r.path.join('.')}\0${r.reason}`;
  return rawRefusals(v).map((refusal) => {
    const outcomes = refusal.fixes.map((fix) => ({ fix, left: rawRefusals(applyFix(v, fix)) }));
    const clean = outcomes.filter((o) => o.left.length === 0);
    const partial = outcomes.filter((o) => !o.left.some((r) => key(r) === key(refusal)));
    // two spellings of the same result (blue: 0, or blue: 0 and green: 100) are offered once, the first one
    const seen = new Set<string>();
    const distinct = (clean.length > 0 ? clean : partial).filter((o) => {
      const result = JSON.stringify(applyFix(v, o.fix));
      return !seen.has(result) && seen.add(result);
    });
    return { ...refusal, fixes: distinct.slice(0, MAX_FIXES).map((o) => o.fix) };
  });
}

/** Reports every traffic refusal ({@link trafficRefusals}) with its fixes. */
export function checkCutoverSafety(values: CutoverValues, ctx: z.RefinementCtx): void {
  for (const refusal of trafficRefusals(values)) {
    report(
      ctx,
      refusal.path,
      refusal.fixes.length > 0 ? `${refusal.reason}; ${formatFixes(refusal.fixes)}` : refusal.reason,
    );
  }
}
