/**
 * What `npm run plan` needs before Terraform can plan: the `terraform` binary, credentials for the clouds a stack
 * talks to (looked for, never tried), remote state in CI; and what a failed `terraform init`/`plan` means.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { classifyToolOutput, findExecutable } from '../cli/cdktf';
import { ExitCode } from '../cli/exit-codes';

export { findExecutable };
import { StackJson } from './synth-output';

/** Clouds a synthesized stack talks to: its providers, plus AWS for an S3 state backend. */
export function cloudsOf(tf: StackJson): string[] {
  const providers = Object.keys((tf.provider as Record<string, unknown>) ?? {});
  const backend = Object.keys(((tf.terraform as Record<string, unknown>)?.backend as Record<string, unknown>) ?? {});
  const clouds = new Set(providers.filter((p) => p === 'aws' || p === 'digitalocean'));
  if (backend.includes('s3')) clouds.add('aws');
  return [...clouds].sort();
}

/** Why credentials for `cloud` are missing from `env` (undefined when some are there). Only looks; never calls out. */
export function missingCredentials(cloud: string, env: NodeJS.ProcessEnv): string | undefined {
  if (cloud === 'aws') {
    const home = env.HOME ?? os.homedir();
    const files = [
      env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
      env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
    ];
    const found =
      (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) ||
      env.AWS_PROFILE ||
      (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) ||
      env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
      files.some((f) => fs.existsSync(f));
    return found
      ? undefined
      : 'no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or assume the plan role with OIDC (see "PR pipeline" in the README)';
  }
  if (cloud === 'digitalocean') {
    return env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN
      ? undefined
      : 'no DigitalOcean credentials: set DIGITALOCEAN_TOKEN';
  }
  return undefined;
}

/** Whether `env` is a CI run (GitHub Actions and most CI services set `CI=true`). */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
}

/**
 * Why a DigitalOcean stack must not be planned here (undefined when it may): in CI, a stack without remote state
 * (a `local` backend, or none) would be planned against an empty state (every resource "to create"), which
 * says nothing about the real environment.
 */
export function localStateInCi(stack: string, tf: StackJson, env: NodeJS.ProcessEnv): string | undefined {
  if (!isCi(env) || !cloudsOf(tf).includes('digitalocean')) return undefined;
  const backend = Object.keys(((tf.terraform as Record<string, unknown>)?.backend as Record<string, unknown>) ?? {});
  if (backend.length > 0 && !backend.includes('local')) return undefined;
  return `${stack}: keeps local state, so a plan in CI would compare against an empty state; give the environment a remote backend (backend.type s3 with the Spaces endpoint, see README "DigitalOcean")`;
}

/** Why a stack holding a Spaces bucket cannot be planned with `env` (the provider reads the bucket with Spaces keys). */
export function missingSpacesCredentials(tf: StackJson, env: NodeJS.ProcessEnv): string | undefined {
  const holdsBucket = Object.keys((tf.resource as Record<string, unknown>) ?? {}).includes(
    'digitalocean_spaces_bucket',
  );
  if (!holdsBucket || (env.SPACES_ACCESS_KEY_ID && env.SPACES_SECRET_ACCESS_KEY)) return undefined;
  return 'no Spaces credentials: set SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY (a read-only key is enough for a plan)';
}

/**
 * What a failed `terraform init`/`plan` means, from its output: a missing prerequisite (the real cause, classified by
 * the one adapter, {@link classifyToolOutput}) or a Terraform failure.
 */
export function classifyTerraformError(output: string): { code: number; reason: string } {
  const cause = classifyToolOutput(output);
  if (cause.kind === 'other') return { code: ExitCode.FAILED, reason: 'terraform failed' };
  return { code: ExitCode.PREREQUISITE, reason: `${cause.reason} (Terraform: ${cause.evidence})` };
}
