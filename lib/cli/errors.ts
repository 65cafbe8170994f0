/**
 * The errors a command raises for a user's mistake or a missing prerequisite. The runner ({@link runCommand} in
 * `./command`) prints their message as one line (never a stack trace) and exits with their {@link CommandError.exitCode}.
 */
import { ExitCode } from './exit-codes';

/** A failure the user can act on: printed as `<command>: <message>`, exiting with {@link exitCode}. */
export class CommandError extends Error {
  /** The process exit code, one of {@link ExitCode}. */
  public readonly exitCode: number;

  /**
   * @param message what went wrong and what to do instead, in one line
   * @param exitCode one of {@link ExitCode}
   */
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CommandError';
    this.exitCode = exitCode;
  }
}

/** Bad input: unknown flag or argument, invalid values, unknown environment or stack. Nothing was changed (exit 2). */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
    this.name = 'UsageError';
  }
}

/** Why a prerequisite is missing: the real cause, as classified from the tools' own output. */
export type PrerequisiteKind =
  | 'no-credentials'
  | 'registry-unreachable'
  | 'provider-version-missing'
  | 'stack-not-deployed'
  | 'tool-missing'
  | 'other';

/**
 * A prerequisite is missing: no cloud credentials, the provider registry or mirror cannot serve the pinned provider,
 * a stack the command needs is not deployed, a tool is not installed. Nothing was changed (exit 3).
 */
export class PrerequisiteError extends CommandError {
  /** Which prerequisite is missing. */
  public readonly kind: PrerequisiteKind;

  /**
   * @param message the cause and the fix
   * @param kind which prerequisite
   */
  constructor(message: string, kind: PrerequisiteKind = 'other') {
    super(message, ExitCode.PREREQUISITE);
    this.name = 'PrerequisiteError';
    this.kind = kind;
  }
}
