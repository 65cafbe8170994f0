/**
 * The environment values schema: the shape of one environment, and its types.
 *
 * Each section lives in `sections/<name>.ts` with its own cross-field checks; this file composes the section schemas.
 * The checks that span sections live in `validator.ts` (they render agent configs, which read these types: keeping
 * them apart keeps the import graph one-way). Adding a section is one line in `environmentSchema` and, if it has
 * cross-field rules, one line in `CHECKS` (`validator.ts`).
 */
import { z } from 'zod';
import { appSchema } from './sections/app';
import { archiveSchema } from './sections/archive';
import { backendSchema } from './sections/backend';
import { DeepReadonly, slug, tags } from './sections/common';
import { digitaloceanSchema } from './sections/digitalocean';
import { fleetSchema } from './sections/fleet';
import { loadBalancerSchema } from './sections/load-balancer';
import { loggingSchema } from './sections/logging';
import { networkSchema } from './sections/network';
import { colorSchema } from './sections/release';
import { releaseRolloutSchema } from './sections/release-rollout';
import { trafficSchema } from './sections/traffic';
import { vpnSchema } from './sections/vpn';

export type { DeepReadonly } from './sections/common';

/** The clouds an environment can run on. */
export const CLOUDS = ['aws', 'digitalocean'] as const;
/** A supported cloud. */
export type Cloud = (typeof CLOUDS)[number];

/**
 * Values keys that were renamed, as dotted key paths (old → new). The loader reports an old key as
 * `renamed to <new>` instead of "unknown key", so an upgrade says exactly what to change (see CHANGELOG.md).
 */
export const RENAMED_VALUES_KEYS: Readonly<Record<string, string>> = {
  'logging.bufferDiskMb': 'logging.bufferDiskMiB',
  'logging.store.volumeSizeGb': 'logging.store.volumeSizeGiB',
  'digitalocean.spaces.noncurrentVersionDays': 'digitalocean.spaces.noncurrentVersionExpirationDays',
};

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

/** One environment's validated, defaulted and frozen values: the only thing stacks read. */
export type EnvironmentConfig = DeepReadonly<ParsedValues>;
