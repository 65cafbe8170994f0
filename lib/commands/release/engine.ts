/**
 * `release(options)`: one release of an environment, end to end: preflight → deploy the idle color → wait until
 * it is healthy → smoke it through the test listener → shift traffic in steps (write weights, deploy
 * `<env>-cutover`, read them back, pause, gates) → bake → record. Any failed gate rolls traffic back to the
 * pre-release weights by itself (or, after an irreversible switch, stops for an operator).
 *
 * Everything that touches the outside world is a port ({@link ReleasePorts}) with the real implementation as the
 * default: the deploy command (so each deploy writes its own record), the cutover command's values edit, the
 * cloud readers, the smoke command, the clock, the archive upload. Tests replace only what cannot run here.
 */
import * as os from 'os';
import * as path from 'path';
import { setTimeout as delay } from 'timers/promises';
import { ConfigError, EnvironmentConfig, formatIssue, loadEnvironments } from '../../config';
import { Color } from '../../config/sections/release';
import { idleColor, isIrreversible, releaseSteps } from '../../config/sections/release-rollout';
import { otherColor, TEST_LISTENER_STRATEGIES, Weights } from '../../config/sections/traffic';
import { ExitCode, exitCodeForSignal } from '../../cli/exit-codes';
import { CUTOVER_OUTPUTS, stackName } from '../../../stacks/contract';
import { ArchiveError, ArchiveStore } from '../archive-store';
import { resolveTarget, TargetFlags } from '../archive-target';
import { UsageError } from '../../cli/errors';
import { CallerIdentity, CallerIdentityLookup, defaultCallerIdentity, IdentityError } from '../caller-identity';
import { cutover } from '../cutover';
import { deploy, gitState, retentionFloor } from '../deploy';
import { uploadRecord } from '../deployment-record';
import { smoke, SmokeOptions, SmokeResult } from '../smoke';
import { OutputsUnavailableError, readDeployedOutputs, readOutputsFile as readOutputs } from '../../cli/cdktf';
import { awsReleaseCloud, CloudReadError, digitaloceanReleaseCloud, OutputsReader, ReleaseCloud } from './cloud';
import {
  describeAlarm,
  GateReading,
  lastReleaseRecord,
  PhaseRecord,
  ReleaseOutcome,
  ReleaseRecord,
  RELEASE_RECORD_FORMAT,
  StepRecord,
  writeReleaseRecord,
} from './record';

/** What a stack deploy returned (the deploy command's result, or a stand-in's). */
export interface StackDeployResult {
  /** 0 when the stack deployed. */
  readonly exitCode: number;
  /** `interrupted` when a signal stopped it. */
  readonly outcome?: 'succeeded' | 'failed' | 'interrupted';
  /** The deploy record's local directory. */
  readonly recordDir?: string;
  /** Where the deploy record was uploaded. */
  readonly uploadedTo?: string;
}

/** The outside world of a release; each has the real implementation as its default. */
export interface ReleasePorts {
  /** Deploys one stack. @default - the deploy command (`cdktf deploy <stack> --auto-approve`, record written) */
  deployStack(stack: string): Promise<StackDeployResult>;
  /** Gives `color` `weight` percent in the values file; returns the weights written. @default - the cutover command's edit */
  setWeights(color: Color, weight: number): Promise<Weights>;
  /** What the release reads from the cloud. @default - AWS SDK readers or the DigitalOcean API, by `cloud` */
  cloud(config: EnvironmentConfig, outputs: OutputsReader): ReleaseCloud;
  /** The smoke check. @default - the smoke command */
  smoke(options: SmokeOptions): Promise<SmokeResult>;
  /** Stack outputs. @default - `cdktf output <stack>`, or the `--outputs` file */
  outputs: OutputsReader;
  /** The clock. @default - `new Date()` */
  now(): Date;
  /** Waits; resolves early when `signal` aborts. @default - a timer */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Uploads a local record directory; returns its URL. @default - the environment's archive, as deploy records */
  archiveRecord(dir: string, config: EnvironmentConfig): Promise<string>;
  /** Who runs the release, as the cloud sees the credentials. @default defaultCallerIdentity */
  callerIdentity: CallerIdentityLookup;
}

/** Where SIGINT/SIGTERM come from. */
export interface SignalSource {
  /** Adds a listener for the signal. */
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  /** Removes it again. */
  removeListener(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** Options for {@link release}. */
export interface ReleaseOptions extends TargetFlags {
  /** Environment name. */
  readonly environment: string;
  /**
   * Project directory (holds `environments/`, `.deployments/`).
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Redeploy even when the idle color already runs the release; with `--rollback`, restore even after an
   * irreversible release.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Accept a release declared `migration.compatibleWithPrevious: false` (no canary, no automatic rollback after the switch).
   * @default false
   */
  readonly acceptIrreversible?: boolean;
  /**
   * Only wait until this color's fleet is ready (for deploys made with plain `cdktf deploy`).
   * @default - a full release
   */
  readonly waitOnly?: Color;
  /**
   * Restore the pre-release weights of the last release record.
   * @default false
   */
  readonly rollback?: boolean;
  /**
   * Continue an interrupted release from the step it stopped at.
   * @default false
   */
  readonly resume?: boolean;
  /**
   * A JSON file of stack outputs (`cdktf output --outputs-file`, several stacks) read instead of running `cdktf output`.
   * @default - `cdktf output <stack>`
   */
  readonly stackOutputsFile?: string;
  /**
   * Seconds between readings while waiting and baking.
   * @default 15
   */
  readonly pollSeconds?: number;
  /**
   * Environment variables (credentials, `CDKTF_BIN`, `DIGITALOCEAN_TOKEN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress output. @default process.stdout */
  readonly stdout?: (text: string) => void;
  /** Errors. @default process.stderr */
  readonly stderr?: (text: string) => void;
  /** Replacements for the outside world. @default - the real commands and clouds */
  readonly ports?: Partial<ReleasePorts>;
  /** SIGINT/SIGTERM source. @default process */
  readonly signals?: SignalSource;
  /** The command line, for the record. @default ['npm', 'run', 'release', '--', environment] */
  readonly command?: readonly string[];
}

/** What {@link release} did. */
export interface ReleaseResult {
  /** The exit code ({@link ExitCode}, or 128 + signal). */
  readonly exitCode: number;
  /** How it ended. */
  readonly outcome: ReleaseOutcome | 'ready' | 'not-ready';
  /** Why. */
  readonly reason?: string;
  /** The record written (full releases and rollbacks). */
  readonly record?: ReleaseRecord;
  /** Its local directory. */
  readonly recordDir?: string;
}

/** Thrown inside the engine to end the run with an outcome. */
class Stop extends Error {
  constructor(
    readonly outcome: ReleaseOutcome,
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

const show = (w: Weights) => `blue ${w.blue}% / green ${w.green}%`;
const same = (a: Weights, b: Weights) => a.blue === b.blue && a.green === b.green;

/** Runs a release (or `--wait-only`, `--rollback`, `--resume`); never throws for an expected failure. */
export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  const environment = options.environment;
  const dir = path.join(cwd, 'environments');
  const logLines: string[] = [];
  const ports = defaultPorts(options, cwd, env, stdout, stderr);
  const clockStart = ports.now().getTime();
  const elapsed = () => `${Math.round((ports.now().getTime() - clockStart) / 1000)}s`;
  const say = (line: string) => {
    const text = `release ${environment}: ${line} (${elapsed()})\n`;
    logLines.push(text);
    stdout(text);
  };
  const fail = (line: string) => {
    const text = `release ${environment}: ${line}\n`;
    logLines.push(text);
    stderr(text);
  };

  // Inputs.
  let config: EnvironmentConfig;
  try {
    if (!/^[a-z][a-z0-9-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name`);
    [config] = loadEnvironments({ dir, only: [environment] });
  } catch (e) {
    if (e instanceof ConfigError) {
      fail(`refused, nothing changed: invalid values:\n${e.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
      return { exitCode: ExitCode.USAGE, outcome: 'refused', reason: e.message };
    }
    if (e instanceof UsageError) {
      fail(`refused, nothing changed: ${e.message}`);
      return { exitCode: ExitCode.USAGE, outcome: 'refused', reason: e.message };
    }
    throw e;
  }
  if (config.traffic.strategy === 'rolling') {
    const reason =
      'traffic.strategy rolling replaces the live color in place (npm run deploy -- <env>-<live color>); a release needs an idle color';
    fail(`refused, nothing changed: ${reason}`);
    return { exitCode: ExitCode.USAGE, outcome: 'refused', reason };
  }
  let cloud: ReleaseCloud;
  try {
    cloud = ports.cloud(config, ports.outputs);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    fail(`refused, nothing changed: ${e.message}`);
    return { exitCode: ExitCode.PREREQUISITE, outcome: 'refused', reason: e.message };
  }

  // Signals: recorded, and the running deploy (the deploy command forwards them to cdktf) stops gracefully.
  const abort = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (s: 'SIGINT' | 'SIGTERM') => {
    signal ??= s;
    fail(`${s} received: stopping at the next safe point (a running deploy gets the signal and stops gracefully)`);
    abort.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  const signals = options.signals ?? process;
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);
  const pause = async (seconds: number) => {
    if (seconds > 0 && !abort.signal.aborted) await ports.sleep(seconds * 1000, abort.signal);
  };
  try {
    if (options.waitOnly) return await waitOnly(options.waitOnly);
    return await run();
  } finally {
    signals.removeListener('SIGINT', onInt);
    signals.removeListener('SIGTERM', onTerm);
  }

  /** `--wait-only <color>`: the wait phase alone; no record (nothing changes). */
  async function waitOnly(color: Color): Promise<ReleaseResult> {
    say(`[wait] ${stackName(environment, color)}: instance refresh, launch template version, target health`);
    let outcome: Awaited<ReturnType<typeof waitForFleet>>;
    try {
      outcome = await waitForFleet(color, undefined);
    } catch (e) {
      const reason = expectedFailure(e);
      if (reason === undefined) throw e;
      fail(`[wait] cannot read ${color}: ${reason}`);
      return { exitCode: ExitCode.PREREQUISITE, outcome: 'refused', reason };
    }
    if (signal)
      return { exitCode: exitCodeForSignal(signal), outcome: 'interrupted', reason: `interrupted by ${signal}` };
    if (outcome.ready) {
      say(`[wait] ${color} is ready: ${outcome.summary}`);
      return { exitCode: ExitCode.OK, outcome: 'ready', reason: outcome.summary };
    }
    fail(`[wait] ${color} is not ready: ${outcome.reason}`);
    return { exitCode: ExitCode.STOPPED_BEFORE_TRAFFIC, outcome: 'not-ready', reason: outcome.reason };
  }

  /** Polls the fleet until ready, failed, interrupted or timed out. */
  async function waitForFleet(
    color: Color,
    since: Date | undefined,
  ): Promise<{ ready: boolean; summary: string; reason?: string }> {
    const timeoutSeconds = config.release.waitTimeoutSeconds;
    const deadline = ports.now().getTime() + timeoutSeconds * 1000;
    const desired = config.colors[color].capacity.desired;
    let last = '';
    for (;;) {
      const status = await cloud.fleetStatus(color, desired, since);
      if (status.summary !== last) say(`[wait] ${status.summary}`);
      last = status.summary;
      if (status.ready) return { ready: true, summary: status.summary };
      if (status.failed) return { ready: false, summary: status.summary, reason: status.failed };
      if (signal) return { ready: false, summary: status.summary, reason: `interrupted by ${signal}` };
      if (ports.now().getTime() >= deadline) {
        return {
          ready: false,
          summary: status.summary,
          reason: `not ready after release.waitTimeoutSeconds (${timeoutSeconds}s): ${status.summary}`,
        };
      }
      await pause(options.pollSeconds ?? 15);
    }
  }

  async function run(): Promise<ReleaseResult> {
    const started = ports.now();
    const last = lastReleaseRecord(cwd, environment);
    const weights: Weights = { blue: config.traffic.blue, green: config.traffic.green };
    let record: ReleaseRecord | undefined;
    let deployed: Weights = weights; // what the listener is known to apply
    let trafficMoved = false;
    const phase = (name: string): PhaseRecord => {
      const p: PhaseRecord = { phase: name, startedAt: ports.now().toISOString() };
      record?.phases.push(p);
      return p;
    };
    const end = (p: PhaseRecord, outcome: string, detail?: string) => {
      p.finishedAt = ports.now().toISOString();
      p.outcome = outcome;
      if (detail) p.detail = detail;
    };
    const deployStack = async (stack: string) => {
      const res = await ports.deployStack(stack);
      if (res.outcome === 'interrupted' && !signal)
        signal = res.exitCode === exitCodeForSignal('SIGTERM') ? 'SIGTERM' : 'SIGINT';
      record?.deployRecords.push({
        stack,
        exitCode: res.exitCode,
        ...(res.recordDir ? { recordDir: path.relative(cwd, res.recordDir) } : {}),
        ...(res.uploadedTo ? { uploadedTo: res.uploadedTo } : {}),
      });
      return res;
    };

    try {
      // --- preflight -------------------------------------------------------------------------------------------
      say(`[preflight] values valid (strategy ${config.traffic.strategy}, traffic ${show(weights)})`);
      if (options.rollback) return await rollbackCommand();
      if (last?.record.outcome === 'interrupted' && !options.resume) {
        const r = last.record;
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `the last release (${r.color} ${r.version}, ${path.relative(cwd, last.dir)}) was interrupted ${r.interruptedAtStep ? `at step ${r.interruptedAtStep}` : 'before traffic moved'} with traffic ${show(r.finalWeights ?? weights)}; ` +
            `continue it with --resume, or restore ${show(r.preReleaseWeights)} with --rollback`,
        );
      }
      if (options.resume && last?.record.outcome !== 'interrupted')
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `--resume: the last release of ${environment} was not interrupted (${last ? last.record.outcome : 'no release record'}); nothing to resume`,
        );
      const resuming = options.resume ? last!.record : undefined;
      const idle = resuming ? resuming.color : idleColor(weights);
      if (!idle) {
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `traffic is split (${show(weights)}), so there is no idle color to release to; finish the current canary (npm run cutover) or restore it (--rollback) first`,
        );
      }
      const live = otherColor(idle);
      const target = config.colors[idle].release;
      const preRelease = resuming ? resuming.preReleaseWeights : weights;
      const irreversible = isIrreversible(target);
      const planned = releaseSteps(config);
      const steps = irreversible ? [100] : planned;
      record = {
        format: RELEASE_RECORD_FORMAT,
        kind: resuming ? 'resume' : 'release',
        environment,
        color: idle,
        version: target.version,
        previous: { color: live, version: config.colors[live].release.version },
        preReleaseWeights: preRelease,
        strategy: config.traffic.strategy,
        steps,
        force: options.force === true,
        irreversible,
        phases: [],
        stepRecords: [],
        deployRecords: [],
      };
      const pre = phase('preflight');
      if (irreversible && !options.acceptIrreversible) {
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `${idle} ${target.version} declares migration.compatibleWithPrevious: false: ${live} ${config.colors[live].release.version} cannot run on its data, so there is no rollback after the switch; run again with --accept-irreversible`,
        );
      }
      if (irreversible && planned.length > 1)
        say(
          `[preflight] ${target.version} is irreversible: canary steps ${JSON.stringify(planned)} refused (both versions must not serve together); straight to 100% after the smoke`,
        );
      if (!resuming) {
        const running = await cloud.deployedRelease(idle);
        const unchanged =
          running &&
          running.version === target.version &&
          (running.image === undefined || running.image === target.image) &&
          (running.artifact ?? undefined) === (target.artifact ?? undefined);
        if (unchanged && !options.force) {
          throw new Stop(
            'refused',
            ExitCode.USAGE,
            `${idle} already runs ${target.version} (${target.image}); change colors.${idle}.release in environments/${environment}.yaml, or redeploy it with --force`,
          );
        }
        say(
          `[preflight] ${idle} is idle (0%); deployed ${running ? running.version : 'nothing yet'}, releasing ${target.version}${unchanged ? ' again (--force)' : ''}`,
        );
      }
      const liveWeights = await cloud.liveWeights();
      if (!same(liveWeights, weights)) {
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `the live listener applies ${show(liveWeights)}, but environments/${environment}.yaml says ${show(weights)}: traffic was changed outside the tool; ` +
            `make the values match what is live (npm run cutover) and deploy ${stackName(environment, 'cutover')}, then run the release again`,
        );
      }
      say(`[preflight] live listener matches the values (${show(liveWeights)})`);
      end(
        pre,
        'ok',
        `${idle} ${target.version}, steps ${JSON.stringify(steps)}${irreversible ? ', irreversible (accepted)' : ''}`,
      );

      let remaining = steps;
      if (resuming && (resuming.interruptedAtStep ?? 0) > 0) {
        remaining = steps.filter((s) => s > weights[idle]);
        trafficMoved = true;
        say(
          `[resume] ${idle} carries ${weights[idle]}%; continuing with ${remaining.length ? JSON.stringify(remaining) : 'the bake'}`,
        );
      } else {
        // --- deploy the idle color -----------------------------------------------------------------------------
        const colorStack = stackName(environment, idle);
        const dep = phase('deploy');
        say(`[deploy] ${colorStack} (${target.version})`);
        const since = ports.now();
        const res = await deployStack(colorStack);
        checkInterrupted(0);
        if (res.exitCode !== 0)
          throw new Stop(
            'stopped-before-traffic',
            ExitCode.STOPPED_BEFORE_TRAFFIC,
            `deploy of ${colorStack} failed (exit ${res.exitCode}${res.recordDir ? `; record ${path.relative(cwd, res.recordDir)}` : ''}); no traffic moved`,
          );
        end(dep, 'ok', res.uploadedTo ?? (res.recordDir ? path.relative(cwd, res.recordDir) : undefined));

        // --- wait ----------------------------------------------------------------------------------------------
        const wait = phase('wait');
        const ready = await waitForFleet(idle, since);
        checkInterrupted(0);
        if (!ready.ready) {
          end(wait, 'failed', ready.reason);
          throw new Stop(
            'stopped-before-traffic',
            ExitCode.STOPPED_BEFORE_TRAFFIC,
            `${idle} never became ready: ${ready.reason}; no traffic moved`,
          );
        }
        end(wait, 'ok', ready.summary);

        // --- smoke through the test listener -------------------------------------------------------------------
        const sm = phase('smoke');
        if (TEST_LISTENER_STRATEGIES.includes(config.traffic.strategy)) {
          const url = (await ports.outputs(stackName(environment, 'cutover')))[CUTOVER_OUTPUTS.testUrl];
          if (typeof url !== 'string' || !url)
            throw new Stop(
              'stopped-before-traffic',
              ExitCode.STOPPED_BEFORE_TRAFFIC,
              `no output ${CUTOVER_OUTPUTS.testUrl} of ${stackName(environment, 'cutover')}; deploy it first`,
            );
          say(`[smoke] ${url} --expect ${target.version}`);
          const result = await ports.smoke({ url, expectText: target.version, log: (line) => say(`[smoke] ${line}`) });
          checkInterrupted(0);
          if (!result.healthy) {
            end(sm, 'failed', result.attempts[result.attempts.length - 1]?.problem);
            throw new Stop(
              'stopped-before-traffic',
              ExitCode.STOPPED_BEFORE_TRAFFIC,
              `smoke test of ${idle} through the test listener failed: ${result.attempts[result.attempts.length - 1]?.problem}; no traffic moved`,
            );
          }
          end(sm, 'ok', result.url);
        } else {
          end(sm, 'skipped', `strategy ${config.traffic.strategy} has no test listener`);
          say(`[smoke] skipped: strategy ${config.traffic.strategy} has no test listener`);
        }
      }

      // --- steps ---------------------------------------------------------------------------------------------
      const cutoverStack = stackName(environment, 'cutover');
      let lastGateLine = '';
      let stepNo = record.stepRecords.length;
      const stepOffset = resuming ? steps.length - remaining.length : 0;
      for (const percent of remaining) {
        stepNo = stepOffset + remaining.indexOf(percent) + 1;
        checkInterrupted(stepNo - 1);
        const want: Weights = { [idle]: percent, [live]: 100 - percent } as Record<Color, number>;
        const step: StepRecord = { step: stepNo, weights: want, startedAt: ports.now().toISOString(), gates: [] };
        record.stepRecords.push(step);
        const p = phase(`step ${stepNo}`);
        lastGateLine = '';
        say(`[step ${stepNo}/${steps.length}] ${show(want)}: write values, deploy ${cutoverStack}`);
        await ports.setWeights(idle, percent);
        trafficMoved = true;
        const res = await deployStack(cutoverStack);
        deployed = await readBack(step);
        checkInterrupted(stepNo);
        if (res.exitCode !== 0)
          return await gateFailed(step, p, `deploy of ${cutoverStack} failed (exit ${res.exitCode})`);
        if (!same(deployed, want))
          return await gateFailed(step, p, `listener weights read back ${show(deployed)}, expected ${show(want)}`);
        say(
          `[step ${stepNo}/${steps.length}] listener reads back ${show(deployed)}; pausing ${config.release.pauseSeconds}s`,
        );
        await pause(config.release.pauseSeconds);
        checkInterrupted(stepNo);
        const failed = await gates(step, idle);
        checkInterrupted(stepNo);
        if (failed) return await gateFailed(step, p, failed);
        step.decision = 'continue';
        step.finishedAt = ports.now().toISOString();
        end(p, 'ok', show(want));
      }

      // --- bake ----------------------------------------------------------------------------------------------
      const bake = phase('bake');
      const bakeStep = record.stepRecords[record.stepRecords.length - 1];
      const bakeUntil = ports.now().getTime() + config.release.bakeSeconds * 1000;
      say(`[bake] ${config.release.bakeSeconds}s with the gates watched; ${live} keeps running`);
      while (ports.now().getTime() < bakeUntil) {
        await pause(Math.min(options.pollSeconds ?? 15, Math.ceil((bakeUntil - ports.now().getTime()) / 1000)));
        checkInterrupted(stepNo);
        if (!bakeStep) break;
        const failed = await gates(bakeStep, idle);
        checkInterrupted(stepNo);
        if (failed) return await gateFailed(bakeStep, bake, `during the bake: ${failed}`);
      }
      end(bake, 'ok', `${config.release.bakeSeconds}s, every gate reading passed`);
      return finish(
        'released',
        ExitCode.OK,
        `${idle} ${target.version} serves 100% of traffic; ${live} (${record.previous.version}) still runs for a manual rollback`,
      );

      /** Reads the listener back into the step record. */
      async function readBack(step: StepRecord): Promise<Weights> {
        const w = await cloud.liveWeights();
        step.readBack = w;
        return w;
      }

      /** The gates at this point: alarms, then an optional live smoke; returns the first failure. */
      async function gates(step: StepRecord, color: Color): Promise<string | undefined> {
        const names = [...(await cloud.colorAlarmNames(color)), ...config.release.gates.alarms];
        const states = names.length ? await cloud.alarmStates(names) : {};
        const readings: GateReading[] = names.map((name) => {
          const r = states[name];
          const passed =
            r.state === 'OK' || (r.state === 'INSUFFICIENT_DATA' && config.release.gates.insufficientData === 'ok');
          return { gate: `alarm ${name}`, passed, reading: describeAlarm(name, r) };
        });
        if (config.release.gates.smokeLive) {
          const url = (await ports.outputs(cutoverStack))[CUTOVER_OUTPUTS.liveUrl];
          const result = typeof url === 'string' ? await ports.smoke({ url }) : undefined;
          readings.push({
            gate: 'live smoke',
            passed: result?.healthy === true,
            reading: result
              ? `${result.url}: ${result.healthy ? 'healthy' : result.attempts[result.attempts.length - 1]?.problem}`
              : `no output ${CUTOVER_OUTPUTS.liveUrl}`,
          });
        }
        step.gates.push(...readings);
        const failedReading = readings.find((r) => !r.passed);
        const line = `[gates] ${readings.length ? readings.map((r) => `${r.passed ? 'ok' : 'FAILED'} ${r.reading}`).join('; ') : 'none configured'}`;
        if (line !== lastGateLine) say(line); // a bake reads the gates every poll: print changes only (the record keeps every reading)
        lastGateLine = line;
        return failedReading ? `gate ${failedReading.gate}: ${failedReading.reading}` : undefined;
      }

      /** A failed gate: roll back, or (after an irreversible switch) stop for an operator. */
      async function gateFailed(step: StepRecord, p: PhaseRecord, reason: string): Promise<ReleaseResult> {
        step.finishedAt = ports.now().toISOString();
        end(p, 'failed', reason);
        fail(`[gates] FAILED: ${reason}`);
        if (irreversible) {
          step.decision = 'stop: needs operator';
          return finish(
            'needs-operator',
            ExitCode.NEEDS_OPERATOR,
            `${reason}; ${idle} ${target.version} is irreversible (migration.compatibleWithPrevious: false), so traffic stays at ${show(deployed)}: page an operator to fix forward or restore the data, then cut over with --force`,
          );
        }
        step.decision = 'rollback';
        return rollBack(reason, preRelease, live);
      }
    } catch (e) {
      if (e instanceof Stop) return finish(e.outcome, e.exitCode, e.message);
      const message = expectedFailure(e);
      if (message !== undefined) {
        if (trafficMoved)
          return finish(
            'needs-operator',
            ExitCode.NEEDS_OPERATOR,
            `${message}; traffic was last deployed as ${show(deployed)}`,
          );
        if (record?.deployRecords.length)
          return finish('stopped-before-traffic', ExitCode.STOPPED_BEFORE_TRAFFIC, `${message}; no traffic moved`);
        const exitCode = e instanceof UsageError || e instanceof ConfigError ? ExitCode.USAGE : ExitCode.PREREQUISITE;
        return finish('refused', exitCode, `${message}; nothing was changed`);
      }
      throw e;
    }

    /** Ends the run at a safe point after a signal. */
    function checkInterrupted(step: number): void {
      if (!signal) return;
      if (record) record.interruptedAtStep = step;
      throw new Stop(
        'interrupted',
        exitCodeForSignal(signal),
        `interrupted by ${signal} ${step > 0 ? `at step ${step}` : 'before traffic moved'}`,
      );
    }

    /** Writes `to`, deploys the cutover stack, reads the listener back. */
    async function rollBack(reason: string, to: Weights, toColor: Color): Promise<ReleaseResult> {
      const p = phase('rollback');
      say(`[rollback] ${reason}; restoring ${show(to)}`);
      await ports.setWeights(toColor, to[toColor]);
      const res = await deployStack(stackName(environment, 'cutover'));
      deployed = await cloud.liveWeights();
      if (res.exitCode !== 0 || !same(deployed, to)) {
        end(p, 'failed', `deploy exit ${res.exitCode}, listener ${show(deployed)}`);
        return finish(
          'needs-operator',
          ExitCode.NEEDS_OPERATOR,
          `${reason}; the rollback did not take (deploy exit ${res.exitCode}, listener ${show(deployed)}, wanted ${show(to)}): needs an operator`,
        );
      }
      end(p, 'ok', show(deployed));
      say(`[rollback] listener reads back ${show(deployed)}`);
      return finish(
        options.rollback ? 'restored' : 'rolled-back',
        options.rollback ? ExitCode.OK : ExitCode.ROLLED_BACK,
        options.rollback ? `restored ${show(deployed)}` : `rolled back to ${show(deployed)} because ${reason}`,
      );
    }

    /** `--rollback`: the pre-release weights of the last record. */
    async function rollbackCommand(): Promise<ReleaseResult> {
      if (!last)
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `--rollback: no release record of ${environment} under .deployments/; cut over by hand (npm run cutover)`,
        );
      const r = last.record;
      const previousColor = r.previous.color;
      record = {
        ...r,
        kind: 'rollback',
        phases: [],
        stepRecords: [],
        deployRecords: [],
        outcome: undefined,
        exitCode: undefined,
        reason: undefined,
        interruptedAtStep: undefined,
        signal: undefined,
        finalWeights: undefined,
      };
      if (r.irreversible && !options.force && r.stepRecords.length > 0) {
        throw new Stop(
          'refused',
          ExitCode.USAGE,
          `${r.color} ${r.version} was irreversible (migration.compatibleWithPrevious: false) and took traffic; ${previousColor} ${r.previous.version} may not run on its data: --rollback needs --force`,
        );
      }
      if (same(weights, r.preReleaseWeights)) {
        const liveNow = await cloud.liveWeights();
        if (same(liveNow, weights))
          return finish(
            'restored',
            ExitCode.OK,
            `traffic is already ${show(weights)} (the pre-release weights of ${path.relative(cwd, last.dir)})`,
          );
      }
      trafficMoved = true;
      return rollBack(`--rollback (record ${path.relative(cwd, last.dir)})`, r.preReleaseWeights, previousColor);
    }

    /** Makes the values match the listener after an interruption, writes and archives the record, prints the summary. */
    async function finish(outcome: ReleaseOutcome, exitCode: number, reason: string): Promise<ReleaseResult> {
      if (outcome === 'interrupted' && record) {
        try {
          const liveNow = await cloud.liveWeights();
          const values = loadEnvironments({ dir, only: [environment] })[0].traffic;
          if (!same(liveNow, values)) {
            const top = liveNow.blue >= liveNow.green ? 'blue' : 'green';
            await ports.setWeights(top, liveNow[top]);
            say(`[interrupted] values set to what the listener applies: ${show(liveNow)}`);
          }
          deployed = liveNow;
        } catch (e) {
          fail(`[interrupted] could not compare the listener with the values: ${(e as Error).message}`);
        }
      }
      (outcome === 'released' || outcome === 'restored' ? say : fail)(`${outcome.toUpperCase()}: ${reason}`);
      // A refusal changed nothing: no record (it would also hide an interrupted release from --resume and --rollback).
      if (!record || outcome === 'refused') return { exitCode, outcome, reason };
      record.outcome = outcome;
      record.exitCode = exitCode;
      record.reason = reason;
      record.finalWeights = deployed;
      if (signal) record.signal = signal;
      printSummary(record);
      const deployer = await identify(config, env, ports.callerIdentity);
      const floor = retentionFloor(config);
      const recordDir = writeReleaseRecord(record, {
        cwd,
        started,
        finished: ports.now(),
        git: gitState(cwd),
        deployer,
        requestedBy: env.GITHUB_ACTOR || env.DEPLOY_USER || safeUser(),
        command: options.command ?? ['npm', 'run', 'release', '--', environment],
        lockMode: floor.lockMode,
        retentionDays: floor.retentionDays,
        values: config,
        log: logLines.join(''),
      });
      stdout(`release ${environment}: record ${path.relative(cwd, recordDir)}\n`);
      try {
        const url = await ports.archiveRecord(recordDir, config);
        stdout(`release ${environment}: record archived at ${url}\n`);
      } catch (e) {
        if (!(e instanceof ArchiveError || e instanceof UsageError || e instanceof OutputsUnavailableError)) throw e;
        stderr(
          `release ${environment}: the record was NOT archived (${e.message}); upload it with: npm run archive -- push ${path.relative(cwd, recordDir)}\n`,
        );
      }
      return { exitCode, outcome, reason, record, recordDir };
    }

    /** The final table: one row per phase and step. */
    function printSummary(r: ReleaseRecord): void {
      const rows: string[][] = [['phase', 'outcome', 'seconds', 'detail']];
      const secs = (a: string, b?: string) => (b ? String(Math.round((Date.parse(b) - Date.parse(a)) / 1000)) : '-');
      for (const p of r.phases) {
        const step = /^step (\d+)$/.exec(p.phase);
        const s = step ? r.stepRecords.find((x) => x.step === Number(step[1])) : undefined;
        const detail = s
          ? `${show(s.weights)}; read back ${s.readBack ? show(s.readBack) : '-'}; ${s.gates.length} gate reading(s); ${s.decision ?? '-'}`
          : (p.detail ?? '');
        rows.push([p.phase, p.outcome ?? 'interrupted', secs(p.startedAt, p.finishedAt), detail]);
      }
      rows.push([
        'result',
        r.outcome ?? '',
        '',
        `exit ${r.exitCode}; traffic ${r.finalWeights ? show(r.finalWeights) : '-'}`,
      ]);
      const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
      const line = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
      stdout(`\n${rows.map(line).join('\n')}\n\n`);
    }
  }
}

/**
 * The message of a failure the release reports as an outcome (a cloud read, stack outputs, bad input), or
 * `undefined` for a bug, which is rethrown.
 */
function expectedFailure(e: unknown): string | undefined {
  if (isCloudError(e)) return `${(e as Error).name}: ${(e as Error).message}`;
  if (
    e instanceof CloudReadError ||
    e instanceof OutputsUnavailableError ||
    e instanceof UsageError ||
    e instanceof ConfigError
  )
    return e.message;
  return undefined;
}

/**
 * Whether an error came from a cloud call (an AWS SDK service or credentials error, or a failed request to the
 * DigitalOcean API): reported as a message with the release's outcome, never as a stack trace.
 */
function isCloudError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return (
    '$metadata' in e ||
    e.name === 'CredentialsProviderError' ||
    (e instanceof TypeError && e.message === 'fetch failed')
  );
}

/** The caller identity for the record; a lookup failure is recorded, not fatal (the deploys recorded theirs). */
async function identify(
  config: EnvironmentConfig,
  env: NodeJS.ProcessEnv,
  lookup: CallerIdentityLookup,
): Promise<CallerIdentity> {
  try {
    return await lookup(config.cloud, env);
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    return { principal: 'unknown', source: `lookup failed: ${e.message}` };
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The real outside world, with any replacements from `options.ports`. */
function defaultPorts(
  options: ReleaseOptions,
  cwd: string,
  env: NodeJS.ProcessEnv,
  stdout: (t: string) => void,
  stderr: (t: string) => void,
): ReleasePorts {
  const given = options.ports ?? {};
  const outputsCache = new Map<string, Record<string, unknown>>();
  const outputs: OutputsReader =
    given.outputs ??
    (async (stack) => {
      if (options.stackOutputsFile) return readOutputs(options.stackOutputsFile, stack);
      if (!outputsCache.has(stack))
        outputsCache.set(
          stack,
          await readDeployedOutputs(stack, { cwd, env, offlineHint: 'pass --outputs <file.json>' }),
        );
      return outputsCache.get(stack)!;
    });
  return {
    deployStack:
      given.deployStack ??
      ((stack) => {
        outputsCache.delete(stack); // a deploy changes the stack's outputs
        return deploy({ ...options, stack, cdktfArgs: ['--auto-approve'], cwd, env, stdin: 'ignore', stdout, stderr });
      }),
    setWeights:
      given.setWeights ??
      (async (color, weight) =>
        cutover({
          environment: options.environment,
          color,
          weight,
          dir: path.join(cwd, 'environments'),
          force: options.force,
        }).after),
    cloud:
      given.cloud ??
      ((config, read) => {
        if (config.cloud === 'aws') return awsReleaseCloud(config, read);
        const token = env.DIGITALOCEAN_TOKEN;
        if (!token)
          throw new UsageError(
            'DIGITALOCEAN_TOKEN is not set; the release reads droplets and load balancers through the DigitalOcean API',
          );
        return digitaloceanReleaseCloud(config, read, { token, apiUrl: env.DIGITALOCEAN_API_URL });
      }),
    smoke: given.smoke ?? smoke,
    outputs,
    now: given.now ?? (() => new Date()),
    sleep:
      given.sleep ??
      (async (ms, signal) => {
        try {
          await delay(ms, undefined, { signal });
        } catch {
          // aborted by a signal: the engine stops at its next safe point
        }
      }),
    archiveRecord:
      given.archiveRecord ??
      (async (dir, config) => {
        const target = await resolveTarget({ ...options, environment: options.environment, cwd, env });
        const store = new ArchiveStore({
          target,
          serverSideEncryption: config.cloud === 'aws' ? 'aws:kms' : 'none',
          env,
        });
        try {
          const manifest = await uploadRecord(store, dir);
          return store.url(manifest.record);
        } finally {
          store.close();
        }
      }),
    callerIdentity: given.callerIdentity ?? defaultCallerIdentity,
  };
}
