/**
 * The `network` section: the environment's private address space and, on AWS, its subnets per AZ.
 */
import { z } from 'zod';
import { cidrContains, cidrsOverlap, parseCidr } from '../cidr';
import { cidr, report } from './common';

/** Network values. Subnet lists are AWS-only; DigitalOcean VPCs have a single range. */
export const networkSchema = z
  .object({
    /** The VPC range, e.g. `10.20.0.0/16`. */
    vpcCidr: cidr,
    /** How many availability zones the subnets span (AWS). */
    azCount: z.number().int('must be a whole number').min(1).max(6).default(2),
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

/** Cross-field checks: subnet counts, containment in the VPC, no overlaps. */
export function checkNetwork(cloud: string, network: NetworkValues, ctx: z.RefinementCtx): void {
  const lists = [
    ['publicSubnets', network.publicSubnets],
    ['privateSubnets', network.privateSubnets],
  ] as const;
  if (cloud !== 'aws') {
    for (const [key, list] of lists) {
      if (list) report(ctx, ['network', key], `subnets are AWS-only; a ${cloud} VPC has a single range (network.vpcCidr)`);
    }
    return;
  }
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
      report(ctx, ['network', key], `needs exactly one CIDR per availability zone: azCount is ${network.azCount}, got ${list.length}`);
    }
    list.forEach((subnet, i) => {
      const path = ['network', key, i];
      if (!cidrContains(network.vpcCidr, subnet)) report(ctx, path, `${subnet} lies outside the VPC range ${network.vpcCidr}`);
      const clash = seen.find((s) => cidrsOverlap(s.cidr, subnet));
      if (clash) report(ctx, path, `${subnet} overlaps ${clash.cidr} (network.${clash.path.slice(1).join('.').replace(/\.(\d+)/g, '[$1]')})`);
      seen.push({ path, cidr: subnet });
    });
  }
}
