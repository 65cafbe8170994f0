/**
 * The `network` section: the environment's private address space and, on AWS, its subnets per AZ.
 */
import { z } from 'zod';
import { cidrContains, cidrsOverlap, parseCidr } from '../cidr';
import { cidr, report } from './common';

/** An availability zone name: the region and a letter (`eu-west-1a`, `us-gov-west-1b`); zone ids (`euw1-az1`) are not names. */
export const AVAILABILITY_ZONE_NAME = /^[a-z]{2}(?:-gov)?-[a-z]+-\d[a-z]$/;

/** Network values. Subnet lists are AWS-only; DigitalOcean VPCs have a single range. */
export const networkSchema = z
  .object({
    /** The VPC range, e.g. `10.20.0.0/16`. */
    vpcCidr: cidr,
    /** How many availability zones the subnets span (AWS). */
    azCount: z.number().int('must be a whole number').min(1).max(6).default(2),
    /**
     * The availability zones by name, in subnet order (AWS, required there): public and private subnet `i` live in
     * zone `i`. Names, not a lookup, so a change in the region's zone list never moves a subnet.
     */
    availabilityZones: z
      .array(
        z
          .string()
          .regex(
            AVAILABILITY_ZONE_NAME,
            'must be an availability zone name such as eu-west-1a (not a zone id such as euw1-az1)',
          ),
      )
      .optional(),
    /** One public subnet per AZ (load balancer, NAT gateways). */
    publicSubnets: z.array(cidr).optional(),
    /** One private subnet per AZ (the fleets, the log store). */
    privateSubnets: z.array(cidr).optional(),
    /** NAT gateways: one per AZ (resilient, the default) or a single shared one (cheaper). */
    natGateways: z.enum(['one-per-az', 'single']).default('one-per-az'),
    /** Days to keep VPC flow logs. */
    flowLogRetentionDays: z.number().int().min(1).max(3653).default(90),
  })
  .strict();

/** Network values after defaults. */
export type NetworkValues = z.infer<typeof networkSchema>;

/** Cross-field checks: zones named in the region, one per subnet, subnet counts, containment in the VPC, no overlaps. */
export function checkNetwork(cloud: string, network: NetworkValues, ctx: z.RefinementCtx, region = ''): void {
  const lists = [
    ['publicSubnets', network.publicSubnets],
    ['privateSubnets', network.privateSubnets],
  ] as const;
  if (cloud !== 'aws') {
    for (const [key, list] of lists) {
      if (list)
        report(ctx, ['network', key], `subnets are AWS-only; a ${cloud} VPC has a single range (network.vpcCidr)`);
    }
    if (network.availabilityZones)
      report(
        ctx,
        ['network', 'availabilityZones'],
        `availability zones are AWS-only; a ${cloud} VPC lives in its region`,
      );
    return;
  }
  checkZones(network, region, ctx);
  // Malformed blocks were already reported by the field schema; range checks need well-formed ones.
  const valid = (c: string) => typeof parseCidr(c) !== 'string';
  if (![network.vpcCidr, ...(network.publicSubnets ?? []), ...(network.privateSubnets ?? [])].every(valid)) return;
  const seen: Array<{ path: Array<string | number>; cidr: string }> = [];
  for (const [key, list] of lists) {
    if (!list) {
      report(ctx, ['network', key], `required on AWS: one CIDR per availability zone (azCount is ${network.azCount})`);
      continue;
    }
    if (list.length !== network.azCount) {
      report(
        ctx,
        ['network', key],
        `needs exactly one CIDR per availability zone: azCount is ${network.azCount}, got ${list.length}`,
      );
    }
    list.forEach((subnet, i) => {
      const path = ['network', key, i];
      if (!cidrContains(network.vpcCidr, subnet))
        report(ctx, path, `${subnet} lies outside the VPC range ${network.vpcCidr}`);
      const clash = seen.find((s) => cidrsOverlap(s.cidr, subnet));
      if (clash)
        report(
          ctx,
          path,
          `${subnet} overlaps ${clash.cidr} (network.${clash.path
            .slice(1)
            .join('.')
            .replace(/\.(\d+)/g, '[$1]')})`,
        );
      seen.push({ path, cidr: subnet });
    });
  }
}

function checkZones(network: NetworkValues, region: string, ctx: z.RefinementCtx): void {
  const zones = network.availabilityZones;
  const path = ['network', 'availabilityZones'];
  if (!zones) {
    report(
      ctx,
      path,
      `required on AWS: the zones the subnets live in, by name, one per subnet (azCount is ${network.azCount}), e.g. [${region || 'eu-west-1'}a, ${region || 'eu-west-1'}b]`,
    );
    return;
  }
  zones.forEach((zone, i) => {
    if (region && AVAILABILITY_ZONE_NAME.test(zone) && zone.slice(0, -1) !== region)
      report(ctx, [...path, i], `${zone} is not a zone of the region ${region}`);
    if (zones.indexOf(zone) !== i)
      report(ctx, [...path, i], `${zone} is listed twice; each subnet of a tier needs its own zone`);
  });
  if (zones.length !== network.azCount) {
    report(
      ctx,
      path,
      `names ${zones.length} zone(s) but azCount is ${network.azCount}; name exactly one zone per subnet (fewer zones than subnets would put two subnets in one zone)`,
    );
  }
}
