/**
 * The `archive` section: how long deployment records and application files are kept, how they are locked,
 * when they move to cheaper storage, and how many release images the registry keeps.
 *
 * The object-lock mode is an explicit value, not a rule keyed on the environment's name: the schema default is
 * `GOVERNANCE` (a privileged user can still remove a record, useful while an environment is being set up) and
 * `environments/prod.yaml` sets `COMPLIANCE` (nobody, not even the account root, can delete or shorten a lock).
 * A value names what it does; a name-based rule would silently change behaviour when an environment is renamed.
 */
import { z } from 'zod';
import { report } from './common';

/** An IAM role ARN, `arn:<partition>:iam::<12-digit account>:role/<path/name>`. */
export const IAM_ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const days = (max: number) =>
  z
    .number()
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(max, `must be at most ${max} days`);

/** Object-lock modes S3 supports. */
export const OBJECT_LOCK_MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;
/** An S3 object-lock mode. */
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/** Archive values. Every key has a default, so the whole section is optional. */
export const archiveSchema = z
  .object({
    /** Object-lock mode of both archive buckets' default retention (and of every record the deploy command writes). */
    objectLockMode: z.enum(OBJECT_LOCK_MODES).default('GOVERNANCE'),
    /** Days each deployment record stays locked. */
    retentionDays: days(36500).default(90),
    /** Days each application file version stays locked (uploads, batch files). */
    appFilesRetentionDays: days(36500).default(30),
    /** Days after which objects move to S3 Glacier Instant Retrieval. */
    glacierAfterDays: days(36500).default(90),
    /** Days after which objects move to S3 Glacier Deep Archive (at least 90 days after `glacierAfterDays`). */
    deepArchiveAfterDays: days(36500).default(365),
    /** Days a replaced (noncurrent) version is kept before it expires (never before its lock ends). */
    noncurrentVersionExpirationDays: days(36500).default(365),
    /** Days before an unfinished multipart upload is aborted. */
    abortIncompleteUploadDays: days(365).default(7),
    /** Release images the registry keeps (the newest ones); older images expire. */
    registryKeepImages: z.number().int('must be a whole number').min(1).max(10000).default(200),
    /** Days an untagged image (an interrupted push) is kept. */
    registryUntaggedDays: days(3650).default(7),
    /**
     * The break-glass IAM role (ARN): the only principal that may disable, schedule the deletion of, or change the
     * policy of the archive buckets' KMS keys (AWS). Absent: nobody can, ever.
     */
    breakGlassRoleArn: z
      .string()
      .regex(IAM_ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::111111111111:role/break-glass')
      .optional(),
  })
  .strict();

/** Archive values after defaults. */
export type ArchiveValues = z.infer<typeof archiveSchema>;

/** S3 refuses a Deep Archive transition less than 90 days after the Glacier Instant Retrieval one. */
export const GLACIER_MINIMUM_DAYS = 90;

/** Cross-field checks: the Glacier tiers in order, 90 days apart (S3 refuses the lifecycle otherwise). */
export function checkArchive(archive: ArchiveValues, ctx: z.RefinementCtx): void {
  const earliest = archive.glacierAfterDays + GLACIER_MINIMUM_DAYS;
  if (archive.deepArchiveAfterDays < earliest) {
    report(
      ctx,
      ['archive', 'deepArchiveAfterDays'],
      `must be at least ${GLACIER_MINIMUM_DAYS} days after archive.glacierAfterDays (${archive.glacierAfterDays}), i.e. >= ${earliest}; got ${archive.deepArchiveAfterDays}`,
    );
  }
}
