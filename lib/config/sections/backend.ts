/**
 * The `backend` section: where each stack keeps its Terraform state.
 *
 * `local` keeps state next to the project (so `cdktf synth` and a first deploy need no cloud access);
 * `s3` keeps one state object per stack, `<keyPrefix>/<stack>.tfstate`, encrypted, with S3-native locking.
 */
import { z } from 'zod';

/** Backend values. */
export const backendSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z
    .object({
      type: z.literal('s3'),
      /** The state bucket (must exist; versioning recommended). */
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
      /** Region of the state bucket. */
      region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1'),
      /** Key prefix; each stack's state is `<keyPrefix>/<stack>.tfstate`. */
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9!_.*'()/-]+$/, 'must be a plain S3 key prefix')
        .refine((p) => !p.startsWith('/') && !p.endsWith('/'), 'must not start or end with "/"'),
      /** Optional S3-compatible endpoint (DigitalOcean Spaces, e.g. https://fra1.digitaloceanspaces.com). */
      endpoint: z.string().url().optional(),
    })
    .strict(),
]);

/** Backend values after parsing. */
export type BackendValues = z.infer<typeof backendSchema>;
