/**
 * One exit-code table for every command (`npm run <command>` here, `npx cdktf-bluegreen <command>` in a consumer repo).
 * The README's "Exit codes" table is this one; a test keeps them equal.
 */
export const ExitCode = {
  /** The command did what was asked (deployed, released, drawn, nothing to flag). */
  OK: 0,
  /** The command ran and the outcome is negative: a smoke test failed, a deploy failed, a diff flagged risks. */
  FAILED: 1,
  /** Bad input: unknown flag or argument, invalid values file, unknown environment or stack. Nothing was changed. */
  USAGE: 2,
  /**
   * A prerequisite is missing: no cloud credentials, the provider registry or mirror cannot serve the pinned provider
   * version, or a stack the command needs has not been deployed. Nothing was changed.
   */
  PREREQUISITE: 3,
  /** A release failed a gate after traffic moved and was rolled back automatically to the pre-release weights. */
  ROLLED_BACK: 4,
  /** A release stopped before any traffic moved (the idle color never became healthy, or its smoke test failed). */
  STOPPED_BEFORE_TRAFFIC: 5,
  /** A release needs an operator: a gate failed after an irreversible switch, so no automatic rollback was made. */
  NEEDS_OPERATOR: 6,
} as const;

/** One of the {@link ExitCode} values, or 128 + a signal number (130 for SIGINT, 143 for SIGTERM) after an interruption. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode] | number;

/** The exit code after a signal, as shells report it: 128 + the signal's number (SIGINT → 130, SIGTERM → 143). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };
  return 128 + (numbers[signal] ?? 15);
}
