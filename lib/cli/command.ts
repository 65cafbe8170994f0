/**
 * One runner for every command: parses the arguments ({@link parseCommandArgs}), prints `--help`, runs the command,
 * and maps what it throws to the exit-code table: a {@link CommandError} (a user's mistake, a missing prerequisite)
 * or invalid values ({@link ConfigError}) print one line and their exit code; anything unexpected prints its stack and
 * exits 1.
 */
import { ConfigError } from '../config/errors';
import { ArgsSpec, ParsedArgs, parseCommandArgs } from './args';
import { CommandError } from './errors';
import { ExitCode } from './exit-codes';
import { forInvocation } from './invocation';
import { CommandIo, ResolvedIo, writers } from './io';

/** A command's entry point: `argv` after the command name; returns or resolves to the exit code. */
export type CommandMain<
  R extends number | Promise<number> = number | Promise<number>,
  I extends CommandIo = CommandIo,
> = (argv: readonly string[], io?: I) => R;

/** The IO a command's `run` receives: the defaults filled in, plus any extra fields its IO type has (test seams). */
export type RunIo<I extends CommandIo> = ResolvedIo & Omit<I, keyof CommandIo>;

/** What {@link defineCommand} needs. */
export interface CommandDefinition<
  R extends number | Promise<number>,
  I extends CommandIo = CommandIo,
> extends ArgsSpec {
  /**
   * `run` returns the exit code itself rather than a promise (and so does the command's main).
   * @default false - the main returns a promise
   */
  readonly synchronous?: boolean;
  /** The `--help` text, written with `npm run <command> --` (rewritten for `npx cdktf-bluegreen <command>` users). */
  readonly help: string;
  /**
   * Runs the command with the parsed arguments; returns (or resolves to) the exit code. Throwing a
   * {@link CommandError} or {@link ConfigError} is the way to report a user's mistake.
   */
  readonly run: (args: ParsedArgs, io: RunIo<I>) => R;
}

/** The exit code and the one line (or lines) to print for an error a command threw; undefined when unexpected. */
export function describeError(e: unknown): { exitCode: number; message: string } | undefined {
  if (e instanceof CommandError) return { exitCode: e.exitCode, message: e.message };
  if (e instanceof ConfigError) return { exitCode: ExitCode.USAGE, message: e.message };
  return undefined;
}

function report(command: string, e: unknown, io: ResolvedIo): number {
  const known = describeError(e);
  if (known) {
    io.stderr(`${command}: ${known.message}\n`);
    return known.exitCode;
  }
  io.stderr(`${command}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return ExitCode.FAILED;
}

/**
 * Runs one command: parse, `--help`, run, errors to exit codes. Synchronous when `run` is (a number comes back), else
 * a promise of the exit code.
 */
export function runCommand<R extends number | Promise<number>, I extends CommandIo = CommandIo>(
  definition: CommandDefinition<R, I>,
  argv: readonly string[],
  io: I = {} as I,
): R {
  const resolved: RunIo<I> = { ...io, ...writers(io) };
  const context = { cwd: resolved.cwd, env: resolved.env };
  const done = (code: number) => (definition.synchronous ? code : Promise.resolve(code)) as R;
  try {
    const args = parseCommandArgs(argv, definition, context);
    if (args.help) {
      resolved.stdout(forInvocation(definition.help, context));
      return done(ExitCode.OK);
    }
    for (const warning of args.warnings) resolved.stderr(`${definition.command}: warning: ${warning}\n`);
    const result = definition.run(args, resolved);
    if (result instanceof Promise) return result.catch((e: unknown) => report(definition.command, e, resolved)) as R;
    return result;
  } catch (e) {
    return done(report(definition.command, e, resolved));
  }
}

/** Makes a command's `xxxMain(argv, io)` from its definition (see {@link runCommand}). */
export function defineCommand<R extends number | Promise<number>, I extends CommandIo = CommandIo>(
  definition: CommandDefinition<R, I>,
): CommandMain<R, I> & { readonly definition: CommandDefinition<R, I> } {
  const main = (argv: readonly string[], io: I = {} as I) => runCommand(definition, argv, io);
  return Object.assign(main, { definition });
}
