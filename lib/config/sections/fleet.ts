/**
 * The `fleet` section: how each color's servers are run and replaced (both colors share it).
 *
 * ```yaml
 * fleet:
 *   healthCheckGracePeriodSeconds: 300   # boot time before failed health checks replace an instance
 *   minHealthyPercentage: 90             # share kept in service while instance refresh rolls a release
 *   rootVolumeSizeGiB: 20
 *   rootDeviceName: /dev/sda1            # Ubuntu AMIs; /dev/xvda (the default) for Amazon Linux 2023 and Debian 12
 * ```
 */
import { z } from 'zod';

/**
 * Device names an AMI registers its root volume on: `/dev/xvda` (Amazon Linux 2023, Debian 12) and `/dev/sda1`
 * (Ubuntu 22.04 and 24.04). A launch template must map exactly this name, or the instance gets an extra blank
 * volume while its real root keeps the image's size and encryption.
 */
export const ROOT_DEVICE_NAMES = ['/dev/xvda', '/dev/sda1'] as const;

/** The `fleet` section: how each color's servers are run and replaced (health-check grace, rolling refresh, root volume). */
export const fleetSchema = z
  .object({
    /** Seconds after launch before failed load balancer health checks replace an instance. */
    healthCheckGracePeriodSeconds: z.number().int('must be a whole number').min(0).max(7200).default(300),
    /** Percent of the fleet kept in service while instance refresh replaces instances (strategy rolling). */
    minHealthyPercentage: z.number().int('must be a whole number').min(0).max(100).default(90),
    /** Size of each instance's encrypted gp3 root volume, in GiB. */
    rootVolumeSizeGiB: z.number().int('must be a whole number').min(8).max(16384).default(20),
    /**
     * The AMI's root device name (`aws ec2 describe-images --image-ids <ami> --query 'Images[0].RootDeviceName'`).
     * A plan checks it against the image and stops with a clear message when they differ.
     */
    rootDeviceName: z
      .enum(ROOT_DEVICE_NAMES, {
        errorMap: () => ({
          message: `must be one of ${ROOT_DEVICE_NAMES.join(', ')} (the AMI's root device name: /dev/sda1 for Ubuntu, /dev/xvda for Amazon Linux 2023 and Debian 12)`,
        }),
      })
      .default('/dev/xvda'),
  })
  .strict();

/** Fleet values after defaults. */
export type FleetValues = z.infer<typeof fleetSchema>;
