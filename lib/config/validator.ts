/**
 * The full environment validator: the section schemas (`schema.ts`) plus the checks that span sections
 * (cloud-specific keys, names, the forwarder's user data budget).
 */
import { z } from 'zod';
import { userDataBytesFromValues, USER_DATA_LIMIT_BYTES } from '../agents/user-data';
import { environmentSchema, ParsedValues } from './schema';
import { checkApp, checkAwsNames } from './sections/app';
import { checkArchive } from './sections/archive';
import { isProductionValues, report } from './sections/common';
import { checkCutoverSafety } from './sections/cutover-safety';
import { checkDigitalOcean } from './sections/digitalocean';
import { checkLoadBalancer } from './sections/load-balancer';
import {
  checkAlarmSubscriptions,
  checkLogging,
  checkLogStoreType,
  checkLogStoreZones,
  checkUserDataBudget,
} from './sections/logging';
import { checkNetwork } from './sections/network';
import { checkReleaseRollout } from './sections/release-rollout';
import { COLORS } from './sections/release';
import { checkVpn } from './sections/vpn';

const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const DO_REGION = /^[a-z]{3}\d$/;

/** Checks that span sections, run after every section parsed. */
const CHECKS: Array<(v: ParsedValues, ctx: z.RefinementCtx) => void> = [
  (v, ctx) => {
    if (v.cloud === 'aws' && !AWS_REGION.test(v.region))
      report(ctx, ['region'], `"${v.region}" is not an AWS region (e.g. eu-west-1)`);
    if (v.cloud === 'digitalocean' && !DO_REGION.test(v.region))
      report(ctx, ['region'], `"${v.region}" is not a DigitalOcean region (e.g. fra1)`);
  },
  (v, ctx) => {
    if (v.cloud === 'aws' && !v.allowedAccountIds?.length) {
      report(ctx, ['allowedAccountIds'], 'required on AWS: the accounts this environment may be deployed to');
    }
    if (v.cloud !== 'aws' && v.allowedAccountIds) report(ctx, ['allowedAccountIds'], 'is AWS-only');
  },
  (v, ctx) => checkNetwork(v.cloud, v.network, ctx, v.region),
  (v, ctx) => checkApp(v.cloud, v.app, ctx),
  (v, ctx) => checkAwsNames(v.cloud, v.name, v.app.name, v.tags, ctx),
  (v, ctx) => checkReleaseRollout(v.cloud, v.traffic.strategy, v.release, ctx),
  (v, ctx) => checkLoadBalancer(v.cloud, v.loadBalancer, ctx),
  (v, ctx) => checkCutoverSafety(v, ctx),
  (v, ctx) => checkLogging(v.logging, ctx),
  (v, ctx) => checkLogStoreZones(v.cloud, v.network.azCount, v.logging, ctx),
  (v, ctx) => checkLogStoreType(v.cloud, v.logging, ctx),
  (v, ctx) => checkForwarderUserData(v, ctx),
  (v, ctx) => checkAlarmSubscriptions(v.cloud, isProductionValues(v), v.logging, ctx),
  (v, ctx) => checkDigitalOcean(v, ctx),
  (v, ctx) => checkArchive(v.archive, ctx),
  (v, ctx) => checkVpn(v.cloud, v.network.vpcCidr, v.vpn, ctx),
  (v, ctx) => {
    for (const color of COLORS) {
      const image = v.colors[color].release.image;
      const path = ['colors', color, 'release', 'image'];
      if (v.cloud === 'aws' && !/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(image)) {
        report(ctx, path, `"${image}" is not an AMI id (ami- and 8 or 17 hex digits)`);
      }
      if (v.cloud === 'digitalocean' && !/^\d+$/.test(image)) {
        report(
          ctx,
          path,
          `"${image}" is not a snapshot id; distribution slugs change in place, so bake a snapshot and use its numeric id`,
        );
      }
    }
  },
];

/** The forwarder's user data of each color fits the cloud's limit (skipped when other checks already refuse the values). */
function checkForwarderUserData(v: ParsedValues, ctx: z.RefinementCtx): void {
  if (v.cloud !== 'aws' && v.cloud !== 'digitalocean') return;
  let bytes: Array<readonly [string, number]>;
  try {
    bytes = COLORS.map((color) => [color, userDataBytesFromValues(v, color)] as const);
  } catch {
    return; // unusable log paths, names or versions: their own checks report them with file and key
  }
  checkUserDataBudget(v.logging, bytes, USER_DATA_LIMIT_BYTES[v.cloud], ctx);
}

/** The full validator: section schemas plus cross-field checks. */
export const environmentValidator = environmentSchema.superRefine((values, ctx) => {
  for (const check of CHECKS) check(values, ctx);
});
