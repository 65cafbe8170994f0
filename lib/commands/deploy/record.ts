/**
 * The record of a deploy, assembled locally in the layout of `../deployment-record.ts`: the synthesized stack, the
 * environment's values, the log (made plain text) and, last, the manifest with the digest of every file.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentConfig } from '../../config';
import { plainText } from '../../cli/terminal';
import { ExitCode } from '../../cli/exit-codes';
import { CallerIdentity, CallerIdentityLookup, IdentityError } from '../caller-identity';
import { describeFiles, Manifest, MANIFEST, MANIFEST_FORMAT } from '../deployment-record';
import type { DeployStop } from './archive';
import { DeployLog } from './log';
import { LOCAL_RECORDS_DIR, RecordLocation, recordLocation, Retention } from './plan';

/** What the manifest says about plans: none is archived, and why. */
export const NO_PLAN_ARCHIVED =
  'none archived: cdktf deploy made and applied its own plan, printed by Terraform in deploy.log (sensitive values masked); a plan saved by npm run plan is of another run';

/** The commit of a work tree and whether it has changes the commit does not hold. */
export interface GitState {
  /** `git rev-parse HEAD`, or `unknown`. */
  readonly commit: string;
  /** Whether any file is modified, staged or untracked. */
  readonly dirty: boolean;
}

/**
 * The commit of the work tree and whether it differs from it (`unknown` outside a git repository): `dirty` is true
 * when any file of the whole work tree is modified, staged or untracked (an untracked values file is deployed but
 * not in the commit), except git-ignored files and the commands' own output (`.deployments/`, `cdktf.out/`, release
 * bundles in `.bundles/` and a bundle being deployed in `.bundle-<digest>/`) and any `exclude` paths (relative to `cwd`).
 */
export function gitState(cwd: string, exclude: readonly string[] = []): GitState {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const status = execFileSync(
      'git',
      [
        'status',
        '--porcelain',
        '--untracked-files=all',
        '--',
        '.',
        `:(exclude)${LOCAL_RECORDS_DIR}`,
        ':(exclude)cdktf.out',
        ':(exclude).bundles',
        ':(glob,exclude).bundle-*/**',
        ...exclude.map((p) => `:(exclude)${p}`),
      ],
      {
        cwd,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).toString();
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/**
 * Starts the record of a deploy of `stack` started at `started`: its local directory (created) and its log, which
 * opens with where the record goes.
 */
export function startRecord(
  cwd: string,
  environment: string,
  stack: string,
  started: Date,
  writers: { readonly stdout: (text: string) => void; readonly stderr: (text: string) => void },
): { git: GitState; record: RecordLocation; log: DeployLog } {
  const git = gitState(cwd);
  const record = recordLocation(cwd, environment, stack, started, git.commit);
  fs.mkdirSync(record.dir, { recursive: true });
  const log = new DeployLog(record.logFile, writers.stdout, writers.stderr);
  log.say(`deploy ${stack}: record ${record.prefix}`);
  log.say(`  local copy: ${record.dir}`);
  log.say(`  log: ${record.logFile}`);
  return { git, record, log };
}

/**
 * Who is deploying, as the cloud sees the credentials (established before anything is deployed), or why the deploy
 * stops.
 */
export async function whoDeploys(
  lookup: CallerIdentityLookup,
  cloud: EnvironmentConfig['cloud'],
  env: NodeJS.ProcessEnv,
  log: DeployLog,
): Promise<{ deployer: CallerIdentity } | { stop: DeployStop }> {
  try {
    const deployer = await lookup(cloud, env);
    log.say(`  deployer: ${deployer.principal} (${deployer.source})`);
    return { deployer };
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    return {
      stop: {
        exitCode: ExitCode.PREREQUISITE,
        message: `cannot establish who is deploying: ${e.message}`,
        error: e.message,
      },
    };
  }
}

/** Everything the record of one deploy states. */
export interface DeployRecordFacts {
  /** Project directory. */
  readonly cwd: string;
  /** The stack deployed. */
  readonly stack: string;
  /** Its environment. */
  readonly environment: string;
  /** The environment's values after the overlay. */
  readonly config: EnvironmentConfig;
  /** Where the record goes. */
  readonly record: RecordLocation;
  /** The record's object lock. */
  readonly retention: Retention;
  /** The cdktf arguments that ran. */
  readonly args: readonly string[];
  /** How cdktf ended. */
  readonly end: { readonly code: number; readonly outcome: Manifest['outcome']; readonly interrupted?: string };
  /** When the deploy started. */
  readonly started: Date;
  /** When cdktf finished. */
  readonly finished: Date;
  /** Who deployed, as the cloud returned it. */
  readonly deployer: CallerIdentity;
  /** Environment variables: `GITHUB_ACTOR` or `DEPLOY_USER` name who asked for the deploy (not verified). */
  readonly env: NodeJS.ProcessEnv;
  /** The commit deployed. */
  readonly git: GitState;
  /**
   * The cdktf output directory the stack was deployed from.
   * @default <cwd>/cdktf.out
   */
  readonly outdir?: string;
  /** The release bundle deployed (`deploy --bundle`): its file, digest and commit, stored in the manifest. */
  readonly bundle?: Manifest['bundle'];
}

/**
 * Writes the record in full into its local directory: `stack.json` (when synth got that far), `values.json`, the log
 * (closed and made plain text) and, last, `manifest.json`. Returns the manifest.
 */
export function writeLocalRecord(facts: DeployRecordFacts, log: DeployLog): Manifest {
  const { cwd, stack, record } = facts;
  log.say(`[3/4] record ${record.dir}`);
  const files: string[] = [];
  const stackDir = path.join(facts.outdir ?? path.join(cwd, 'cdktf.out'), 'stacks', stack);
  const synthesized = path.join(stackDir, 'cdk.tf.json');
  if (fs.existsSync(synthesized)) {
    fs.copyFileSync(synthesized, path.join(record.dir, 'stack.json'));
    files.push('stack.json');
  } else {
    log.say(`  no synthesized stack at ${path.relative(cwd, stackDir)}/cdk.tf.json (synth did not complete)`);
  }
  fs.writeFileSync(path.join(record.dir, 'values.json'), `${JSON.stringify(facts.config, null, 2)}\n`);
  files.push('values.json');
  log.say(`  plan: ${NO_PLAN_ARCHIVED}`);
  log.say(`  record complete locally; uploading next`);
  log.close();
  // The archived log is plain text: escape codes and spinner redraws that reached it are resolved and removed.
  fs.writeFileSync(record.logFile, plainText(fs.readFileSync(record.logFile, 'utf8')));
  files.push('deploy.log');
  const manifest = deployManifest(facts, files);
  fs.writeFileSync(path.join(record.dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The manifest of a deploy's record listing `files` (already in the record directory). */
export function deployManifest(facts: DeployRecordFacts, files: readonly string[]): Manifest {
  const { end, retention, env } = facts;
  const retainUntil = new Date(facts.finished.getTime() + retention.retentionDays * 86400000);
  return {
    format: MANIFEST_FORMAT,
    record: facts.record.prefix,
    environment: facts.environment,
    stack: facts.stack,
    outcome: end.outcome,
    exitCode: end.code,
    command: ['cdktf', ...facts.args],
    startedAt: facts.started.toISOString(),
    finishedAt: facts.finished.toISOString(),
    ...(end.interrupted ? { signal: end.interrupted } : {}),
    user: facts.deployer.principal,
    deployer: facts.deployer,
    requestedBy: env.GITHUB_ACTOR || env.DEPLOY_USER || safeUser(),
    git: facts.git,
    ...(facts.bundle ? { bundle: facts.bundle } : {}),
    plan: NO_PLAN_ARCHIVED,
    objectLock:
      retention.lockMode === 'none' ? null : { mode: retention.lockMode, retainUntil: retainUntil.toISOString() },
    files: describeFiles(facts.record.dir, files),
  };
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
