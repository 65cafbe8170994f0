/**
 * The plan of a deploy, computed before anything runs: which stack of which environment, the record's retention
 * (never below the environment's floor), where its record goes, the cdktf command, and how to read cdktf's progress
 * and outcome. Pure functions of their arguments.
 */
import * as path from 'path';
import { parseStackName as parseContractStackName, StackNameError, StackRole } from '../../../stacks/contract';
import { EnvironmentConfig } from '../../config';
import { UsageError } from '../../cli/errors';
import { ArchiveError } from '../archive-store';
import { LOCK_STRENGTH, LockMode, recordId, recordPrefix } from '../deployment-record';

/** Local directory that keeps every record (mirrors the bucket's `deployments/` prefix). */
export const LOCAL_RECORDS_DIR = '.deployments';

/** Object-lock mode and days of a record (or of an environment's floor). */
export interface Retention {
  /** Object-lock mode, `none` for a store without object lock. */
  readonly lockMode: LockMode;
  /** Days each object stays locked. */
  readonly retentionDays: number;
}

/** Splits `<env>-<role>` into its parts (the contract's `parseStackName`), or throws a {@link UsageError}. */
export function parseStackName(stack: string): { readonly environment: string; readonly role: StackRole } {
  try {
    return parseContractStackName(stack);
  } catch (e) {
    if (e instanceof StackNameError) throw new UsageError(e.message);
    throw e;
  }
}

/** The environment's retention: the floor a deploy or a push may not go below. */
export function retentionFloor(config: EnvironmentConfig): { lockMode: LockMode; retentionDays: number } {
  return {
    lockMode: config.cloud === 'aws' ? config.archive.objectLockMode : 'none',
    retentionDays: config.archive.retentionDays,
  };
}

/** Why `asked` is weaker than the environment's `floor` (undefined when it is not). */
export function weakerRetention(
  floor: { lockMode: LockMode; retentionDays: number },
  asked: { lockMode: LockMode; retentionDays: number },
  what: string,
): string | undefined {
  if (LOCK_STRENGTH[asked.lockMode] < LOCK_STRENGTH[floor.lockMode]) {
    return `lock mode ${asked.lockMode} is weaker than ${floor.lockMode}, the environment's archive.objectLockMode, for ${what}; records keep at least the environment's lock`;
  }
  if (!Number.isInteger(asked.retentionDays) || asked.retentionDays < floor.retentionDays) {
    return `retention of ${asked.retentionDays} days is below ${floor.retentionDays}, the environment's archive.retentionDays, for ${what}; records are kept at least that long`;
  }
  return undefined;
}

/** The retention a deploy asked for (each part defaulting to the environment's floor). */
export function recordRetention(config: EnvironmentConfig, asked: Partial<Retention>): Retention {
  const floor = retentionFloor(config);
  return { lockMode: asked.lockMode ?? floor.lockMode, retentionDays: asked.retentionDays ?? floor.retentionDays };
}

/** Where a deploy's record goes: its id, its key prefix in the archive and its local directory. */
export interface RecordLocation {
  /** `<UTC time>-<git sha>`. */
  readonly id: string;
  /** `deployments/<env>/<stack>/<id>/`. */
  readonly prefix: string;
  /** `<cwd>/.deployments/<env>/<stack>/<id>`. */
  readonly dir: string;
  /** `deploy.log` in {@link dir}. */
  readonly logFile: string;
}

/** Where the record of a deploy of `stack` started at `started` from `commit` goes. */
export function recordLocation(
  cwd: string,
  environment: string,
  stack: string,
  started: Date,
  commit: string,
): RecordLocation {
  const id = recordId(started, commit);
  const dir = path.join(cwd, LOCAL_RECORDS_DIR, environment, stack, id);
  return { id, prefix: recordPrefix(environment, stack, id), dir, logFile: path.join(dir, 'deploy.log') };
}

/** The arguments of cdktf: `deploy <stack>` and what the user passed on. */
export function cdktfDeployArgs(stack: string, cdktfArgs: readonly string[] = []): string[] {
  return ['deploy', stack, ...cdktfArgs];
}

/** Whether cdktf is watched on a terminal that can answer its approval prompt (else its output is made plain). */
export function answersPrompts(stdin: 'inherit' | 'ignore', isTTY: boolean, args: readonly string[]): boolean {
  return stdin === 'inherit' && isTTY && !args.includes('--auto-approve');
}

/** Server-side encryption of the record's objects: KMS on AWS, none on Spaces. */
export function recordEncryption(config: EnvironmentConfig): 'aws:kms' | 'none' {
  return config.cloud === 'aws' ? 'aws:kms' : 'none';
}

/**
 * Whether a deploy may go on with its archive unreachable: only a deploy of `<env>-shared` whose bucket is missing
 * (the stack creates it; the record is uploaded once its outputs exist).
 */
export function deploysWithoutArchive(role: StackRole, error: Error): boolean {
  return role === 'shared' && !(error instanceof ArchiveError && error.kind !== 'missing-bucket');
}

const PHASES: Array<[RegExp, string]> = [
  [/synthesi[sz]/i, 'synth'],
  [/initiali[sz]ing|terraform init/i, 'init'],
  [/refreshing state|execution plan|planning|plan:/i, 'plan'],
  [/creating\.\.\.|modifying\.\.\.|destroying\.\.\.|still (creating|modifying|destroying)|applying/i, 'apply'],
  [/apply complete|no changes\.|deployed/i, 'done'],
];

/** Which cdktf phase an output line announces, if any. */
export function phaseOf(line: string): string | undefined {
  return PHASES.find(([re]) => re.test(line))?.[1];
}

/**
 * Whether Terraform got as far as planning, given the last phase cdktf announced (plan, apply or done). Before
 * that (synth, a cdktf usage error such as a missing stack, `terraform init` without credentials or registry)
 * nothing in the cloud was read or changed.
 */
export function terraformPlanned(phase: string | undefined): boolean {
  return phase === 'plan' || phase === 'apply' || phase === 'done';
}

/** How a deploy ended, from cdktf's exit code and the signal that interrupted it, if one did. */
export function deployOutcome(code: number, interrupted: string | undefined): 'succeeded' | 'failed' | 'interrupted' {
  return interrupted ? 'interrupted' : code === 0 ? 'succeeded' : 'failed';
}
