/**
 * The `colors.<color>` section: what release a color runs and with how many servers.
 *
 * A release is immutable by construction: a machine image id (AMI, or a DigitalOcean snapshot id), a semantic
 * version, and optionally an OCI artifact pinned by digest. Mutable references (`:latest`, a tag without a
 * digest) are refused, because a redeploy must reproduce exactly what was tested.
 */
import { z } from 'zod';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const DIGEST_REF =
  /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}$/;

/** Why an OCI reference is not acceptable as an immutable artifact, or `undefined` when it is. */
export function mutableReferenceReason(ref: string): string | undefined {
  if (DIGEST_REF.test(ref)) return undefined;
  if (/@sha256:/.test(ref)) return `"${ref}" has a malformed digest (expected @sha256: and 64 lowercase hex digits)`;
  if (/:latest$/.test(ref))
    return `"${ref}" is a mutable reference (":latest" moves); pin it by digest: name@sha256:<64 hex>`;
  return `"${ref}" is a mutable reference (a tag can be moved); pin it by digest: name@sha256:<64 hex>`;
}

/** An OCI reference pinned by digest (`name@sha256:<64 hex>`); a mutable reference is refused with the fix. */
const pinnedReference = z.string().superRefine((ref, ctx) => {
  const reason = mutableReferenceReason(ref);
  if (reason) ctx.addIssue({ code: z.ZodIssueCode.custom, message: reason });
});

/**
 * The migration declaration of a release (`colors.<color>.release.migration`): whether the previous release can
 * still run against the data this one leaves behind (schema changes, rewritten records).
 */
export const migrationSchema = z
  .object({
    /**
     * `false` makes the release irreversible: `npm run release` refuses canary steps, needs `--accept-irreversible`
     * and stops for an operator instead of rolling back after the switch; `npm run cutover` back refuses without `--force`.
     */
    compatibleWithPrevious: z.boolean(),
  })
  .strict();

/** The release a color runs. */
export const releaseSchema = z
  .object({
    /** Semantic version of the release, e.g. `1.4.2`. */
    version: z.string().regex(SEMVER, 'must be a semantic version such as 1.4.2 (no "latest")'),
    /** Machine image: an AMI id on AWS, a snapshot id on DigitalOcean (checked per cloud). */
    image: z.string().min(1),
    /** Optional OCI artifact (container image) pinned by digest. */
    artifact: pinnedReference.optional(),
    /**
     * More OCI artifacts the release needs (a sidecar, an agent image), each pinned by digest; `npm run promote`
     * copies them into the environment's registry with the artifact.
     */
    dependencies: z
      .array(pinnedReference)
      .max(20, 'at most 20 dependencies')
      .superRefine((refs, ctx) => {
        refs.forEach((ref, i) => {
          if (refs.indexOf(ref) !== i)
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `"${ref}" is listed twice` });
        });
      })
      .optional(),
    /**
     * Whether the previous release can run on this release's data.
     * @default - compatible: the release may share traffic with the previous one and be rolled back
     */
    migration: migrationSchema.optional(),
  })
  .strict();

/** Fleet size of a color. */
export const capacitySchema = z
  .object({
    min: z.number().int('must be a whole number').min(0).max(100),
    max: z.number().int('must be a whole number').min(0).max(100),
    desired: z.number().int('must be a whole number').min(0).max(100),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.min > c.max)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['min'],
        message: `min (${c.min}) must not exceed max (${c.max})`,
      });
    if (c.desired < c.min || c.desired > c.max) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['desired'],
        message: `desired (${c.desired}) must lie between min (${c.min}) and max (${c.max})`,
      });
    }
  });

/** One color: its release and capacity. */
export const colorSchema = z.object({ release: releaseSchema, capacity: capacitySchema }).strict();

/** The two colors. */
export const COLORS = ['blue', 'green'] as const;
/** A fleet color. */
export type Color = (typeof COLORS)[number];
