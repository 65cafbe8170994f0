/**
 * `npm run deploy -- <stack> [cdktf deploy args]`: runs `cdktf deploy <stack>`, streaming its output with a
 * progress line per phase, and afterwards (success or failure) archives a deployment record: the stack's
 * synthesized JSON, the environment's values after the overlay, the saved plan if any, the full log, and last a
 * manifest with the SHA-256 of every file, the git commit, the user and the outcome.
 *
 * The record is first written locally (`.deployments/<env>/<stack>/<id>/`, path printed), then uploaded; if the
 * upload fails the local copy stays and `npm run archive -- push <dir>` uploads it later. Exit codes: cdktf's own
 * when the deploy failed; 0 when deploy and record succeeded; 2 for bad input (nothing deployed); 3 when the
 * archive is unreachable before the deploy (nothing deployed) or the record could not be uploaded after it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseStackName as parseContractStackName, StackNameError, StackRole } from '../../stacks/contract';
import { ConfigError, EnvironmentConfig, loadEnvironments } from '../config';
import { ArchiveError, ArchiveStore } from './archive-store';
import { intFlag, parseFlags, stringFlag, TARGET_FLAGS, targetFlags } from './cli-flags';
import { ArchiveTarget, cdktfBinary, resolveTarget, runProcess, TargetFlags, UsageError } from './archive-target';
import { describeFiles, Manifest, MANIFEST, MANIFEST_FORMAT, recordId, recordPrefix, RECORDS_ROOT, uploadRecord } from './deployment-record';

/** File names of a saved plan inside `cdktf.out/stacks/<stack>/` (written by `npm run plan`). */
export const PLAN_FILES = ['plan.tfplan', 'plan.json'] as const;
/** Local directory that keeps every record (mirrors the bucket's `deployments/` prefix). */
export const LOCAL_RECORDS_DIR = '.deployments';


/** Options for {@link deploy}. */
export interface DeployOptions extends TargetFlags {
  /** The stack to deploy, `<env>-<role>` (e.g. `prod-green`). */
  readonly stack: string;
  /**
   * Extra arguments passed to `cdktf deploy` (e.g. `--auto-approve`).
   * @default []
   */
  readonly cdktfArgs?: readonly string[];
  /**
   * Project directory.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Environment variables (for `CDKTF_BIN`, credentials, `DEPLOY_USER`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Object-lock mode of the record, or `none` for a store without object lock.
   * @default - `archive.objectLockMode` of the environment on AWS; `none` on DigitalOcean (Spaces)
   */
  readonly lockMode?: 'GOVERNANCE' | 'COMPLIANCE' | 'none';
  /**
   * Days the record stays locked.
   * @default - `archive.retentionDays` of the environment
   */
  readonly retentionDays?: number;
  /**
   * Standard input of cdktf (`inherit` lets it ask for approval).
   * @default 'inherit'
   */
  readonly stdin?: 'inherit' | 'ignore';
  /**
   * Where progress and cdktf's standard output go.
   * @default process.stdout
   */
  readonly stdout?: (text: string) => void;
  /**
   * Where cdktf's standard error and error messages go.
   * @default process.stderr
   */
  readonly stderr?: (text: string) => void;
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
  /**
   * The clock.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** What {@link deploy} did. */
export interface DeployResult {
  /** The process exit code to use. */
  readonly exitCode: number;
  /** Whether cdktf succeeded; undefined when it never ran. */
  readonly outcome?: 'succeeded' | 'failed';
  /** Local record directory (kept in every case once the deploy started). */
  readonly recordDir?: string;
  /** The full local log. */
  readonly logFile?: string;
  /** Where the record was uploaded (`s3://bucket/deployments/...`), when it was. */
  readonly uploadedTo?: string;
  /** Why the command failed, when it did. */
  readonly error?: string;
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

/** The commit of the work tree and whether it has uncommitted changes (`unknown` outside a git repository). */
export function gitState(cwd: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
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

/** Runs the deploy and archives its record. Never throws for expected failures: see {@link DeployResult}. */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  const now = options.now ?? (() => new Date());

  // 1. Inputs: stack name, environment values. Nothing runs if they are wrong.
  let environment: string;
  let role: StackRole;
  let config: EnvironmentConfig;
  try {
    ({ environment, role } = parseStackName(options.stack));
    [config] = loadEnvironments({ dir: path.join(cwd, 'environments'), only: [environment] });
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof ConfigError)) throw e;
    stderr(`deploy: ${e.message}\nNothing was deployed.\n`);
    return { exitCode: 2, error: e.message };
  }
  const lockMode = options.lockMode ?? (config.cloud === 'aws' ? config.archive.objectLockMode : 'none');
  const retentionDays = options.retentionDays ?? config.archive.retentionDays;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    stderr(`deploy: --retention-days must be a whole number >= 1, got ${retentionDays}\nNothing was deployed.\n`);
    return { exitCode: 2, error: 'bad retention' };
  }

  const started = now();
  const git = gitState(cwd);
  const id = recordId(started, git.commit);
  const prefix = recordPrefix(environment, options.stack, id);
  const dir = path.join(cwd, LOCAL_RECORDS_DIR, environment, options.stack, id);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'deploy.log');
  let logFd = fs.openSync(logFile, 'a');
  const log = (text: string, to: (t: string) => void = stdout) => {
    to(text);
    fs.writeSync(logFd, text);
  };
  const say = (line: string) => log(`${line}\n`);
  const fail = (line: string) => log(`${line}\n`, stderr);
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

  say(`deploy ${options.stack}: record ${prefix}`);
  say(`  local copy: ${dir}`);
  say(`  log: ${logFile}`);

  // 2. The archive: resolved and checked before anything is deployed (except a first deploy of <env>-shared,
  //    which creates the bucket: its record goes up once the outputs exist).
  say(`[1/4] archive target`);
  const sse = config.cloud === 'aws' ? 'aws:kms' : 'none';
  const storeFor = (target: ArchiveTarget) =>
    new ArchiveStore({ target, serverSideEncryption: sse, env, attempts: options.attempts, baseDelayMs: options.baseDelayMs, log: say });
  let store: ArchiveStore | undefined;
  try {
    const target = await resolveTarget({ ...options, environment, cwd, env, log: (l) => say(`  ${l}`) });
    store = storeFor(target);
    await store.checkBucket();
    say(`  ${store.url()} (${target.endpoint ?? target.region}), lock ${lockMode === 'none' ? 'none' : `${lockMode} ${retentionDays} days`}`);
  } catch (e) {
    store?.close();
    store = undefined;
    if (!(e instanceof UsageError || e instanceof ArchiveError)) throw e;
    if (role !== 'shared' || (e instanceof ArchiveError && e.kind !== 'missing-bucket')) {
      fail(`deploy: ${e.message}`);
      fail(`Nothing was deployed. Log kept at ${logFile}`);
      fs.closeSync(logFd);
      return { exitCode: e instanceof UsageError ? 2 : 3, recordDir: dir, logFile, error: e.message };
    }
    say(`  not available yet (${e.message}); ${options.stack} creates it, the record is uploaded after the deploy`);
  }

  // 3. The deploy, streamed.
  const bin = cdktfBinary(cwd, env);
  const args = ['deploy', options.stack, ...(options.cdktfArgs ?? [])];
  say(`[2/4] cdktf ${args.join(' ')} (${elapsed()})`);
  if (!args.includes('--auto-approve')) say(`  note: without --auto-approve cdktf asks for approval; its prompt may not render while the output is captured`);
  let phase: string | undefined;
  const run = await runProcess(bin, args, {
    cwd,
    env,
    stdin: options.stdin ?? 'inherit',
    onLine: (line, stream) => {
      log(`${line}\n`, stream === 'stdout' ? stdout : stderr);
      const next = phaseOf(line);
      if (next && next !== phase) {
        phase = next;
        say(`  » ${next} (${elapsed()})`);
      }
    },
  });
  if (run.error) fail(run.error);
  const outcome = run.code === 0 ? 'succeeded' : 'failed';
  const finished = now();
  say(`  cdktf exited ${run.code}: deploy ${outcome} (${elapsed()})`);
  if (run.code !== 0 && !terraformPlanned(phase)) {
    // cdktf stopped before Terraform planned (synth error, cdktf usage error, init without credentials or
    // registry): nothing in the cloud changed, so there is no deployment to record in the locked archive.
    fail(`deploy: cdktf stopped before Terraform planned (last phase: ${phase ?? 'none'}); nothing was deployed and no record is archived.`);
    fail(`Log kept at ${logFile}`);
    fs.closeSync(logFd);
    store?.close();
    return { exitCode: run.code, outcome: 'failed', recordDir: dir, logFile, error: `cdktf exited ${run.code} before Terraform planned` };
  }

  // 4. The record, written locally in full (log closed, manifest last).
  say(`[3/4] record ${dir}`);
  const files: string[] = [];
  const copy = (from: string, name: string) => {
    if (!fs.existsSync(from)) return false;
    fs.copyFileSync(from, path.join(dir, name));
    files.push(name);
    return true;
  };
  const stackDir = path.join(cwd, 'cdktf.out', 'stacks', options.stack);
  if (!copy(path.join(stackDir, 'cdk.tf.json'), 'stack.json')) say(`  no synthesized stack at ${path.relative(cwd, stackDir)}/cdk.tf.json (synth did not complete)`);
  fs.writeFileSync(path.join(dir, 'values.json'), `${JSON.stringify(config, null, 2)}\n`);
  files.push('values.json');
  for (const name of PLAN_FILES) if (copy(path.join(stackDir, name), name)) say(`  saved plan ${name} included`);
  const retainUntil = new Date(finished.getTime() + retentionDays * 86400000);
  say(`  record complete locally; uploading next`);
  fs.closeSync(logFd);
  files.push('deploy.log');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    record: prefix,
    environment,
    stack: options.stack,
    outcome,
    exitCode: run.code,
    command: ['cdktf', ...args],
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    user: env.DEPLOY_USER || env.GITHUB_ACTOR || safeUser(),
    git,
    objectLock: lockMode === 'none' ? null : { mode: lockMode, retainUntil: retainUntil.toISOString() },
    files: describeFiles(dir, files),
  };
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

  // From here on the log of the upload goes to archive.log (deploy.log is sealed by the manifest).
  logFd = fs.openSync(path.join(dir, 'archive.log'), 'a');
  const deployCode = run.code;
  say(`[4/4] upload (${elapsed()})`);
  try {
    if (!store) {
      const target = await resolveTarget({ ...options, environment, cwd, env, log: (l) => say(`  ${l}`) });
      store = storeFor(target);
    }
    await uploadRecord(store, dir, say);
    const url = store.url(prefix);
    say(`deploy ${options.stack} ${outcome}; record ${url} (${elapsed()})`);
    return { exitCode: deployCode, outcome, recordDir: dir, logFile, uploadedTo: url, ...(deployCode ? { error: `cdktf exited ${run.code}` } : {}) };
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof ArchiveError)) throw e;
    fail(`deploy: the record was NOT archived: ${e.message}`);
    fail(`The record is kept at ${dir} (log: ${logFile}); upload it with: npm run archive -- push ${path.relative(cwd, dir) || dir}`);
    return { exitCode: deployCode || 3, outcome, recordDir: dir, logFile, error: e.message };
  } finally {
    fs.closeSync(logFd);
    store?.close();
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `npm run deploy --help`. */
export const DEPLOY_HELP = `Usage: npm run deploy -- <stack> [options] [cdktf deploy args]

Runs cdktf deploy <stack> (e.g. prod-green), streaming its output with a progress line per phase, then writes a
deployment record to the environment's archive bucket under
  ${RECORDS_ROOT}/<env>/<stack>/<UTC time>-<git sha>/
with stack.json, values.json, plan.tfplan + plan.json (if npm run plan saved them), deploy.log and, last,
manifest.json (SHA-256 of every file, git commit, user, outcome). A local copy stays in ${LOCAL_RECORDS_DIR}/.

Options (everything else, and everything after --, goes to cdktf deploy):
  --bucket <name>         records bucket (default: output deployment_records_bucket of <env>-shared)
  --region <region>       its region (default: output archive_region)
  --endpoint <url>        S3-compatible endpoint, e.g. https://fra1.digitaloceanspaces.com (default: output archive_endpoint)
  --path-style            address the bucket in the URL path (automatic for localhost/IP endpoints)
  --shared-outputs <file> read <env>-shared outputs from this file (cdktf output --outputs-file) instead of running cdktf
  --lock-mode <mode>      GOVERNANCE, COMPLIANCE or none (default: archive.objectLockMode; none on DigitalOcean)
  --retention-days <n>    days the record stays locked (default: archive.retentionDays)
  -h, --help              this text

Environment: CDKTF_BIN (the cdktf executable; default node_modules/.bin/cdktf), AWS_PROFILE or AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY (SPACES_ACCESS_KEY_ID/SPACES_SECRET_ACCESS_KEY for Spaces), DEPLOY_USER (recorded user).
Exit: cdktf's code if the deploy failed; 2 bad input; 3 archive unreachable (nothing deployed) or record not uploaded.
`;

/** The CLI: parses `argv` (after `npm run deploy --`), runs {@link deploy}, returns the exit code. */
export async function deployMain(argv: readonly string[], overrides: Partial<DeployOptions> = {}): Promise<number> {
  const stdout = overrides.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = overrides.stderr ?? ((t: string) => void process.stderr.write(t));
  let options: DeployOptions;
  try {
    const { flags, rest } = parseFlags(argv, { values: [...TARGET_FLAGS, 'lock-mode', 'retention-days'], switches: ['path-style', 'help'] });
    if (flags.help) {
      stdout(DEPLOY_HELP);
      return 0;
    }
    const [stack, ...cdktfArgs] = rest;
    if (!stack || stack.startsWith('-')) throw new UsageError('which stack? e.g. npm run deploy -- prod-green (see --help)');
    const lock = stringFlag(flags, 'lock-mode');
    if (lock !== undefined && !['GOVERNANCE', 'COMPLIANCE', 'none'].includes(lock)) {
      throw new UsageError(`--lock-mode must be GOVERNANCE, COMPLIANCE or none, got "${lock}"`);
    }
    options = {
      ...overrides,
      ...targetFlags(flags),
      stack,
      cdktfArgs,
      ...(lock ? { lockMode: lock as DeployOptions['lockMode'] } : {}),
      ...(flags['retention-days'] ? { retentionDays: intFlag(flags, 'retention-days', 1) } : {}),
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr(`deploy: ${e.message}\n`);
    return 2;
  }
  return (await deploy(options)).exitCode;
}
