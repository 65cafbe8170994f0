/**
 * `npm run archive -- verify <prefix> | list <env> | push <dir>`: checks, lists and uploads deployment records.
 *
 * - `verify` downloads a record and checks every file against the SHA-256 in its manifest; exits 1 on any
 *   mismatch, missing file, unlisted file or missing manifest (an incomplete record).
 * - `list` shows an environment's records, newest first, with outcome, commit and user.
 * - `push` uploads a record kept locally by `npm run deploy` when its upload failed (files first, manifest last).
 */
import * as path from 'path';
import { ConfigError, loadEnvironments } from '../config';
import { intFlag, stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { CommandIo } from '../cli/io';
import { ArchiveStore } from './archive-store';
import { DEPRECATED_TARGET_FLAGS, resolveTarget, TARGET_FLAGS, TargetFlags, targetFlags } from './archive-target';
import {
  LockMode,
  listRecords,
  Manifest,
  normalizePrefix,
  readLocalManifest,
  RecordSummary,
  uploadRecord,
  verifyRecord,
  VerifyResult,
} from './deployment-record';
import { retentionFloor, weakerRetention } from './deploy';

/** Options shared by the archive subcommands. */
export interface ArchiveOptions extends TargetFlags {
  /**
   * Project directory (where `cdktf output` runs).
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Environment variables (credentials, `CDKTF_BIN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Server-side encryption for `push` uploads.
   * @default 'aws:kms'
   */
  readonly serverSideEncryption?: 'aws:kms' | 'none';
  /**
   * Attempts per request.
   * @default 5
   */
  readonly attempts?: number;
  /**
   * First retry delay in milliseconds.
   * @default 500
   */
  readonly baseDelayMs?: number;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

async function openStore(environment: string, options: ArchiveOptions, bucket?: string): Promise<ArchiveStore> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const target = await resolveTarget({
    ...options,
    bucket: options.bucket ?? bucket,
    environment,
    cwd,
    env: options.env,
    log: options.log,
  });
  return new ArchiveStore({
    target,
    env: options.env,
    attempts: options.attempts,
    baseDelayMs: options.baseDelayMs,
    serverSideEncryption: options.serverSideEncryption,
    log: options.log,
  });
}

/** Verifies the record at `prefix` (`deployments/<env>/<stack>/<id>/` or `s3://bucket/deployments/...`). */
export async function verifyArchive(prefix: string, options: ArchiveOptions = {}): Promise<VerifyResult> {
  const parsed = normalizePrefix(prefix);
  const store = await openStore(parsed.environment, options, parsed.bucket);
  try {
    return await verifyRecord(store, parsed.prefix);
  } finally {
    store.close();
  }
}

/** Lists an environment's records, newest first. */
export async function listArchive(
  environment: string,
  options: ArchiveOptions & { stack?: string; limit?: number } = {},
): Promise<RecordSummary[]> {
  if (!/^[a-z][a-z0-9-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name`);
  const store = await openStore(environment, options);
  try {
    return await listRecords(store, environment, { stack: options.stack, limit: options.limit });
  } finally {
    store.close();
  }
}

/**
 * Uploads a local record directory (as kept by `npm run deploy`); returns its `s3://` URL. Refuses a manifest
 * whose file names leave the directory or whose prefix does not match its environment and stack, and one whose
 * retention is weaker than the environment's values (`environments/<env>.yaml` in the project directory).
 */
export async function pushArchive(dir: string, options: ArchiveOptions = {}): Promise<string> {
  const manifest = readLocalManifest(dir);
  checkRetention(manifest, path.resolve(options.cwd ?? process.cwd()));
  const store = await openStore(manifest.environment, options);
  try {
    await uploadRecord(store, dir, options.log);
    return store.url(manifest.record);
  } finally {
    store.close();
  }
}

/** Throws a {@link UsageError} unless the manifest's lock is at least the environment's (mode and days). */
function checkRetention(manifest: Manifest, cwd: string): void {
  let floor;
  try {
    floor = retentionFloor(loadEnvironments({ dir: path.join(cwd, 'environments'), only: [manifest.environment] })[0]);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new UsageError(
      `cannot check the record's retention against environment ${manifest.environment}: ${e.message}`,
    );
  }
  const lock = manifest.objectLock;
  const mode: LockMode = lock ? (lock.mode as LockMode) : 'none';
  const until = lock ? Date.parse(lock.retainUntil) : NaN;
  const days = lock ? Math.floor((until - Date.parse(manifest.finishedAt)) / 86400000) : 0;
  const weaker = weakerRetention(
    floor,
    { lockMode: mode, retentionDays: floor.lockMode === 'none' && !lock ? floor.retentionDays : days },
    manifest.record,
  );
  if (weaker)
    throw new UsageError(
      `${weaker} (the manifest asks for ${lock ? `${lock.mode} until ${lock.retainUntil}` : 'no lock'}); refusing to upload it`,
    );
}

/** `npm run archive -- --help`. */
export const ARCHIVE_HELP = `Usage:
  npm run archive -- verify <prefix>   download a record and check every file's SHA-256 against its manifest
  npm run archive -- list <env>        list an environment's deployment records, newest first
  npm run archive -- push <dir>        upload a record kept locally (.deployments/...) after a failed upload

<prefix> is deployments/<env>/<stack>/<UTC time>-<git sha>/ (as printed by deploy and list), or s3://bucket/...

Options:
  --bucket <name>         records bucket (default: output deployment_records_bucket of <env>-shared)
  --region <region>       its region (default: output archive_region)
  --endpoint <url>        S3-compatible endpoint (DigitalOcean Spaces; default: output archive_endpoint)
  --path-style            address the bucket in the URL path (automatic for localhost/IP endpoints)
  --outputs <file>        read <env>-shared outputs from this file (cdktf output --outputs-file) instead of running cdktf
  --stack <stack>         list: only this stack's records
  --limit <n>             list: at most n records (default 50)
  --json                  print JSON instead of text
  --no-kms                push: do not request SSE-KMS (stores without KMS, e.g. Spaces)
  -h, --help              this text

Exit: 0 ok; 1 verify found a problem; 2 bad input; 3 the archive could not be read or written, or the <env>-shared
outputs could not be read (no credentials, provider not installable, stack not deployed: the message says which).
`;

/** The CLI: parses `argv` (after `npm run archive --`), runs the subcommand, returns the exit code. */
export const archiveMain = defineCommand<Promise<number>, CommandIo & Partial<ArchiveOptions>>({
  command: 'archive',
  help: ARCHIVE_HELP,
  flags: {
    ...TARGET_FLAGS,
    stack: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    'no-kms': { type: 'boolean' },
  },
  deprecated: DEPRECATED_TARGET_FLAGS,
  run: async (args, io): Promise<number> => {
    const { stdout, stderr } = io;
    if (args.positionals.length === 0) {
      stderr(ARCHIVE_HELP);
      return ExitCode.USAGE;
    }
    const [command, arg, ...extra] = args.positionals;
    if (!arg) throw new UsageError(`${command} needs an argument (see --help)`);
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const options: ArchiveOptions = {
      ...io,
      ...targetFlags(args),
      ...(args.flags['no-kms'] ? { serverSideEncryption: 'none' as const } : {}),
      log: (line) => stderr(`${line}\n`),
    };
    switch (command) {
      case 'verify': {
        const result = await verifyArchive(arg, options);
        if (args.flags.json) stdout(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const f of result.files)
            stdout(`${f.status === 'ok' ? 'ok      ' : f.status.padEnd(8)} ${f.name}  ${f.actual ?? ''}\n`);
          for (const problem of result.problems) stderr(`problem: ${problem}\n`);
          stdout(
            result.problems.length === 0
              ? `record ${result.prefix} is intact (${result.files.length} files; ${result.manifest?.outcome} deploy of ${result.manifest?.git.commit.slice(0, 12)} by ${result.manifest?.user})\n`
              : `record ${result.prefix} FAILED verification (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'})\n`,
          );
        }
        return result.problems.length === 0 ? ExitCode.OK : ExitCode.FAILED;
      }
      case 'list': {
        const records = await listArchive(arg, {
          ...options,
          stack: stringFlag(args, 'stack'),
          limit: intFlag(args, 'limit', 1),
        });
        if (args.flags.json) stdout(`${JSON.stringify(records, null, 2)}\n`);
        else if (records.length === 0) stdout(`no deployment records for ${arg}\n`);
        else {
          for (const r of records) {
            const status = r.complete ? (r.manifest?.outcome ?? '?') : 'INCOMPLETE';
            stdout(
              `${r.prefix}  ${status.padEnd(10)} ${r.manifest ? `${r.manifest.git.commit.slice(0, 12)}  ${r.manifest.user}` : '(no manifest)'}\n`,
            );
          }
        }
        return ExitCode.OK;
      }
      case 'push': {
        const url = await pushArchive(arg, options);
        stdout(`uploaded ${url}\n`);
        return ExitCode.OK;
      }
      default:
        throw new UsageError(`unknown subcommand "${command}": expected verify, list or push (see --help)`);
    }
  },
});
