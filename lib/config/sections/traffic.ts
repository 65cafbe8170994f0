/**
 * The `traffic` section: the share of live traffic each color receives, in whole percent.
 */
import { z } from 'zod';
import { report } from './common';

const weight = z.number().int('weights must be whole numbers').min(0, 'weights range from 0 to 100').max(100, 'weights range from 0 to 100');

/** Traffic weights. */
export const trafficSchema = z.object({ blue: weight, green: weight }).strict();

/** Traffic values after parsing. */
export type TrafficValues = z.infer<typeof trafficSchema>;

/** The weights must add up to 100. */
export function checkTraffic(traffic: TrafficValues, ctx: z.RefinementCtx): void {
  if (!Number.isInteger(traffic.blue) || !Number.isInteger(traffic.green)) return; // already reported per weight
  const sum = traffic.blue + traffic.green;
  if (sum !== 100) report(ctx, ['traffic', 'green'], `weights must sum to 100 (got ${sum})`);
}
