/**
 * The `digitalocean` section: values only a DigitalOcean environment has (who may SSH in, which SSH keys the
 * droplets trust, the load balancers' certificate, the Spaces bucket and the managed OpenSearch cluster), and
 * the checks that hold only on DigitalOcean (regions, VPC ranges; no weighted traffic is a traffic rule, in
 * `cutover-safety.ts`).
 *
 * ```yaml
 * digitalocean:
 *   adminCidrs: [203.0.113.0/24]
 *   sshKeyFingerprints: ["3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"]
 *   certificate: { name: shop-dev }
 *   spaces: { bucket: shop-dev-deployments-7f3a }
 * ```
 */
import { z } from 'zod';
import { doPhysicalNames } from '../../../stacks/contract';
import { cidrBlock, cidrContains, cidrsOverlap, internetWideSourcesProblem, parseCidr } from '../cidr';
import { ConfigIssue } from '../errors';
import { cidr, report } from './common';

/** Regions where droplets, VPCs, load balancers and managed databases can be created (2025). */
export const DO_REGIONS = [
  'ams3',
  'atl1',
  'blr1',
  'fra1',
  'lon1',
  'nyc1',
  'nyc2',
  'nyc3',
  'sfo2',
  'sfo3',
  'sgp1',
  'syd1',
  'tor1',
] as const;

/** Regions that offer Spaces object storage (2025). */
export const SPACES_REGIONS = [
  'ams3',
  'atl1',
  'blr1',
  'fra1',
  'lon1',
  'nyc3',
  'sfo2',
  'sfo3',
  'sgp1',
  'syd1',
  'tor1',
] as const;

/** Ranges DigitalOcean reserves for its own networking (Kubernetes); a VPC may not overlap them. */
export const DO_RESERVED_RANGES = ['10.244.0.0/16', '10.245.0.0/16', '10.246.0.0/24'] as const;

/** The private ranges of RFC 1918, the only ones a DigitalOcean VPC may use. */
const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** A DNS host name, lowercase. */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An SSH public key's MD5 fingerprint as DigitalOcean shows it: 16 colon-separated lowercase hex pairs. */
const FINGERPRINT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$/;

/** Values of the `digitalocean` section (after defaults). */
export const digitaloceanSchema = z
  .object({
    /**
     * CIDRs allowed to SSH into the droplets and to reach the preview load balancer (together with
     * `loadBalancer.testListener.allowedCidrs`). Never 0.0.0.0/0.
     */
    adminCidrs: z.array(cidr).min(1, 'list at least one CIDR allowed to SSH in (e.g. your office or VPN range)'),
    /**
     * MD5 fingerprints of SSH keys already in the DigitalOcean account. With keys present DigitalOcean
     * neither sets nor emails a root password.
     */
    sshKeyFingerprints: z
      .array(z.string().regex(FINGERPRINT, 'must be an MD5 fingerprint: 16 lowercase hex pairs separated by ":"'))
      .min(1, 'list at least one SSH key fingerprint; without one DigitalOcean emails a root password'),
    /**
     * The TLS certificate of both load balancers: an existing DigitalOcean certificate by `name` (preferred:
     * stays valid across Let's Encrypt renewals) or by `id`.
     */
    certificate: z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'must be a DigitalOcean certificate name')
          .optional(),
        id: z.string().uuid('must be a certificate UUID').optional(),
      })
      .strict(),
    /** Host name users reach the live load balancer by (covered by the certificate); used in the live URL. */
    liveHostname: z.string().regex(HOSTNAME, 'must be a DNS host name').optional(),
    /** Host name the preview load balancer is reached by (covered by the certificate); used in the preview URL. */
    previewHostname: z.string().regex(HOSTNAME, 'must be a DNS host name').optional(),
    /**
     * A domain hosted in DigitalOcean DNS in which the stacks create `A` records for `liveHostname` and
     * `previewHostname` (and nothing else). Without it no DNS record is created: point your DNS at `live_ip` /
     * `preview_ip`. The load balancers never create records on their own (`disable_lets_encrypt_dns_records`).
     */
    dns: z
      .object({
        /** The DigitalOcean-hosted domain, e.g. `shop.example.com`. */
        domain: z.string().regex(HOSTNAME, 'must be a DNS domain name'),
        /** TTL of the records, in seconds (short, so a replaced load balancer is reached soon). */
        ttlSeconds: z.number().int('must be a whole number').min(30).max(86400).default(300),
      })
      .strict()
      .optional(),
    /**
     * Terraform `prevent_destroy` on the stateful resources (Spaces bucket, OpenSearch cluster): a stack that would
     * delete them fails to plan. Turn it off only for disposable environments.
     */
    preventDestroy: z.boolean().default(true),
    /**
     * The join step of a zero-downtime cutover: the color that joins the live load balancer next to the live color (the
     * live load balancer then serves both colors' droplets). Remove it in the switch step, together with the traffic change (README "DigitalOcean").
     */
    cutoverJoining: z.enum(['blue', 'green']).optional(),
    /** The Spaces bucket for deployment records and application files. */
    spaces: z
      .object({
        /**
         * Bucket name, required: Spaces names are global across all customers and stay blocked for a week after a
         * delete, so no name derived from `<app>-<env>` is safe. Add a suffix of your own, e.g. `shop-dev-deployments-7f3a`.
         */
        bucket: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
            'must be 3–63 lowercase letters, digits and dashes (no dots: they break TLS on Spaces)',
          )
          .optional(),
        /** Spaces region. @default the environment's region */
        region: z.string().optional(),
        /** Days a replaced or deleted object version is kept. */
        noncurrentVersionExpirationDays: z.number().int('must be a whole number').min(1).max(3650).default(90),
      })
      .strict()
      .default({}),
    /** The managed OpenSearch cluster that stores the environment's logs. */
    opensearch: z
      .object({
        /** Node size slug. */
        size: z
          .string()
          .regex(/^db-[a-z0-9-]+$/, 'must be a database size slug such as db-s-1vcpu-2gb')
          .default('db-s-1vcpu-2gb'),
        /** Number of nodes. */
        nodeCount: z.number().int('must be a whole number').min(1).max(9).default(1),
        /** OpenSearch major version. */
        version: z.string().regex(/^\d+$/, 'must be a major version such as "2"').default('2'),
      })
      .strict()
      .default({}),
    /** Load balancer size in units (1–100; each unit adds capacity). */
    loadBalancerSizeUnit: z.number().int('must be a whole number').min(1).max(100).default(1),
    /** The DigitalOcean project the environment's resources are grouped in. */
    project: z
      .object({
        /** Project name. @default `<app>-<env>` */
        name: z.string().min(1).max(175).optional(),
        /** DigitalOcean's project environment label. */
        environment: z.enum(['Development', 'Staging', 'Production']).default('Development'),
      })
      .strict()
      .default({}),
  })
  .strict();

/** DigitalOcean values after parsing. */
export type DigitalOceanValues = z.infer<typeof digitaloceanSchema>;

/** The parts of an environment's values the DigitalOcean checks read. */
export interface DigitalOceanCheckInput {
  /** The environment's name. */
  readonly name: string;
  /** The environment's cloud; the checks apply to `digitalocean` only. */
  readonly cloud: string;
  /** The application (its name prefixes every resource name). */
  readonly app: { readonly name: string };
  /** The environment's region. */
  readonly region: string;
  /** The VPC range. */
  readonly network: { readonly vpcCidr: string };
  /** Weights and strategy. */
  readonly traffic: { readonly blue: number; readonly green: number; readonly strategy: string };
  /**
   * The `digitalocean` section.
   * @default - absent (an error on DigitalOcean)
   */
  readonly digitalocean?: DigitalOceanValues;
}

/**
 * Cross-field checks for DigitalOcean environments: the section is present (and absent on other clouds), the
 * region exists, the VPC range is one DigitalOcean accepts and SSH is never open to the world. (All-or-nothing
 * traffic, since DigitalOcean load balancers cannot split by weight, is checked with the other traffic rules in
 * `cutover-safety.ts`.)
 */
export function checkDigitalOcean(v: DigitalOceanCheckInput, ctx: z.RefinementCtx): void {
  if (v.cloud !== 'digitalocean') {
    if (v.digitalocean) report(ctx, ['digitalocean'], `is DigitalOcean-only; remove it from a ${v.cloud} environment`);
    return;
  }
  if (/^[a-z]{3}\d$/.test(v.region) && !(DO_REGIONS as readonly string[]).includes(v.region)) {
    report(
      ctx,
      ['region'],
      `"${v.region}" is not a DigitalOcean region for droplets (one of ${DO_REGIONS.join(', ')})`,
    );
  }
  checkVpcRange(v.network.vpcCidr, ctx);

  const d = v.digitalocean;
  if (!d) {
    report(ctx, ['digitalocean'], 'required on DigitalOcean: adminCidrs, sshKeyFingerprints and certificate at least');
    return;
  }
  d.adminCidrs.forEach((c, i) => checkAdminCidr(c, ['digitalocean', 'adminCidrs', i], 'SSH', ctx));
  const wide = d.adminCidrs.every((c) => typeof parseCidr(c) !== 'string' && cidrBlock(c).prefix >= 8)
    ? internetWideSourcesProblem(d.adminCidrs)
    : undefined;
  if (wide)
    report(ctx, ['digitalocean', 'adminCidrs'], `${wide}: too wide for SSH; list your office, VPN or CI ranges`);
  const seen = new Set<string>();
  d.sshKeyFingerprints.forEach((f, i) => {
    if (seen.has(f)) report(ctx, ['digitalocean', 'sshKeyFingerprints', i], `${f} is listed twice`);
    seen.add(f);
  });
  if (d.spaces.bucket === undefined) {
    report(
      ctx,
      ['digitalocean', 'spaces', 'bucket'],
      'required: Spaces bucket names are global across all DigitalOcean customers (and blocked for a week after a delete), so no name built from <app>-<env> is safe; choose one with a suffix of your own, e.g. <app>-<env>-deployments-7f3a',
    );
  }
  checkDns(d, ctx);
  if (d.cutoverJoining !== undefined) {
    const live = v.traffic.blue === 100 ? 'blue' : v.traffic.green === 100 ? 'green' : undefined;
    if (d.cutoverJoining === live)
      report(
        ctx,
        ['digitalocean', 'cutoverJoining'],
        `is the live color already; name the color that joins it (the other one), or remove the key`,
      );
  }
  if (d.liveHostname !== undefined && d.liveHostname === d.previewHostname) {
    report(
      ctx,
      ['digitalocean', 'previewHostname'],
      `is the live host name too; the preview must have its own name, or users would reach the idle color`,
    );
  }
  const hasName = d.certificate.name !== undefined;
  const hasId = d.certificate.id !== undefined;
  if (hasName === hasId) {
    report(
      ctx,
      ['digitalocean', 'certificate'],
      "give exactly one of name (preferred: survives Let's Encrypt renewals) or id",
    );
  }
  const spaces = SPACES_REGIONS.join(', ');
  if (d.spaces.region !== undefined && !(SPACES_REGIONS as readonly string[]).includes(d.spaces.region)) {
    report(ctx, ['digitalocean', 'spaces', 'region'], `no Spaces in "${d.spaces.region}"; use one of ${spaces}`);
  } else if (
    d.spaces.region === undefined &&
    (DO_REGIONS as readonly string[]).includes(v.region) &&
    !(SPACES_REGIONS as readonly string[]).includes(v.region)
  ) {
    report(
      ctx,
      ['digitalocean', 'spaces'],
      `no Spaces in "${v.region}" (the environment's region); set digitalocean.spaces.region to one of ${spaces}`,
    );
  }
}

/** A DigitalOcean VPC range: RFC 1918, /16 to /28, clear of DigitalOcean's reserved ranges. */
function checkVpcRange(vpcCidr: string, ctx: z.RefinementCtx): void {
  const path = ['network', 'vpcCidr'];
  let block;
  try {
    block = cidrBlock(vpcCidr);
  } catch {
    return; // malformed: already reported by the cidr schema
  }
  if (!RFC1918.some((r) => cidrContains(r, vpcCidr))) {
    report(
      ctx,
      path,
      `${vpcCidr} is not a private range; DigitalOcean VPCs must lie in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`,
    );
    return;
  }
  if (block.prefix < 16 || block.prefix > 28) {
    report(ctx, path, `${vpcCidr} is a /${block.prefix}; DigitalOcean VPCs range from /16 to /28`);
  }
  const clash = DO_RESERVED_RANGES.find((r) => cidrsOverlap(r, vpcCidr));
  if (clash) report(ctx, path, `${vpcCidr} overlaps ${clash}, which DigitalOcean reserves; choose another range`);
}

/** Admin/preview sources: never the whole internet, nor anything close to it. */
function checkAdminCidr(value: string, path: Array<string | number>, what: string, ctx: z.RefinementCtx): void {
  let block;
  try {
    block = cidrBlock(value);
  } catch {
    return; // malformed: already reported
  }
  if (block.prefix === 0)
    report(ctx, path, `0.0.0.0/0 would open ${what} to the whole internet; list your office, VPN or CI ranges`);
  else if (block.prefix < 8)
    report(
      ctx,
      path,
      `${value} would open ${what} to ${block.size.toLocaleString('en-US')} addresses; use a /8 or narrower`,
    );
}

/** The DNS domain holds the host names it makes records for; without host names it has nothing to do. */
function checkDns(d: DigitalOceanValues, ctx: z.RefinementCtx): void {
  if (!d.dns) return;
  const domain = d.dns.domain;
  const hosts = [
    ['liveHostname', d.liveHostname],
    ['previewHostname', d.previewHostname],
  ] as const;
  if (hosts.every(([, h]) => h === undefined)) {
    report(
      ctx,
      ['digitalocean', 'dns'],
      `no record to make: set liveHostname (and previewHostname) under ${domain}, or remove dns`,
    );
  }
  for (const [key, host] of hosts) {
    if (host !== undefined && host !== domain && !host.endsWith(`.${domain}`)) {
      report(
        ctx,
        ['digitalocean', key],
        `"${host}" is not in the DNS domain ${domain} (digitalocean.dns.domain); the stacks only make records inside it`,
      );
    }
  }
}

/** One environment as the cross-environment checks read it. */
export interface DigitalOceanEnvironment {
  /** The values file, for the error. */
  readonly file: string;
  /** The environment's validated values. */
  readonly config: {
    readonly name: string;
    readonly cloud: string;
    readonly app: { readonly name: string };
    readonly network: { readonly vpcCidr: string };
    readonly digitalocean?: {
      readonly project: { readonly name?: string };
      readonly spaces: { readonly bucket?: string };
    };
  };
}

/**
 * Checks across the DigitalOcean environments of one values directory, which may share an account: no two
 * environments' resource names collide within a DigitalOcean namespace (e.g. env `dev`'s tag `shop-dev-blue` and
 * env `dev-blue`'s fleet tag), no two VPC ranges overlap (DigitalOcean refuses overlapping networks in one
 * account), and no two environments name the same Spaces bucket. Each problem is reported on the later file.
 */
export function checkDigitalOceanAcrossEnvironments(envs: readonly DigitalOceanEnvironment[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const done: DigitalOceanEnvironment[] = [];
  for (const env of envs.filter((e) => e.config.cloud === 'digitalocean' && e.config.digitalocean)) {
    const c = env.config;
    const mine = doPhysicalNames(c.app.name, c.name, c.digitalocean!.project.name);
    for (const other of done) {
      const o = other.config;
      const theirs = doPhysicalNames(o.app.name, o.name, o.digitalocean!.project.name);
      for (const n of mine) {
        const clash = theirs.find((t) => t.namespace === n.namespace && t.name === n.name);
        if (clash) {
          issues.push({
            file: env.file,
            path: ['name'],
            message: `environment "${c.name}" would name its ${n.what} "${n.name}", which environment "${o.name}" (${other.file}) uses for its ${clash.what}; rename one environment (DigitalOcean selects droplets by these names)`,
          });
        }
      }
      if (cidrsOverlap(c.network.vpcCidr, o.network.vpcCidr)) {
        issues.push({
          file: env.file,
          path: ['network', 'vpcCidr'],
          message: `${c.network.vpcCidr} overlaps ${o.network.vpcCidr} of environment "${o.name}" (${other.file}); DigitalOcean refuses overlapping VPC ranges in one account`,
        });
      }
      if (
        c.digitalocean!.spaces.bucket !== undefined &&
        c.digitalocean!.spaces.bucket === o.digitalocean!.spaces.bucket
      ) {
        issues.push({
          file: env.file,
          path: ['digitalocean', 'spaces', 'bucket'],
          message: `"${c.digitalocean!.spaces.bucket}" is the bucket of environment "${o.name}" (${other.file}) too; each environment needs its own`,
        });
      }
    }
    done.push(env);
  }
  return issues;
}
