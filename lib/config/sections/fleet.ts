/**
 * The `fleet` section: how each color's servers are run and replaced (both colors share it).
 *
 * ```yaml
 * fleet:
 *   healthCheckGracePeriodSeconds: 300   # boot time before failed health checks replace an instance
 *   minHealthyPercentage: 90             # share kept in service while instance refresh rolls a release
 *   rootVolumeGiB: 20
 * ```
 */
import { z } from 'zod';

/** The `fleet` section: how each color's servers are run and replaced (health-check grace, rolling refresh, root volume). */
export const fleetSchema = z
  .object({
    /** Seconds after launch before failed load balancer health checks replace an instance. */
    healthCheckGracePeriodSeconds: z.number().int('must be a whole number').min(0).max(7200).default(300),
    /** Percent of the fleet kept in service while instance refresh replaces instances (strategy rolling). */
    minHealthyPercentage: z.number().int('must be a whole number').min(0).max(100).default(90),
    /** Size of each instance's encrypted root volume, in GiB. */
    rootVolumeGiB: z.number().int('must be a whole number').min(8).max(16384).default(20),
  })
  .strict();

/** Fleet values after defaults. */
export type FleetValues = z.infer<typeof fleetSchema>;
