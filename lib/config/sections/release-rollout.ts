/**
 * The `release` section: how `npm run release` moves traffic to a new release and when it rolls back by itself.
 *
 * ```yaml
 * release:
 *   steps: [10, 25, 100]        # percent of traffic on the new color after each step; default [100] (canary: [10, 25, 100])
 *   pauseSeconds: 120           # wait after each step before the gates are read
 *   bakeSeconds: 600            # after 100 %: gates still watched this long, old color kept running
 *   waitTimeoutSeconds: 1800    # how long the new fleet may take to become healthy
 *   gates:
 *     alarms: [shop-prod-checkout-latency]   # more CloudWatch alarm names that must be OK (AWS)
 *     insufficientData: ok      # ok | fail: how an alarm without data counts
 *     smokeLive: false          # also smoke the live URL at every gate
 * ```
 *
 * One definition per rule: the schema below, {@link checkReleaseRollout} (cross-section rules) and
 * {@link releaseSteps} (the default per strategy) are what the values check and the release command both use.
 */
import { z } from 'zod';
import { report } from './common';
import { Color } from './release';
import { Strategy } from './traffic';

/** How an alarm in `INSUFFICIENT_DATA` counts at a gate. */
export const INSUFFICIENT_DATA_RULES = ['ok', 'fail'] as const;

/**
 * The default steps per strategy: one switch, or a canary through 10 % and 25 %. (Not 50 %: at an even split the
 * test listener would serve a live color, which the cutover safety check refuses.)
 */
export const DEFAULT_RELEASE_STEPS: Readonly<Record<'single' | 'canary', readonly number[]>> = {
  single: [100],
  canary: [10, 25, 100],
};

const seconds = (max: number) =>
  z.number().int('must be a whole number of seconds').min(0, 'must be 0 or more').max(max, `at most ${max} seconds`);

/** The `release` section. */
export const releaseRolloutSchema = z
  .object({
    /**
     * Percent of live traffic on the new color after each step, rising, ending at 100.
     * @default - [100]; [10, 25, 100] under traffic.strategy canary
     */
    steps: z
      .array(
        z
          .number()
          .int('steps are whole percents')
          .min(1, 'steps range from 1 to 100')
          .max(100, 'steps range from 1 to 100'),
      )
      .min(1, 'give at least one step, e.g. [100]')
      .optional(),
    /** Seconds to wait after each step before reading the gates. */
    pauseSeconds: seconds(3600).default(60),
    /** Seconds to keep watching the gates after 100 %. */
    bakeSeconds: seconds(86400).default(300),
    /** Seconds the new fleet may take to become healthy after its deploy (refresh, launch template, target health). */
    waitTimeoutSeconds: seconds(7200).min(30, 'at least 30 seconds').default(1800),
    /** What must hold at every step and during the bake. */
    gates: z
      .object({
        /** More alarm names (CloudWatch, AWS) that must be OK, besides the new color's own alarms. */
        alarms: z.array(z.string().min(1).max(255, 'alarm names are at most 255 characters')).default([]),
        /** How an alarm in `INSUFFICIENT_DATA` counts. */
        insufficientData: z.enum(INSUFFICIENT_DATA_RULES).default('ok'),
        /** Also smoke the live URL (with the release version expected) at every gate. */
        smokeLive: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict();

/** The `release` values after parsing. */
export type ReleaseRolloutValues = z.infer<typeof releaseRolloutSchema>;

/** The values a release plan reads. */
export interface ReleasePlanValues {
  readonly cloud: string;
  readonly traffic: { readonly strategy: Strategy };
  readonly release: { readonly steps?: readonly number[] };
}

/** The steps a release takes: `release.steps`, else the strategy's default ({@link DEFAULT_RELEASE_STEPS}); always `[100]` on DigitalOcean. */
export function releaseSteps(values: ReleasePlanValues): readonly number[] {
  if (values.release.steps) return values.release.steps;
  return values.traffic.strategy === 'canary' && values.cloud === 'aws'
    ? DEFAULT_RELEASE_STEPS.canary
    : DEFAULT_RELEASE_STEPS.single;
}

/** Whether a color's release declares that the previous release cannot run on its data. */
export function isIrreversible(release: {
  readonly migration?: { readonly compatibleWithPrevious: boolean };
}): boolean {
  return release.migration?.compatibleWithPrevious === false;
}

/**
 * Cross-section rules: steps rise and end at 100; steps below 100 split traffic, which only strategy canary allows
 * (and DigitalOcean not at all: its load balancer follows one tag); alarm gates are CloudWatch alarms (AWS).
 */
export function checkReleaseRollout(
  cloud: string,
  strategy: Strategy,
  release: ReleaseRolloutValues,
  ctx: z.RefinementCtx,
): void {
  const steps = release.steps;
  if (steps) {
    steps.forEach((step, i) => {
      if (i > 0 && step <= steps[i - 1])
        report(ctx, ['release', 'steps', i], `steps must rise: ${step} follows ${steps[i - 1]}; e.g. [10, 25, 100]`);
      if (step === 50 && cloud === 'aws' && strategy === 'canary') {
        report(
          ctx,
          ['release', 'steps', i],
          'at 50 both colors carry half the traffic: the cutover checks allow that only with loadBalancer.testListener.color pinned to the new color, which a release does not set; use e.g. 40 or 60',
        );
      }
    });
    if (steps[steps.length - 1] !== 100)
      report(
        ctx,
        ['release', 'steps', steps.length - 1],
        `the last step must be 100 (got ${steps[steps.length - 1]}), so the release ends with all traffic on the new color`,
      );
    if (steps.length > 1 || steps[0] !== 100) {
      if (cloud === 'digitalocean') {
        report(
          ctx,
          ['release', 'steps'],
          'a load balancer on DigitalOcean sends traffic to one droplet tag, so a release moves 100% at once: use [100] (or drop release.steps)',
        );
      } else if (strategy !== 'canary') {
        report(
          ctx,
          ['release', 'steps'],
          `steps below 100 split traffic, which only strategy canary allows (strategy is ${strategy}); use [100] or set traffic.strategy: canary`,
        );
      }
    }
  }
  if (cloud !== 'aws' && release.gates.alarms.length > 0)
    report(
      ctx,
      ['release', 'gates', 'alarms'],
      'alarm gates are CloudWatch alarms (AWS only); remove them, or use gates.smokeLive',
    );
}

/** The color that receives a release: the one with 0 % of traffic, or `undefined` when traffic is split. */
export function idleColor(weights: Readonly<Record<Color, number>>): Color | undefined {
  if (weights.blue === 0 && weights.green === 100) return 'blue';
  if (weights.green === 0 && weights.blue === 100) return 'green';
  return undefined;
}

/**
 * Orders two semantic versions (`1.10.0` after `1.9.2`; a pre-release such as `2.0.0-rc.1` before `2.0.0`):
 * negative when `a` is older, positive when newer, 0 when equal (build metadata ignored).
 */
export function compareReleaseVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('+')[0].split(/-(.*)/s, 2);
    return { nums: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The colors and releases a cutover check reads. */
export interface MigrationCutoverValues {
  readonly colors: Readonly<
    Record<
      Color,
      {
        readonly release: {
          readonly version: string;
          readonly migration?: { readonly compatibleWithPrevious: boolean };
        };
      }
    >
  >;
}

/**
 * Why moving traffic from `before` to `after` would send users back to an older release that cannot run on the
 * data an irreversible release (`migration.compatibleWithPrevious: false`) already wrote; `undefined` when it would not.
 */
export function irreversibleRollbackProblem(
  values: MigrationCutoverValues,
  before: Readonly<Record<Color, number>>,
  after: Readonly<Record<Color, number>>,
): string | undefined {
  for (const from of ['blue', 'green'] as const) {
    const to: Color = from === 'blue' ? 'green' : 'blue';
    const newer = values.colors[from].release;
    const older = values.colors[to].release;
    if (
      before[from] > 0 &&
      after[to] > before[to] &&
      isIrreversible(newer) &&
      compareReleaseVersions(older.version, newer.version) < 0
    ) {
      return `${from} runs ${newer.version}, declared migration.compatibleWithPrevious: false, so ${to}'s older ${older.version} may not run on its data; moving traffic back to ${to} needs --force (after restoring the data, or with a release that can read it)`;
    }
  }
  return undefined;
}
