/**
 * Safety checks of a cutover, run at synth before any stack exists: traffic only goes to a color that can serve
 * it, and the test listener never points at the live color. Each error names the environment, the color and
 * the reason.
 *
 * (A change to the live color's release cannot be seen here, since synth does not know the previous release;
 * the pull-request diff catches it.)
 */
import { z } from 'zod';
import { report } from './common';
import { COLORS, Color } from './release';
import { TEST_LISTENER_STRATEGIES, TrafficValues, otherColor } from './traffic';
import { stackName } from '../../../stacks/contract';

/** The parts of an environment's values the cutover checks read. */
export interface CutoverValues {
  /** Environment name. */
  readonly name: string;
  /** The two fleets. */
  readonly colors: Readonly<Record<Color, { readonly capacity: { readonly desired: number } }>>;
  /** Weights and strategy. */
  readonly traffic: Readonly<TrafficValues>;
  /** Test listener settings. */
  readonly loadBalancer: { readonly testListener: { readonly color?: Color } };
}

/** Where the test listener forwards: a color, nothing (the strategy has no test listener), or why it cannot. */
export interface TestListenerTarget {
  /** The color served, when there is a test listener and it is safe. */
  readonly color?: Color;
  /** Why the test listener cannot be built (it would serve a live color). */
  readonly problem?: string;
}

/**
 * The color the test listener serves: the pinned `loadBalancer.testListener.color`, else the color with less
 * traffic. `undefined` color for strategies without a test listener (hard-cutover, rolling); a `problem` when
 * the chosen color is live.
 */
export function testListenerTarget(values: CutoverValues): TestListenerTarget {
  const { traffic } = values;
  if (!TEST_LISTENER_STRATEGIES.includes(traffic.strategy)) return {};
  const pinned = values.loadBalancer.testListener.color;
  if (!pinned && traffic.blue === traffic.green) {
    return { problem: `both colors carry ${traffic.blue}% of traffic, so the test listener would point at a live color; change the split or pin loadBalancer.testListener.color` };
  }
  const color = pinned ?? (traffic.blue < traffic.green ? 'blue' : 'green');
  if (traffic[color] > 0 && traffic[color] >= traffic[otherColor(color)]) {
    return { problem: `the test listener would point at ${color}, the live color (${traffic[color]}% of traffic); pin it to the idle color or drop loadBalancer.testListener.color to follow the idle color` };
  }
  return { color };
}

/** Reports every unsafe cutover: traffic to an empty fleet, a test listener on the live color. */
export function checkCutoverSafety(values: CutoverValues, ctx: z.RefinementCtx): void {
  const env = `environment ${values.name}`;
  for (const color of COLORS) {
    const weight = values.traffic[color];
    if (weight > 0 && values.colors[color].capacity.desired === 0) {
      report(ctx, ['traffic', color], `${env}: ${color} would get ${weight}% of traffic but colors.${color}.capacity.desired is 0; scale ${color} up and deploy ${stackName(values.name, color)} first`);
    }
  }
  if (values.traffic.blue + values.traffic.green !== 100) return; // the split itself is reported by checkTraffic
  const pinned = values.loadBalancer.testListener.color;
  if (pinned && !TEST_LISTENER_STRATEGIES.includes(values.traffic.strategy)) {
    report(ctx, ['loadBalancer', 'testListener', 'color'], `${env}: strategy ${values.traffic.strategy} has no test listener; remove the pin or use strategy blue-green or canary`);
    return;
  }
  const target = testListenerTarget(values);
  if (target.problem) {
    report(ctx, pinned ? ['loadBalancer', 'testListener', 'color'] : ['traffic'], `${env}: ${target.problem}`);
  }
}
