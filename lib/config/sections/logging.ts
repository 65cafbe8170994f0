/**
 * The `logging` section: which logs leave each server, where they go, and how long they are kept.
 *
 * Every app server runs a forwarder (rsyslog, see `lib/agents/`) that tails the application's log files and
 * reads the system journal, and ships both to the environment's log store (OpenSearch). Retention applies in
 * two places: the log store's indices (`indexRetentionDays`) and every CloudWatch log group the environment
 * creates (`logGroupRetentionDays`).
 *
 * `store.type: none` (AWS) is the explicit opt-out of central logging: no OpenSearch domain, no forwarder on the
 * servers; CloudWatch log groups, their metrics and alarms stay.
 */
import { z } from 'zod';
import { report, slug } from './common';

/** The formats an application log file can have: one JSON object per line, or plain text lines. */
export const APP_LOG_FORMATS = ['json', 'text'] as const;
/** The format of an application log file. */
export type AppLogFormat = (typeof APP_LOG_FORMATS)[number];

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_GROUP_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Why a log file path is unusable, or `undefined` when it is fine. */
export function logPathProblem(path: string): string | undefined {
  if (!path.startsWith('/'))
    return `"${path}" is a relative path; give the absolute path of the log file, e.g. /var/log/shop/app.log`;
  if (/[\s"'`$\\;{}]/.test(path))
    return `"${path}" contains whitespace, quotes or shell/config metacharacters ("'\`$\\;{}), which the forwarder config cannot carry`;
  if (path.endsWith('/'))
    return `"${path}" names a directory; give a file (wildcards allowed, e.g. /var/log/shop/*.log)`;
  if (path.split('/').some((seg) => seg === '..' || seg === '.'))
    return `"${path}" contains "." or ".." segments; give the normalized absolute path`;
  if (path.includes('//')) return `"${path}" contains an empty segment ("//"); give the normalized absolute path`;
  return undefined;
}

/** One application log file (or wildcard pattern) to forward. */
export const appLogSchema = z
  .object({
    /** Absolute path of the log file; `*` wildcards are allowed (`/var/log/shop/*.log`). */
    path: z.string().min(1, 'must not be empty'),
    /** `json` (one JSON object per line; fields are kept as structured fields) or `text` (one line per event). */
    format: z.enum(APP_LOG_FORMATS),
    /** Short name for the source, stored in each document's `source` field. @default the file's base name without extension */
    tag: slug(32).optional(),
  })
  .strict();

/** What the environment's central log store is: `managed` (an OpenSearch domain in the shared stack) or `none`. */
export const LOG_STORE_TYPES = ['managed', 'none'] as const;
/** The kind of log store: `managed` or `none`. */
export type LogStoreType = (typeof LOG_STORE_TYPES)[number];

/** The managed store's sizing keys (they mean nothing with `type: none`). */
const managedStoreShape = {
  /** OpenSearch engine version, e.g. `OpenSearch_2.13`. */
  engineVersion: z
    .string()
    .regex(/^OpenSearch_\d+\.\d+$/, 'must be an OpenSearch engine version such as OpenSearch_2.13')
    .default('OpenSearch_2.13'),
  /** Data node instance type (AWS), e.g. `r6g.large.search`. */
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+\.search$/, 'must be an OpenSearch instance type such as r6g.large.search')
    .default('t3.medium.search'),
  /** Number of data nodes; more than one spreads them over availability zones. */
  instanceCount: z.number().int('must be a whole number').min(1).max(20).default(1),
  /** Dedicated master nodes (0: none; else 3 or 5), which keep the cluster manageable when data nodes are busy. */
  dedicatedMasterCount: z
    .number()
    .int('must be a whole number')
    .refine((n) => [0, 3, 5].includes(n), 'must be 0 (none), 3 or 5')
    .default(0),
  /** Instance type of the dedicated master nodes. */
  dedicatedMasterType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+\.search$/, 'must be an OpenSearch instance type such as m6g.large.search')
    .default('m6g.large.search'),
  /** EBS volume per node, in GiB. */
  volumeSizeGiB: z.number().int('must be a whole number').min(10).max(16384).default(20),
};

/**
 * The log store (AWS): `type: managed` (the default) builds an OpenSearch domain in the shared stack, sized by the
 * other keys; `type: none` turns central logging off explicitly (no domain, no forwarder on the servers), e.g.
 * for a team whose servers ship logs by other means, or a sandbox. Sizing keys next to `type: none` are refused.
 */
export const logStoreSchema = z.preprocess(
  (raw, ctx) => {
    if (raw && typeof raw === 'object' && !Array.isArray(raw) && (raw as Record<string, unknown>).type === 'none') {
      for (const key of Object.keys(raw).filter((k) => k !== 'type' && k in managedStoreShape)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          message: 'sizes the managed store only; remove it, or set logging.store.type: managed',
        });
      }
    }
    return raw;
  },
  z
    .object({
      /** `managed`: an OpenSearch domain in `<env>-shared`; `none`: no central log store and no forwarder. */
      type: z.enum(LOG_STORE_TYPES).default('managed'),
      ...managedStoreShape,
    })
    .strict(),
);

/** Logging values. */
export const loggingSchema = z
  .object({
    /** Application log files to forward. */
    appLogs: z.array(appLogSchema).max(50, 'at most 50 log files per server').default([]),
    /** Forward the system journal (kernel, sshd, systemd units, ...) too. */
    systemLogs: z.boolean().default(true),
    /** Index name prefix in the log store; daily indices are `<indexPrefix>-YYYY.MM.DD`. */
    indexPrefix: slug(64).default('logs'),
    /** Days the log store keeps an index before deleting it. */
    indexRetentionDays: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be between 1 and 3650 days')
      .max(3650, 'must be between 1 and 3650 days')
      .default(30),
    /** Days every CloudWatch log group of the environment keeps events (a value CloudWatch accepts). */
    logGroupRetentionDays: z
      .number()
      .int('must be a whole number')
      .refine(
        (d) => (LOG_GROUP_RETENTION_DAYS as readonly number[]).includes(d),
        (d) => ({
          message: `${d} is not a CloudWatch retention period; use one of ${LOG_GROUP_RETENTION_DAYS.join(', ')}`,
        }),
      )
      .default(90),
    /** Disk each server may use to buffer logs while the store is unreachable, in MiB. */
    bufferDiskMiB: z
      .number()
      .int('must be a whole number')
      .min(16, 'must be between 16 and 65536 MiB')
      .max(65536, 'must be between 16 and 65536 MiB')
      .default(1024),
    /** The log store: `type: managed` (default; its sizing) or `type: none` (no central log store, AWS). */
    store: logStoreSchema.default({}),
    /**
     * Who is told when an alarm fires or recovers (AWS): subscriptions of the environment's encrypted alarm topic,
     * which every alarm notifies. Required (at least one) in a production environment.
     */
    alarmSubscriptions: z
      .array(
        z
          .object({
            protocol: z.enum(['email', 'https', 'sqs', 'lambda']),
            endpoint: z.string().min(1, 'must not be empty'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** Logging values after defaults. */
export type LoggingValues = z.infer<typeof loggingSchema>;

/** The `source` tag of an application log: its `tag`, or the file's base name without extension. */
export function appLogTag(log: { readonly path: string; readonly tag?: string }): string {
  if (log.tag) return log.tag;
  const base = log.path.split('/').pop() ?? 'app';
  const stem = base
    .replace(/\.[^.]*$/, '')
    .replace(/[^a-z0-9-]+/gi, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return stem && /^[a-z]/.test(stem) ? stem : `app-${stem || 'log'}`;
}

/** Cross-field checks: absolute, normalized, unique paths and unique source tags. */
export function checkLogging(logging: LoggingValues, ctx: z.RefinementCtx): void {
  const paths = new Map<string, number>();
  const tags = new Map<string, number>();
  logging.appLogs.forEach((log, i) => {
    const problem = logPathProblem(log.path);
    if (problem) {
      report(ctx, ['logging', 'appLogs', i, 'path'], problem);
      return;
    }
    const first = paths.get(log.path);
    if (first !== undefined) {
      report(
        ctx,
        ['logging', 'appLogs', i, 'path'],
        `"${log.path}" is listed twice (also logging.appLogs[${first}].path); each file is forwarded once`,
      );
      return;
    }
    paths.set(log.path, i);
    const tag = appLogTag(log);
    const clash = tags.get(tag);
    if (clash !== undefined) {
      report(
        ctx,
        ['logging', 'appLogs', i, 'tag'],
        `source tag "${tag}" is already used by logging.appLogs[${clash}]; set a distinct tag`,
      );
    } else tags.set(tag, i);
  });
}

// ---- Capacity checks (issue 19): the log store's zones and the user data budget. Kept apart from the
// ---- path and name rules above; schema.ts runs them after every section parsed.

/** How many availability zones the log store spreads `instanceCount` data nodes over (as `LogStore` does). */
export function logStoreZoneCount(instanceCount: number, privateSubnetCount: number): number {
  return Math.min(instanceCount, privateSubnetCount, 3);
}

/** Data nodes must split evenly over the zones they spread over (OpenSearch zone awareness): on AWS only. */
export function checkLogStoreZones(cloud: string, azCount: number, logging: LoggingValues, ctx: z.RefinementCtx): void {
  if (cloud !== 'aws' || logging.store.type !== 'managed') return;
  const count = logging.store.instanceCount;
  const zones = logStoreZoneCount(count, azCount);
  if (zones > 1 && count % zones !== 0) {
    const lower = count - (count % zones);
    const fix = [lower, lower + zones].filter((n) => n >= 1 && n <= 20).join(' or ');
    report(
      ctx,
      ['logging', 'store', 'instanceCount'],
      `${count} data nodes do not split evenly over the ${zones} availability zones they spread over (min(instanceCount, network.azCount, 3)); use a multiple of ${zones} (${fix})`,
    );
  }
}

/**
 * The forwarder's user data must fit its cloud's limit: `bytes` per color as delivered (gzip + base64 on AWS,
 * plain on DigitalOcean), measured by rendering it. Too many or too long app log paths are the usual cause.
 */
export function checkUserDataBudget(
  logging: LoggingValues,
  bytes: ReadonlyArray<readonly [string, number]>,
  limit: number,
  ctx: z.RefinementCtx,
): void {
  const over = bytes.filter(([, n]) => n > limit);
  if (over.length === 0) return;
  const [color, n] = over[0];
  report(
    ctx,
    ['logging', 'appLogs'],
    `the ${color} servers' user data would be ${n} bytes, over the ${limit} the cloud accepts (${logging.appLogs.length} log files): forward fewer files, e.g. one wildcard pattern such as /var/log/shop/*.log for files of one format`,
  );
}

/** A production environment (tag `environment-class: production`, or named `prod`/`production`) must notify someone of its alarms. */
export function checkAlarmSubscriptions(
  cloud: string,
  production: boolean,
  logging: LoggingValues,
  ctx: z.RefinementCtx,
): void {
  if (cloud === 'aws' && production && logging.alarmSubscriptions.length === 0) {
    report(
      ctx,
      ['logging', 'alarmSubscriptions'],
      'required in production: at least one subscription ({ protocol: email, endpoint: ops@example.com }) of the alarm topic, or alarms reach nobody',
    );
  }
}

/** `logging.store.type: none` is an AWS value: on DigitalOcean the log store is `digitalocean.opensearch`. */
export function checkLogStoreType(cloud: string, logging: LoggingValues, ctx: z.RefinementCtx): void {
  if (cloud !== 'aws' && logging.store.type !== 'managed') {
    report(
      ctx,
      ['logging', 'store', 'type'],
      `"${logging.store.type}" is AWS-only; on ${cloud} the log store is sized under digitalocean.opensearch`,
    );
  }
}

/** Whether the environment has a central log store its servers forward to (`logging.store.type` is not `none`). */
export function hasLogStore(config: {
  readonly logging: { readonly store: { readonly type: LogStoreType } };
}): boolean {
  return config.logging.store.type !== 'none';
}
