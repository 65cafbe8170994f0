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
import * as path from 'path';
import { StackRole } from '../../stacks/contract';
import { ConfigError, EnvironmentConfig, loadEnvironments } from '../config';
import { FlagSpec, intFlag, stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { CommandIo } from '../cli/io';
import { commandLine } from '../cli/invocation';
import { DEPRECATED_TARGET_FLAGS, TARGET_FLAGS, TargetFlags, targetFlags } from './archive-target';
import { CallerIdentityLookup, defaultCallerIdentity } from './caller-identity';
import { LockMode, RECORDS_ROOT } from './deployment-record';
import { checkArchive, DeployArchiveAccess, uploadDeployRecord } from './deploy/archive';
import {
  cdktfDeployArgs,
  LOCAL_RECORDS_DIR,
  parseStackName,
  recordEncryption,
  recordRetention,
  Retention,
  retentionFloor,
  terraformPlanned,
  weakerRetention,
} from './deploy/plan';
import { startRecord, whoDeploys, writeLocalRecord } from './deploy/record';
import { BundleDeploy, BundleError, bundleForDeploy } from './bundle';
import { afterSignal, runCdktfDeploy } from './deploy/run';

// The parts of a deploy (lib/commands/deploy/): its plan (pure), its log, the cdktf run with signal forwarding, the
// record and the archive. Re-exported here, the public entry.
export {
  LOCAL_RECORDS_DIR,
  parseStackName,
  phaseOf,
  retentionFloor,
  terraformPlanned,
  weakerRetention,
} from './deploy/plan';
export { gitState, NO_PLAN_ARCHIVED } from './deploy/record';
export { SIGNAL_EXIT } from './deploy/run';

/** Options for {@link deploy}. */
export interface DeployOptions extends TargetFlags {
  /**
   * A release bundle (`npm run bundle`): verified, then exactly its stack is deployed (`--skip-synth`) and the record
   * stores its digest. A bundle that does not verify is refused before anything runs.
   * @default - synthesize the working tree, as `cdktf deploy` does
   */
  readonly bundle?: string;
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

/** What {@link deploy} checked before anything runs: the stack's environment, its values, the record's retention. */
interface DeployInputs {
  readonly environment: string;
  readonly role: StackRole;
  readonly config: EnvironmentConfig;
  readonly retention: Retention;
}

/** Reads and checks the inputs (stack name, environment values, retention), or says why nothing may run. */
function deployInputs(
  options: DeployOptions,
  cwd: string,
  bundle?: BundleDeploy,
): DeployInputs | { readonly refused: string } {
  let environment: string;
  let role: StackRole;
  let config: EnvironmentConfig;
  try {
    ({ environment, role } = parseStackName(options.stack));
    [config] = bundle
      ? [bundle.config]
      : loadEnvironments({ dir: path.join(cwd, 'environments'), only: [environment] });
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof ConfigError)) throw e;
    return { refused: e.message };
  }
  const retention = recordRetention(config, options);
  const weaker = weakerRetention(retentionFloor(config), retention, options.stack);
  return weaker ? { refused: weaker } : { environment, role, config, retention };
}

/** Runs the deploy and archives its record. Never throws for expected failures: see {@link DeployResult}. */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  if (!options.bundle) return deployStack(options);
  const bundle = await bundleForDeploy(options.bundle, options.stack, path.resolve(options.cwd ?? process.cwd())).catch(
    (e: unknown) => e as Error,
  );
  if (!(bundle instanceof Error)) return deployStack(options, bundle).finally(bundle.cleanup);
  if (!(bundle instanceof BundleError || bundle instanceof UsageError)) throw bundle;
  (options.stderr ?? ((t: string) => void process.stderr.write(t)))(
    `deploy: ${bundle.message}\nNothing was deployed.\n`,
  );
  return { exitCode: ExitCode.USAGE, error: bundle.message };
}

/** {@link deploy} of the working tree's synthesized stack, or of a verified bundle's. */
async function deployStack(options: DeployOptions, bundle?: BundleDeploy): Promise<DeployResult> {
  const { stack, attempts, baseDelayMs } = options;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  // 1. Inputs: stack name, environment values, retention. Nothing runs if they are wrong.
  const inputs = deployInputs(options, cwd, bundle);
  if ('refused' in inputs) {
    stderr(`deploy: ${inputs.refused}\nNothing was deployed.\n`);
    return { exitCode: ExitCode.USAGE, error: inputs.refused };
  }
  const now = options.now ?? (() => new Date());
  const started = now();
  const { git, record, log } = startRecord(cwd, inputs.environment, stack, started, {
    stdout: options.stdout ?? ((t: string) => void process.stdout.write(t)),
    stderr,
  });
  const env = options.env ?? process.env;
  const access: DeployArchiveAccess = {
    flags: options,
    stack,
    environment: inputs.environment,
    cwd,
    env,
    encryption: recordEncryption(inputs.config),
    attempts,
    baseDelayMs,
    log,
  };

  // 2. The archive and the deployer, established before anything is deployed (except a first deploy of
  //    <env>-shared, which creates the bucket: its record goes up once the outputs exist).
  const archive = await checkArchive(access, inputs.role, inputs.retention);
  const store = 'store' in archive ? archive.store : undefined;
  const identity =
    'stop' in archive
      ? archive
      : await whoDeploys(options.callerIdentity ?? defaultCallerIdentity, inputs.config.cloud, env, log);
  const kept = { recordDir: record.dir, logFile: record.logFile };
  if ('stop' in identity) {
    log.fail(`deploy: ${identity.stop.message}`);
    log.fail(`Nothing was deployed. Log kept at ${record.logFile}`);
    log.close();
    store?.close();
    return { exitCode: identity.stop.exitCode, ...kept, error: identity.stop.error };
  }

  // 3. The deploy, streamed. SIGINT/SIGTERM are forwarded to cdktf, and this process stays until it has stopped.
  const args = cdktfDeployArgs(stack, [...(bundle?.cdktfArgs ?? []), ...(options.cdktfArgs ?? [])]);
  const end = await runCdktfDeploy({ cwd, env, args, stdin: options.stdin ?? 'inherit', log });
  const finished = now();
  try {
    if (end.code !== 0 && !end.interrupted && !terraformPlanned(end.phase)) {
      // cdktf stopped before Terraform planned (synth error, cdktf usage error, init without credentials or
      // registry): nothing in the cloud changed, so there is no deployment to record in the locked archive.
      log.fail(
        `deploy: cdktf stopped before Terraform planned (last phase: ${end.phase ?? 'none'}); nothing was deployed and no record is archived.`,
      );
      log.fail(`Log kept at ${record.logFile}`);
      log.close();
      store?.close();
      return afterSignal<DeployResult>(
        { exitCode: end.code, outcome: 'failed', ...kept, error: `cdktf exited ${end.code} before Terraform planned` },
        end.interrupted,
      );
    }
    // 4. The record, written locally in full (log closed, manifest last), then uploaded.
    writeLocalRecord(
      {
        ...inputs,
        cwd,
        stack,
        record,
        args,
        end,
        started,
        finished,
        deployer: identity.deployer,
        env,
        git,
        ...(bundle ? { outdir: bundle.outdir, bundle: bundle.record } : {}),
      },
      log,
    );
    const upload = await uploadDeployRecord(access, store, record, end.outcome);
    const result: DeployResult =
      'uploadedTo' in upload
        ? {
            exitCode: end.code,
            outcome: end.outcome,
            ...kept,
            uploadedTo: upload.uploadedTo,
            ...(end.code ? { error: `cdktf exited ${end.code}` } : {}),
          }
        : { exitCode: end.code || ExitCode.PREREQUISITE, outcome: end.outcome, ...kept, error: upload.error };
    return afterSignal(result, end.interrupted);
  } finally {
    end.release();
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
  flags: {
    ...TARGET_FLAGS,
    'lock-mode': { type: 'string' },
    'retention-days': { type: 'string' },
    bundle: { type: 'string' },
  },
  deprecated: DEPRECATED_TARGET_FLAGS,
  passThrough: CDKTF_DEPLOY_FLAGS,
  run: async (args, io): Promise<number> => {
    const [stack, ...extra] = args.positionals;
    if (!stack) throw new UsageError(`which stack? e.g. ${commandLine('deploy', ['prod-green'], io)} (see --help)`);
    if (extra.length > 0)
      throw new UsageError(
        `expected one stack, got ${args.positionals.join(' ')} (arguments for cdktf deploy go after --)`,
      );
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
