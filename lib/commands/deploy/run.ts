/**
 * The run of a deploy: `cdktf deploy <stack>` through the one cdktf adapter (`lib/cli/cdktf.ts`), streamed into the
 * deploy's log with a progress line per phase, with SIGINT/SIGTERM forwarded to cdktf and the Terraform it runs.
 */
import { cdktfBinary, plainOutputEnv, runProcess } from '../../cli/cdktf';
import { DeployLog } from './log';
import { answersPrompts, deployOutcome, phaseOf } from './plan';

/** The exit code after a signal: 128 + its number, as shells report it. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** A signal a deploy handles. */
export type DeploySignal = keyof typeof SIGNAL_EXIT;

/** `result`, or after a signal its exit code (128 + the signal's number) and the signal as the error. */
export function afterSignal<R extends { readonly exitCode: number; readonly error?: string }>(
  result: R,
  interrupted: DeploySignal | undefined,
): R {
  return interrupted
    ? { ...result, exitCode: SIGNAL_EXIT[interrupted], error: `interrupted by ${interrupted}` }
    : result;
}

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
  let first: DeploySignal | undefined;
  const handler = (signal: DeploySignal) => {
    first ??= signal;
    if (!running || pid === undefined) {
      note(`deploy: ${signal} received; finishing the deployment record before exiting`);
      return;
    }
    note(
      `deploy: ${signal} received; forwarded to cdktf, waiting for Terraform to stop gracefully (the record follows)`,
    );
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

/** What {@link runCdktfDeploy} needs. */
export interface CdktfDeployRun {
  /** Project directory. */
  readonly cwd: string;
  /** Environment variables of cdktf (`CDKTF_BIN` chooses the executable). */
  readonly env: NodeJS.ProcessEnv;
  /** The arguments, `deploy <stack> ...`. */
  readonly args: readonly string[];
  /** Standard input of cdktf (`inherit` lets it ask for approval). */
  readonly stdin: 'inherit' | 'ignore';
  /** The deploy's log. */
  readonly log: DeployLog;
}

/** How cdktf ended. */
export interface CdktfDeployEnd {
  /** cdktf's exit code. */
  readonly code: number;
  /** How the deploy ended. */
  readonly outcome: 'succeeded' | 'failed' | 'interrupted';
  /** The last phase cdktf announced. */
  readonly phase?: string;
  /** The first signal received, when one was. */
  readonly interrupted?: DeploySignal;
  /** Stops handling signals: call once the record is done (uploaded or given up). */
  readonly release: () => void;
}

/**
 * Runs cdktf, its output streamed into the log with a progress line per phase. Signals stay handled after it
 * returns (the record is still to be written): call `release` once it is.
 */
export async function runCdktfDeploy(run: CdktfDeployRun): Promise<CdktfDeployEnd> {
  const { args, log } = run;
  log.say(`[2/4] cdktf ${args.join(' ')} (${log.elapsed()})`);
  if (!args.includes('--auto-approve'))
    log.say(
      `  note: without --auto-approve cdktf asks for approval; its prompt may not render while the output is captured`,
    );
  let phase: string | undefined;
  const signals = forwardSignals(run.stdin === 'inherit' && process.stdin.isTTY === true, (line) => log.fail(line));
  let result: { code: number; error?: string };
  try {
    // Output captured without a terminal to answer prompts: ask cdktf for plain output (no spinner, no colours).
    const interactive = answersPrompts(run.stdin, process.stdin.isTTY === true, args);
    result = await runProcess(cdktfBinary(run.cwd, run.env), args, {
      cwd: run.cwd,
      env: interactive ? run.env : plainOutputEnv(run.env),
      stdin: run.stdin,
      detached: signals.detached,
      onSpawn: signals.attach,
      onLine: (line, stream) => {
        log.write(`${line}\n`, stream);
        const next = phaseOf(line);
        if (next && next !== phase) {
          phase = next;
          log.say(`  » ${next} (${log.elapsed()})`);
        }
      },
    });
  } finally {
    signals.childExited();
  }
  const interrupted = signals.received();
  if (result.error && !interrupted) log.fail(result.error);
  const outcome = deployOutcome(result.code, interrupted);
  log.say(
    `  cdktf exited ${result.code}: deploy ${outcome}${interrupted ? ` by ${interrupted}` : ''} (${log.elapsed()})`,
  );
  return { code: result.code, outcome, phase, interrupted, release: signals.release };
}
