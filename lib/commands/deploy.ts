/**
 * `npm run deploy -- <stack> [cdktf deploy args]`: runs `cdktf deploy <stack>`, streaming its output with a
 * progress line per phase, and afterwards (success, failure or interruption) archives a deployment record: the
 * stack's synthesized JSON, the environment's values after the overlay, the full log, and last a manifest with the
 * SHA-256 of every file, the git commit, the deployer (the identity the cloud returns for the credentials) and the
 * outcome. No plan file is archived: `cdktf deploy` makes and applies its own plan, which Terraform prints into the
 * log (sensitive values masked); a plan saved earlier by `npm run plan` is of another run and would mislead.
 *
 * SIGINT and SIGTERM (Ctrl-C, a CI cancel) are forwarded to cdktf (and, through its process group, Terraform);
 * the command waits for them to stop gracefully, records the deploy as `interrupted` and exits 130 or 143.
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
import { FlagSpec, intFlag, stringFlag } from '../cli/args';
import { cdktfBinary, plainOutputEnv, runProcess } from '../cli/cdktf';
import { defineCommand } from '../cli/command';
import { CommandError, UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { CommandIo } from '../cli/io';
import { commandLine } from '../cli/invocation';
import { plainText } from '../cli/terminal';
import { ArchiveTarget, DEPRECATED_TARGET_FLAGS, resolveTarget, TARGET_FLAGS, TargetFlags, targetFlags } from './archive-target';
import { CallerIdentity, CallerIdentityLookup, defaultCallerIdentity, IdentityError } from './caller-identity';
import { BundleDeploy, BundleError, bundleForDeploy } from './bundle';
import { describeFiles, LOCK_STRENGTH, LockMode, Manifest, MANIFEST, MANIFEST_FORMAT, recordId, recordPrefix, RECORDS_ROOT, uploadRecord } from './deployment-record';

/** What the manifest says about plans: none is archived, and why. */
export const NO_PLAN_ARCHIVED =
  'none archived: cdktf deploy made and applied its own plan, printed by Terraform in deploy.log (sensitive values masked); a plan saved by npm run plan is of another run';

/** Local directory that keeps every record (mirrors the bucket's `deployments/` prefix). */
export const LOCAL_RECORDS_DIR = '.deployments';


/** Options for {@link deploy}. */
export interface DeployOptions extends TargetFlags {
  /** The stack to deploy, `<env>-<role>` (e.g. `prod-green`). */
  readonly stack: string;
  /**
   * A release bundle (`npm run bundle`): verified, then exactly its stack is deployed (`--skip-synth`) and the record
   * stores its digest. A bundle that does not verify is refused before anything runs.
   * @default - synthesize the working tree, as `cdktf deploy` does
   */
  readonly bundle?: string;
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
   * Environment variables (for `CDKTF_BIN`, credentials, `GITHUB_ACTOR`/`DEPLOY_USER`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Object-lock mode of the record, or `none` for a store without object lock. Never weaker than the
   * environment's (`none` < `GOVERNANCE` < `COMPLIANCE`): a weaker mode is refused before anything runs.
   * @default - `archive.objectLockMode` of the environment on AWS; `none` on DigitalOcean (Spaces)
   */
  readonly lockMode?: LockMode;
  /**
   * Days the record stays locked; never fewer than the environment's `archive.retentionDays` (refused).
   * @default - `archive.retentionDays` of the environment
   */
  readonly retentionDays?: number;
  /**
   * Finds who is deploying, as the cloud sees the credentials (recorded as the manifest's `user`).
   * @default defaultCallerIdentity - AWS STS GetCallerIdentity; DigitalOcean GET /v2/account
   */
  readonly callerIdentity?: CallerIdentityLookup;
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
  /** Whether cdktf succeeded; `interrupted` after SIGINT/SIGTERM; undefined when it never ran. */
  readonly outcome?: 'succeeded' | 'failed' | 'interrupted';
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

/**
 * The commit of the work tree and whether it differs from it (`unknown` outside a git repository): `dirty` is true
 * when any file of the whole work tree is modified, staged or untracked (an untracked values file is deployed but
 * not in the commit), except git-ignored files and the command's own output (`.deployments/`, `cdktf.out/`).
 */
export function gitState(cwd: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', '.', `:(exclude)${LOCAL_RECORDS_DIR}`, ':(exclude)cdktf.out'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
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
  if (!options.bundle) return deployStack(options);
  const bundle = await bundleForDeploy(options.bundle, options.stack, path.resolve(options.cwd ?? process.cwd())).catch((e: unknown) => e as Error);
  if (!(bundle instanceof Error)) return deployStack(options, bundle).finally(bundle.cleanup);
  if (!(bundle instanceof BundleError || bundle instanceof UsageError)) throw bundle;
  (options.stderr ?? ((t: string) => void process.stderr.write(t)))(`deploy: ${bundle.message}\nNothing was deployed.\n`);
  return { exitCode: 2, error: bundle.message };
}

async function deployStack(options: DeployOptions, bundle?: BundleDeploy): Promise<DeployResult> {
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
    [config] = bundle ? [bundle.config] : loadEnvironments({ dir: path.join(cwd, 'environments'), only: [environment] });
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof ConfigError)) throw e;
    stderr(`deploy: ${e.message}\nNothing was deployed.\n`);
    return { exitCode: ExitCode.USAGE, error: e.message };
  }
  const floor = retentionFloor(config);
  const lockMode = options.lockMode ?? floor.lockMode;
  const retentionDays = options.retentionDays ?? floor.retentionDays;
  const weaker = weakerRetention(floor, { lockMode, retentionDays }, options.stack);
  if (weaker) {
    stderr(`deploy: ${weaker}\nNothing was deployed.\n`);
    return { exitCode: 2, error: weaker };
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
    if (!(e instanceof CommandError)) throw e;
    if (role !== 'shared' || (e instanceof ArchiveError && e.kind !== 'missing-bucket')) {
      fail(`deploy: ${e.message}`);
      fail(`Nothing was deployed. Log kept at ${logFile}`);
      fs.closeSync(logFd);
      return { exitCode: e.exitCode, recordDir: dir, logFile, error: e.message };
    }
    say(`  not available yet (${e.message}); ${options.stack} creates it, the record is uploaded after the deploy`);
  }

  // The deployer, as the cloud sees the credentials: established before anything is deployed.
  let deployer: CallerIdentity;
  try {
    deployer = await (options.callerIdentity ?? defaultCallerIdentity)(config.cloud, env);
    say(`  deployer: ${deployer.principal} (${deployer.source})`);
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    fail(`deploy: cannot establish who is deploying: ${e.message}`);
    fail(`Nothing was deployed. Log kept at ${logFile}`);
    fs.closeSync(logFd);
    store?.close();
    return { exitCode: 3, recordDir: dir, logFile, error: e.message };
  }

  // 3. The deploy, streamed. SIGINT/SIGTERM are forwarded to cdktf, and this process stays until it has stopped.
  const bin = cdktfBinary(cwd, env);
  const args = ['deploy', options.stack, ...(bundle?.cdktfArgs ?? []), ...(options.cdktfArgs ?? [])];
  say(`[2/4] cdktf ${args.join(' ')} (${elapsed()})`);
  if (!args.includes('--auto-approve')) say(`  note: without --auto-approve cdktf asks for approval; its prompt may not render while the output is captured`);
  let phase: string | undefined;
  const stdinMode = options.stdin ?? 'inherit';
  const signals = forwardSignals(stdinMode === 'inherit' && process.stdin.isTTY === true, (line) => log(`${line}\n`, stderr));
  let run: { code: number; error?: string };
  try {
    // Output captured without a terminal to answer prompts: ask cdktf for plain output (no spinner, no colours).
    const interactive = stdinMode === 'inherit' && process.stdin.isTTY === true && !args.includes('--auto-approve');
    run = await runProcess(bin, args, {
    cwd,
    env: interactive ? env : plainOutputEnv(env),
    stdin: stdinMode,
    detached: signals.detached,
    onSpawn: signals.attach,
    onLine: (line, stream) => {
      log(`${line}\n`, stream === 'stdout' ? stdout : stderr);
      const next = phaseOf(line);
      if (next && next !== phase) {
        phase = next;
        say(`  » ${next} (${elapsed()})`);
      }
    },
  });
  } finally {
    signals.childExited();
  }
  const interrupted = signals.received();
  if (run.error && !interrupted) fail(run.error);
  const outcome = interrupted ? 'interrupted' : run.code === 0 ? 'succeeded' : 'failed';
  const finished = now();
  say(`  cdktf exited ${run.code}: deploy ${outcome}${interrupted ? ` by ${interrupted}` : ''} (${elapsed()})`);
  const finish = (result: DeployResult): DeployResult => {
    signals.release();
    return interrupted ? { ...result, exitCode: SIGNAL_EXIT[interrupted], error: `interrupted by ${interrupted}` } : result;
  };
  if (run.code !== 0 && !interrupted && !terraformPlanned(phase)) {
    // cdktf stopped before Terraform planned (synth error, cdktf usage error, init without credentials or
    // registry): nothing in the cloud changed, so there is no deployment to record in the locked archive.
    fail(`deploy: cdktf stopped before Terraform planned (last phase: ${phase ?? 'none'}); nothing was deployed and no record is archived.`);
    fail(`Log kept at ${logFile}`);
    fs.closeSync(logFd);
    store?.close();
    return finish({ exitCode: run.code, outcome: 'failed', recordDir: dir, logFile, error: `cdktf exited ${run.code} before Terraform planned` });
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
  const stackDir = path.join(bundle?.outdir ?? path.join(cwd, 'cdktf.out'), 'stacks', options.stack);
  if (!copy(path.join(stackDir, 'cdk.tf.json'), 'stack.json')) say(`  no synthesized stack at ${path.relative(cwd, stackDir)}/cdk.tf.json (synth did not complete)`);
  fs.writeFileSync(path.join(dir, 'values.json'), `${JSON.stringify(config, null, 2)}\n`);
  files.push('values.json');
  say(`  plan: ${NO_PLAN_ARCHIVED}`);
  const retainUntil = new Date(finished.getTime() + retentionDays * 86400000);
  say(`  record complete locally; uploading next`);
  fs.closeSync(logFd);
  // The archived log is plain text: escape codes and spinner redraws that reached it are resolved and removed.
  fs.writeFileSync(logFile, plainText(fs.readFileSync(logFile, 'utf8')));
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
    ...(interrupted ? { signal: interrupted } : {}),
    user: deployer.principal,
    deployer,
    requestedBy: env.GITHUB_ACTOR || env.DEPLOY_USER || safeUser(),
    git,
    ...(bundle ? { bundle: bundle.record } : {}),
    plan: NO_PLAN_ARCHIVED,
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
    return finish({ exitCode: deployCode, outcome, recordDir: dir, logFile, uploadedTo: url, ...(deployCode ? { error: `cdktf exited ${run.code}` } : {}) });
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    fail(`deploy: the record was NOT archived: ${e.message}`);
    fail(`The record is kept at ${dir} (log: ${logFile}); upload it with: ${commandLine('archive', ['push', path.relative(cwd, dir) || dir], { cwd })}`);
    return finish({ exitCode: deployCode || ExitCode.PREREQUISITE, outcome, recordDir: dir, logFile, error: e.message });
  } finally {
    fs.closeSync(logFd);
    store?.close();
  }
}

/** The exit code after a signal: 128 + its number, as shells report it. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Handles SIGINT/SIGTERM while cdktf runs and until the record is uploaded: each signal is forwarded to cdktf's
 * process group (cdktf and the Terraform it runs), and this process stays until they have stopped, so Terraform
 * can finish its current operations, write state and release its lock. On a terminal (interactive approval) the
 * child shares the terminal's process group, which already delivers Ctrl-C to it: SIGINT is then not sent twice
 * (a second interrupt makes Terraform stop at once).
 */
function forwardSignals(interactive: boolean, note: (line: string) => void) {
  let pid: number | undefined;
  let running = false;
  let first: keyof typeof SIGNAL_EXIT | undefined;
  const handler = (signal: keyof typeof SIGNAL_EXIT) => {
    first ??= signal;
    if (!running || pid === undefined) {
      note(`deploy: ${signal} received; finishing the deployment record before exiting`);
      return;
    }
    note(`deploy: ${signal} received; forwarded to cdktf, waiting for Terraform to stop gracefully (the record follows)`);
    if (interactive && signal === 'SIGINT') return; // the terminal sent it to cdktf already
    try {
      if (interactive) process.kill(pid, signal);
      else process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    detached: !interactive,
    attach: (childPid: number) => {
      pid = childPid;
      running = true;
    },
    childExited: () => {
      running = false;
    },
    received: () => first,
    release: () => {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
    },
  };
}

/** The environment's retention: the floor a deploy or a push may not go below. */
export function retentionFloor(config: EnvironmentConfig): { lockMode: LockMode; retentionDays: number } {
  return { lockMode: config.cloud === 'aws' ? config.archive.objectLockMode : 'none', retentionDays: config.archive.retentionDays };
}

/** Why `asked` is weaker than the environment's `floor` (undefined when it is not). */
export function weakerRetention(floor: { lockMode: LockMode; retentionDays: number }, asked: { lockMode: LockMode; retentionDays: number }, what: string): string | undefined {
  if (LOCK_STRENGTH[asked.lockMode] < LOCK_STRENGTH[floor.lockMode]) {
    return `lock mode ${asked.lockMode} is weaker than ${floor.lockMode}, the environment's archive.objectLockMode, for ${what}; records keep at least the environment's lock`;
  }
  if (!Number.isInteger(asked.retentionDays) || asked.retentionDays < floor.retentionDays) {
    return `retention of ${asked.retentionDays} days is below ${floor.retentionDays}, the environment's archive.retentionDays, for ${what}; records are kept at least that long`;
  }
  return undefined;
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
with stack.json, values.json, deploy.log and, last, manifest.json (SHA-256 of every file, git commit, the
deployer as the cloud returns it for the credentials (STS GetCallerIdentity on AWS), outcome). No plan file is
archived (cdktf deploy makes its own plan; Terraform prints it into deploy.log, sensitive values masked).
A local copy stays in ${LOCAL_RECORDS_DIR}/. Ctrl-C or SIGTERM is forwarded to cdktf; the deploy waits for
Terraform to stop, archives a record marked interrupted and exits 130 (SIGINT) or 143 (SIGTERM).

Options (cdktf deploy's own flags, e.g. --auto-approve or --outputs-file <file>, and everything after --, go to
cdktf deploy):
  --bucket <name>         records bucket (default: output deployment_records_bucket of <env>-shared)
  --region <region>       its region (default: output archive_region)
  --endpoint <url>        S3-compatible endpoint, e.g. https://fra1.digitaloceanspaces.com (default: output archive_endpoint)
  --path-style            address the bucket in the URL path (automatic for localhost/IP endpoints)
  --outputs <file>        read <env>-shared outputs from this file (cdktf output --outputs-file) instead of running cdktf
  --lock-mode <mode>      GOVERNANCE, COMPLIANCE or none, never weaker than archive.objectLockMode (the default;
                          none on DigitalOcean)
  --retention-days <n>    days the record stays locked, never fewer than archive.retentionDays (the default)
  --bundle <file>         deploy exactly this release bundle's stack (npm run bundle; verified first, refused when
                          any member or its digest does not match); the record stores the bundle's digest
  -h, --help              this text

Environment: CDKTF_BIN (the cdktf executable; default node_modules/.bin/cdktf), AWS_PROFILE or AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY (SPACES_ACCESS_KEY_ID/SPACES_SECRET_ACCESS_KEY for Spaces), DIGITALOCEAN_TOKEN;
GITHUB_ACTOR or DEPLOY_USER is recorded as requestedBy (self-declared; the recorded user is the cloud's answer).
Exit: cdktf's code if the deploy failed; 2 bad input; 3 archive unreachable or deployer unknown (nothing deployed)
or record not uploaded; 130/143 interrupted by SIGINT/SIGTERM (record archived).
`;

/** Flags of `cdktf deploy` that `deploy` passes on (from `cdktf deploy --help`, cdktf 0.21); anything else goes after `--`. */
export const CDKTF_DEPLOY_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'auto-approve': { type: 'boolean' },
  'outputs-file': { type: 'string' },
  'outputs-file-include-sensitive-outputs': { type: 'boolean' },
  'ignore-missing-stack-dependencies': { type: 'boolean' },
  parallelism: { type: 'string' },
  'terraform-parallelism': { type: 'string' },
  var: { type: 'string' },
  'var-file': { type: 'string' },
  'no-color': { type: 'boolean' },
  'migrate-state': { type: 'boolean' },
  'skip-synth': { type: 'boolean' },
  'skip-provider-lock': { type: 'boolean' },
  'refresh-only': { type: 'boolean' },
};

/** The CLI: parses `argv` (after `npm run deploy --`), runs {@link deploy}, returns the exit code. */
export const deployMain = defineCommand<Promise<number>, CommandIo & Partial<DeployOptions>>({
  command: 'deploy',
  help: DEPLOY_HELP,
  flags: { ...TARGET_FLAGS, 'lock-mode': { type: 'string' }, 'retention-days': { type: 'string' }, bundle: { type: 'string' } },
  deprecated: DEPRECATED_TARGET_FLAGS,
  passThrough: CDKTF_DEPLOY_FLAGS,
  run: async (args, io): Promise<number> => {
    const [stack, ...extra] = args.positionals;
    if (!stack) throw new UsageError(`which stack? e.g. ${commandLine('deploy', ['prod-green'], io)} (see --help)`);
    if (extra.length > 0) throw new UsageError(`expected one stack, got ${args.positionals.join(' ')} (arguments for cdktf deploy go after --)`);
    const lock = stringFlag(args, 'lock-mode');
    if (lock !== undefined && !['GOVERNANCE', 'COMPLIANCE', 'none'].includes(lock)) {
      throw new UsageError(`--lock-mode must be GOVERNANCE, COMPLIANCE or none, got "${lock}"`);
    }
    const options: DeployOptions = {
      ...io,
      ...targetFlags(args),
      stack,
      cdktfArgs: args.passThrough,
      ...(lock ? { lockMode: lock as DeployOptions['lockMode'] } : {}),
      ...(args.flags['retention-days'] ? { retentionDays: intFlag(args, 'retention-days', 1) } : {}),
      ...(stringFlag(args, 'bundle') ? { bundle: stringFlag(args, 'bundle') } : {}),
    };
    return (await deploy(options)).exitCode;
  },
});
