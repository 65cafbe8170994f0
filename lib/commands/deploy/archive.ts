/**
 * The deploy's archive: checked before anything is deployed (a deploy of `<env>-shared` may go on while its bucket
 * does not exist yet) and, after the deploy, the record uploaded to it (the log of the upload in `archive.log`).
 */
import * as path from 'path';
import { StackRole } from '../../../stacks/contract';
import { CommandError } from '../../cli/errors';
import { commandLine } from '../../cli/invocation';
import { ArchiveStore } from '../archive-store';
import { resolveTarget, TargetFlags } from '../archive-target';
import { uploadRecord } from '../deployment-record';
import { DeployLog } from './log';
import { deploysWithoutArchive, RecordLocation, Retention } from './plan';

/** How a deploy reaches its archive. */
export interface DeployArchiveAccess {
  /** The target flags (`--bucket`, `--region`, `--endpoint`, `--path-style`, `--outputs`). */
  readonly flags: TargetFlags;
  /** The stack deployed. */
  readonly stack: string;
  /** Its environment (whose `<env>-shared` outputs name the bucket). */
  readonly environment: string;
  /** Project directory. */
  readonly cwd: string;
  /** Environment variables (credentials, `CDKTF_BIN`). */
  readonly env: NodeJS.ProcessEnv;
  /** Server-side encryption of the record's objects. */
  readonly encryption: 'aws:kms' | 'none';
  /**
   * Upload attempts per object.
   * @default 5
   */
  readonly attempts?: number;
  /**
   * First retry delay in milliseconds.
   * @default 500
   */
  readonly baseDelayMs?: number;
  /** The deploy's log. */
  readonly log: DeployLog;
}

/** Why a deploy stops before anything was deployed. */
export interface DeployStop {
  /** The exit code. */
  readonly exitCode: number;
  /** The line to print after `deploy: `. */
  readonly message: string;
  /** The cause, for the result. */
  readonly error: string;
}

/** Resolves the records bucket (flags, else the `<env>-shared` outputs) and opens it. */
async function openRecordStore(access: DeployArchiveAccess): Promise<ArchiveStore> {
  const { log } = access;
  const target = await resolveTarget({
    ...access.flags,
    environment: access.environment,
    cwd: access.cwd,
    env: access.env,
    log: (l) => log.say(`  ${l}`),
  });
  return new ArchiveStore({
    target,
    serverSideEncryption: access.encryption,
    env: access.env,
    attempts: access.attempts,
    baseDelayMs: access.baseDelayMs,
    log: (line) => log.say(line),
  });
}

/**
 * Checks the archive before anything is deployed: its store, none when a deploy of `<env>-shared` creates the bucket
 * (the record is uploaded after the deploy), or why the deploy stops.
 */
export async function checkArchive(
  access: DeployArchiveAccess,
  role: StackRole,
  retention: Retention,
): Promise<{ store: ArchiveStore | undefined } | { stop: DeployStop }> {
  const { log } = access;
  log.say(`[1/4] archive target`);
  let store: ArchiveStore | undefined;
  try {
    store = await openRecordStore(access);
    await store.checkBucket();
    const lock = retention.lockMode === 'none' ? 'none' : `${retention.lockMode} ${retention.retentionDays} days`;
    log.say(`  ${store.url()} (${store.target.endpoint ?? store.target.region}), lock ${lock}`);
    return { store };
  } catch (e) {
    store?.close();
    if (!(e instanceof CommandError)) throw e;
    if (!deploysWithoutArchive(role, e))
      return { stop: { exitCode: e.exitCode, message: e.message, error: e.message } };
    log.say(`  not available yet (${e.message}); ${access.stack} creates it, the record is uploaded after the deploy`);
    return { store: undefined };
  }
}

/**
 * Uploads the record written locally (opening the store now when the check before the deploy found none), logging
 * into `archive.log` (`deploy.log` is sealed by the manifest). Closes the log and the store. Returns where the record
 * went, or why it was not uploaded (the local copy stays, and the way to push it later is printed).
 */
export async function uploadDeployRecord(
  access: DeployArchiveAccess,
  checked: ArchiveStore | undefined,
  record: RecordLocation,
  outcome: string,
): Promise<{ uploadedTo: string } | { error: string }> {
  const { log, cwd } = access;
  log.continueIn(path.join(record.dir, 'archive.log'));
  log.say(`[4/4] upload (${log.elapsed()})`);
  let store = checked;
  try {
    store ??= await openRecordStore(access);
    await uploadRecord(store, record.dir, (line) => log.say(line));
    const url = store.url(record.prefix);
    log.say(`deploy ${access.stack} ${outcome}; record ${url} (${log.elapsed()})`);
    return { uploadedTo: url };
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    log.fail(`deploy: the record was NOT archived: ${e.message}`);
    const push = commandLine('archive', ['push', path.relative(cwd, record.dir) || record.dir], { cwd });
    log.fail(`The record is kept at ${record.dir} (log: ${record.logFile}); upload it with: ${push}`);
    return { error: e.message };
  } finally {
    log.close();
    store?.close();
  }
}
