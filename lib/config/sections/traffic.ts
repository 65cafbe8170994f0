/**
 * The `traffic` section: the share of live traffic each color receives, in whole percent, and the release
 * strategy that says which splits are allowed.
 *
 * ```yaml
 * traffic:
 *   blue: 0
 *   green: 100
 *   strategy: blue-green     # blue-green (default) | canary | hard-cutover | rolling
 *   stickinessSeconds: 0     # 0 = off; else clients stick to one color for this long
 * ```
 *
 * Only `<env>-cutover` reads this section, so changing it redeploys nothing but the listeners.
 */
import { z } from 'zod';
import { Color } from './release';

const weight = z
  .number()
  .int('weights must be whole numbers')
  .min(0, 'weights range from 0 to 100')
  .max(100, 'weights range from 0 to 100');

/**
 * How a release reaches users:
 * - `blue-green`: deploy the idle color, smoke-test it on the test listener, then move 100% to it;
 * - `canary`: like blue-green, but traffic may be split (e.g. 90/10) while the new release proves itself;
 * - `hard-cutover`: straight from one color to the other, no test listener;
 * - `rolling`: the live color's instances are replaced in place by instance refresh; no test listener.
 */
export const STRATEGIES = ['blue-green', 'canary', 'hard-cutover', 'rolling'] as const;
/** A release strategy. */
export type Strategy = (typeof STRATEGIES)[number];

/** Strategies that serve the idle color on the test listener. */
export const TEST_LISTENER_STRATEGIES: readonly Strategy[] = ['blue-green', 'canary'];

/** Traffic weights and strategy. */
export const trafficSchema = z
  .object({
    /** Percent of live traffic to the blue fleet. */
    blue: weight,
    /** Percent of live traffic to the green fleet. */
    green: weight,
    /** Release strategy; only `canary` allows weights other than 0 and 100. */
    strategy: z.enum(STRATEGIES).default('blue-green'),
    /** Seconds a client sticks to the color it first reached (load balancer cookie); 0 turns stickiness off. */
    stickinessSeconds: z
      .number()
      .int('must be a whole number')
      .min(0)
      .max(604800, 'at most 604800 (7 days)')
      .default(0),
  })
  .strict();

/** Traffic values after parsing. */
export type TrafficValues = z.infer<typeof trafficSchema>;

/** The weights of both colors. */
export type Weights = Readonly<Record<Color, number>>;

/** The color that carries most of the traffic, or `undefined` at an even split. */
export function liveColor(weights: Weights): Color | undefined {
  if (weights.blue === weights.green) return undefined;
  return weights.blue > weights.green ? 'blue' : 'green';
}

/** The other color. */
export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}
