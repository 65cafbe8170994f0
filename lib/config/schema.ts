/**
 * The environment values schema: one object per environment, validated and typed.
 *
 * Each section lives in `sections/<name>.ts` with its own cross-field checks; this file composes them and
 * runs the checks that span sections (cloud-specific keys). Adding a section is one line in `environmentSchema`
 * and, if it has cross-field rules, one line in `CHECKS`.
 */
import { z } from 'zod';
import { appSchema, checkApp, checkAwsNames } from './sections/app';
import { archiveSchema, checkArchive } from './sections/archive';
import { backendSchema } from './sections/backend';
import { isProductionValues, report, slug, tags } from './sections/common';
import { checkCutoverSafety } from './sections/cutover-safety';
import { checkDigitalOcean, digitaloceanSchema } from './sections/digitalocean';
import { fleetSchema } from './sections/fleet';
import { checkLoadBalancer, loadBalancerSchema } from './sections/load-balancer';
import { userDataBytesFromValues, USER_DATA_LIMIT_BYTES } from '../agents/user-data';
import { checkAlarmSubscriptions, checkLogging, checkLogStoreType, checkLogStoreZones, checkUserDataBudget, loggingSchema } from './sections/logging';
import { checkNetwork, networkSchema } from './sections/network';
import { COLORS, colorSchema } from './sections/release';
import { checkReleaseRollout, releaseRolloutSchema } from './sections/release-rollout';
import { trafficSchema } from './sections/traffic';
import { checkVpn, vpnSchema } from './sections/vpn';

/** The clouds an environment can run on. */
export const CLOUDS = ['aws', 'digitalocean'] as const;
/** A supported cloud. */
export type Cloud = (typeof CLOUDS)[number];

const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const DO_REGION = /^[a-z]{3}\d$/;

/** The schema of one environment's values (after the defaults overlay). */
export const environmentSchema = z
  .object({
    /** Environment name; must match the file name (`environments/<name>.yaml`). */
    name: slug(16),
    /** Which cloud the environment runs on. */
    cloud: z.enum(CLOUDS),
    /** Cloud region: `eu-west-1` (AWS) or `fra1` (DigitalOcean). */
    region: z.string(),
    /** AWS accounts the provider may act on (guards against deploying with the wrong credentials). */
    allowedAccountIds: z.array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')).optional(),
    /** Terraform state backend. */
    backend: backendSchema.default({ type: 'local' }),
    /** Address space. */
    network: networkSchema,
    /** The application the fleets run. */
    app: appSchema,
    /** The two fleets. */
    colors: z.object({ blue: colorSchema, green: colorSchema }).strict(),
    /** Share of live traffic per color. */
    traffic: trafficSchema,
    /** How `npm run release` shifts traffic: steps, pauses, bake, gates. */
    release: releaseRolloutSchema.default({}),
    /** Archive buckets and release registry: object lock, retention, lifecycle. */
    archive: archiveSchema.default({}),
    /** DigitalOcean-only values: admin CIDRs, SSH keys, certificate, Spaces, OpenSearch (required there). */
    digitalocean: digitaloceanSchema.optional(),
    /** Central logging: forwarded files, log store, retention. */
    logging: loggingSchema.default({}),
    /** Load balancer (AWS): certificate, test listener, protection. */
    loadBalancer: loadBalancerSchema.default({}),
    /** How each color's servers are run and replaced. */
    fleet: fleetSchema.default({}),
    /** Site-to-site IPsec VPN from the office/dev network into the VPC (AWS). */
    vpn: vpnSchema.optional(),
    /** Tags added to every resource (on top of environment, stack, color, managed-by). */
    tags: tags.default({}),
  })
  .strict();

/** Raw values as parsed (before cross-field checks). */
export type ParsedValues = z.infer<typeof environmentSchema>;

/** Checks that span sections, run after every section parsed. */
const CHECKS: Array<(v: ParsedValues, ctx: z.RefinementCtx) => void> = [
  (v, ctx) => {
    if (v.cloud === 'aws' && !AWS_REGION.test(v.region)) report(ctx, ['region'], `"${v.region}" is not an AWS region (e.g. eu-west-1)`);
    if (v.cloud === 'digitalocean' && !DO_REGION.test(v.region)) report(ctx, ['region'], `"${v.region}" is not a DigitalOcean region (e.g. fra1)`);
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
        report(ctx, path, `"${image}" is not a snapshot id; distribution slugs change in place, so bake a snapshot and use its numeric id`);
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

/** Deeply read-only view of a type. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** One environment's validated, defaulted and frozen values: the only thing stacks read. */
export type EnvironmentConfig = DeepReadonly<ParsedValues>;
