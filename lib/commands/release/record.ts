/**
 * The release record: one per `npm run release` run, in the deployment-record format (a directory with
 * `release.json`, `release.log`, `values.json` and, last, `manifest.json` with the SHA-256 of each), kept locally
 * under `.deployments/<env>/<env>-release/<id>/` and uploaded like a deploy record. It holds every phase and step
 * with times, weights, gate readings and decisions, and the deploy records the run produced; no secrets (the
 * values hold none, and nothing read from the cloud beyond states and weights is written).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Color } from '../../config/sections/release';
import type { Weights } from '../../config/sections/traffic';
import type { CallerIdentity } from '../caller-identity';
import { LOCAL_RECORDS_DIR } from '../deploy';
import {
  describeFiles,
  LockMode,
  Manifest,
  MANIFEST,
  MANIFEST_FORMAT,
  recordId,
  recordPrefix,
} from '../deployment-record';
import type { AlarmReading } from './cloud';

/** The format identifier of `release.json`. */
export const RELEASE_RECORD_FORMAT = 'cdktf-bluegreen/release-record@1';

/**
 * The record key of an environment's releases, `<env>-release`: it sits beside the stacks' records
 * (`deployments/<env>/<env>-release/<id>/`), but names no stack (a release changes `<env>-<color>` and `<env>-cutover`).
 */
export function releaseRecordKey(environment: string): string {
  return `${environment}-release`;
}

/** How a release ended. */
export type ReleaseOutcome =
  'released' | 'rolled-back' | 'stopped-before-traffic' | 'needs-operator' | 'interrupted' | 'refused' | 'restored';

/** One gate reading. */
export interface GateReading {
  /** What was checked: an alarm name, `listener weights`, `live smoke`. */
  readonly gate: string;
  /** Whether it passed. */
  readonly passed: boolean;
  /** What was read (alarm state and reason, weights, smoke verdict). */
  readonly reading: string;
}

/** One traffic step. */
export interface StepRecord {
  /** 1-based step number. */
  readonly step: number;
  /** The weights written and deployed. */
  readonly weights: Weights;
  /** When the step began. */
  readonly startedAt: string;
  /** When it ended. */
  finishedAt?: string;
  /** The weights read back from the listener after the deploy. */
  readBack?: Weights;
  /** Every gate reading of the step (several during a bake). */
  readonly gates: GateReading[];
  /** What was decided: `continue`, `rollback`, `stop`, `interrupted`. */
  decision?: string;
}

/** One phase (preflight, deploy, wait, smoke, steps, bake, rollback). */
export interface PhaseRecord {
  /** Phase name. */
  readonly phase: string;
  /** Start. */
  readonly startedAt: string;
  /** End. */
  finishedAt?: string;
  /** `ok`, `failed`, `skipped` or `interrupted`. */
  outcome?: string;
  /** One line of detail. */
  detail?: string;
}

/** `release.json`. */
export interface ReleaseRecord {
  /** {@link RELEASE_RECORD_FORMAT}. */
  readonly format: string;
  /** What the run did: a release, `--rollback`, or a `--resume`. */
  readonly kind: 'release' | 'rollback' | 'resume';
  /** Environment. */
  readonly environment: string;
  /** The color released to (the idle color at the start). */
  readonly color: Color;
  /** Its release version. */
  readonly version: string;
  /** The color and version live before the release. */
  readonly previous: { readonly color: Color; readonly version: string };
  /** The weights before the release: what a rollback restores. */
  readonly preReleaseWeights: Weights;
  /** Traffic strategy. */
  readonly strategy: string;
  /** The planned steps (percent on the new color). */
  readonly steps: readonly number[];
  /** `--force` was given (same release redeployed). */
  readonly force: boolean;
  /** The release declared `migration.compatibleWithPrevious: false` and `--accept-irreversible` was given. */
  readonly irreversible: boolean;
  /** Every phase. */
  readonly phases: PhaseRecord[];
  /** Every step taken. */
  readonly stepRecords: StepRecord[];
  /** Deploy records produced (local directories and, when uploaded, their URLs). */
  readonly deployRecords: Array<{
    readonly stack: string;
    readonly exitCode: number;
    readonly recordDir?: string;
    readonly uploadedTo?: string;
  }>;
  /** How it ended. */
  outcome?: ReleaseOutcome;
  /** The exit code. */
  exitCode?: number;
  /** Why it ended as it did (the failed gate and its reading, the refusal, the signal). */
  reason?: string;
  /** The step during which a signal arrived (0 = before traffic moved). */
  interruptedAtStep?: number;
  /** The signal. */
  signal?: string;
  /** The weights deployed when the run ended. */
  finalWeights?: Weights;
}

/** An alarm reading as one line. */
export function describeAlarm(name: string, reading: AlarmReading): string {
  return `${name} ${reading.state}${reading.reason ? ` (${reading.reason})` : ''}`;
}

/** Where the local release records of an environment live. */
export function localReleaseDir(cwd: string, environment: string): string {
  return path.join(cwd, LOCAL_RECORDS_DIR, environment, releaseRecordKey(environment));
}

/** The newest local release record of an environment (`release.json` parsed), with its directory. */
export function lastReleaseRecord(
  cwd: string,
  environment: string,
): { dir: string; record: ReleaseRecord } | undefined {
  const root = localReleaseDir(cwd, environment);
  if (!fs.existsSync(root)) return undefined;
  for (const id of fs.readdirSync(root).sort().reverse()) {
    const file = path.join(root, id, 'release.json');
    if (!fs.existsSync(file)) continue;
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as ReleaseRecord;
    if (record.format === RELEASE_RECORD_FORMAT) return { dir: path.join(root, id), record };
  }
  return undefined;
}

/** What {@link writeReleaseRecord} needs besides the record. */
export interface RecordContext {
  readonly cwd: string;
  readonly started: Date;
  readonly finished: Date;
  readonly git: { readonly commit: string; readonly dirty: boolean };
  readonly deployer: CallerIdentity;
  readonly requestedBy: string;
  readonly command: readonly string[];
  readonly lockMode: LockMode;
  readonly retentionDays: number;
  /** The environment's values (as deploy records hold them). */
  readonly values: unknown;
  /** The run's log text. */
  readonly log: string;
}

/** Writes a release record locally (manifest last) and returns its directory. */
export function writeReleaseRecord(record: ReleaseRecord, ctx: RecordContext): string {
  const key = releaseRecordKey(record.environment);
  const id = recordId(ctx.started, ctx.git.commit);
  const dir = path.join(localReleaseDir(ctx.cwd, record.environment), id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'release.json'), `${JSON.stringify(record, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'values.json'), `${JSON.stringify(ctx.values, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'release.log'), ctx.log);
  const retainUntil = new Date(ctx.finished.getTime() + ctx.retentionDays * 86400000);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    record: recordPrefix(record.environment, key, id),
    environment: record.environment,
    stack: key,
    outcome: record.outcome === 'interrupted' ? 'interrupted' : record.exitCode === 0 ? 'succeeded' : 'failed',
    ...(record.signal ? { signal: record.signal } : {}),
    exitCode: record.exitCode ?? 1,
    command: ctx.command,
    startedAt: ctx.started.toISOString(),
    finishedAt: ctx.finished.toISOString(),
    user: ctx.deployer.principal,
    deployer: ctx.deployer,
    requestedBy: ctx.requestedBy,
    git: ctx.git,
    plan: 'none: a release deploys through npm run deploy, whose records (listed in release.json) hold each applied plan',
    objectLock: ctx.lockMode === 'none' ? null : { mode: ctx.lockMode, retainUntil: retainUntil.toISOString() },
    files: describeFiles(dir, ['release.json', 'release.log', 'values.json']),
  };
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
