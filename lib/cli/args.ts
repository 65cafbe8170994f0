/**
 * Argument parsing for every command, on `node:util` `parseArgs` (strict): an unknown flag or a flag without its
 * value is a {@link UsageError} that names the flag and the command's `--help`; flags npm consumed (given to
 * `npm run <command>` without `--`) are refused with the right spelling before anything runs.
 */
import { parseArgs } from 'util';
import { UsageError } from './errors';
import { commandLine, shellWord } from './invocation';

/** One flag: `string` takes a value (`--weight 10`, `--weight=10`), `boolean` is a switch. */
export interface FlagSpec {
  /** Whether the flag takes a value. */
  readonly type: 'string' | 'boolean';
  /**
   * A one-letter alias (`-h`).
   * @default - none
   */
  readonly short?: string;
  /**
   * The flag may be given more than once; its values are collected in order.
   * @default false
   */
  readonly multiple?: boolean;
}

/** What a command accepts. */
export interface ArgsSpec {
  /** The command's name (`cutover`), for messages. */
  readonly command: string;
  /** Its flags by long name (without `--`); `--help`/`-h` is always added. */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /**
   * Old spellings still accepted, each with its current name: `{ 'shared-outputs': 'outputs' }`. A warning names the
   * current spelling.
   * @default - none
   */
  readonly deprecated?: Readonly<Record<string, string>>;
  /**
   * Flags of another program that are passed through unparsed, in order (deploy passes cdktf's own flags): long
   * names mapped to whether they take a value.
   * @default - none (every unknown flag is refused)
   */
  readonly passThrough?: Readonly<Record<string, FlagSpec>>;
}

/** Parsed arguments. */
export interface ParsedArgs {
  /** Flag values by long name (current spelling). */
  readonly flags: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  /** Positional arguments, in order (before `--`). */
  readonly positionals: readonly string[];
  /** Arguments after `--`, and pass-through flags, in the order given. */
  readonly passThrough: readonly string[];
  /** Warnings to print (deprecated spellings). */
  readonly warnings: readonly string[];
  /** Whether `--help` or `-h` was given. */
  readonly help: boolean;
}

/** Where the npm check looks. */
export interface ParseContext {
  /**
   * Environment variables (npm's `npm_config_*`, `npm_command`, `npm_lifecycle_event`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Project directory, for the `--help` hint.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/** The `see ... --help` hint for a command, as the user runs it. */
export function helpHint(command: string, context: ParseContext = {}): string {
  return `see ${commandLine(command, ['--help'], context)}`;
}

/**
 * Flags of the command that npm consumed: `npm run cutover prod blue --dry-run` (no `--`) gives npm `--dry-run`, which
 * it exports as `npm_config_dry_run=true` and never passes on. Only looked at when npm runs a script (`npm_command` is
 * `run`/`run-script`); returns the long names found.
 */
export function npmConsumedFlags(flags: readonly string[], env: NodeJS.ProcessEnv): string[] {
  if (!env.npm_lifecycle_event || !['run', 'run-script'].includes(env.npm_command ?? '')) return [];
  return flags.filter((name) => name !== 'help' && env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined);
}

/** Parses `argv` against `spec` (strict); throws {@link UsageError} naming the bad flag and the command's `--help`. */
export function parseCommandArgs(argv: readonly string[], spec: ArgsSpec, context: ParseContext = {}): ParsedArgs {
  const env = context.env ?? process.env;
  const ownFlags = [...Object.keys(spec.flags), ...Object.keys(spec.deprecated ?? {})];
  const eaten = npmConsumedFlags(ownFlags, env);
  if (eaten.length > 0) {
    const script = env.npm_lifecycle_event!;
    const given = eaten.map((name) => (flagType(spec, name) === 'string' ? `--${name} <value>` : `--${name}`));
    const valued = eaten.filter((name) => flagType(spec, name) === 'string');
    throw new UsageError(
      `npm took ${eaten.map((n) => `--${n}`).join(', ')} for itself (flags before "--" go to npm, not to the command)` +
        `${valued.length ? `, and passed the value on as an argument` : ''}; nothing was done. Run: ` +
        `npm run ${script} -- ${[...argv.map(shellWord), ...given].join(' ')}`.trimEnd(),
    );
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, flag] of Object.entries({ ...spec.passThrough, ...spec.flags })) options[name] = { ...flag };
  for (const [old, current] of Object.entries(spec.deprecated ?? {})) options[old] = { ...spec.flags[current] };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError(`${describeParseError(e as NodeJS.ErrnoException)} (${helpHint(spec.command, context)})`);
  }
  const flags: Record<string, string | boolean | string[] | boolean[] | undefined> = {};
  const passThrough: string[] = [];
  const warnings: string[] = [];
  const positionals: string[] = [];
  let afterDashes = false;
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option-terminator') {
      afterDashes = true;
    } else if (token.kind === 'positional') {
      (afterDashes ? passThrough : positionals).push(token.value);
    } else if (spec.passThrough && token.name in spec.passThrough && !(token.name in spec.flags)) {
      if (token.value === undefined) passThrough.push(token.rawName);
      else if (token.inlineValue) passThrough.push(`${token.rawName}=${token.value}`);
      else passThrough.push(token.rawName, token.value);
    } else if (token.name !== 'help') {
      const name = spec.deprecated?.[token.name] ?? token.name;
      if (name !== token.name) warnings.push(`--${token.name} is deprecated; use --${name}`);
      const value = token.value ?? true;
      if (spec.flags[name]?.multiple)
        flags[name] = [...((flags[name] as string[] | undefined) ?? []), value] as string[];
      else flags[name] = value;
    }
  }
  return { flags, positionals, passThrough, warnings, help: parsed.values.help === true };
}

function flagType(spec: ArgsSpec, name: string): 'string' | 'boolean' {
  return (spec.flags[name] ?? spec.flags[spec.deprecated?.[name] ?? ''])?.type ?? 'boolean';
}

/** One line for a `parseArgs` error, naming the flag. */
function describeParseError(e: NodeJS.ErrnoException): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? e.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(e.message)
        ? `${flag ?? 'an option'} takes no value`
        : `${flag ?? 'an option'} needs a value`;
    default:
      return e.message;
  }
}

/** The string value of a flag, if given. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Whether a switch was given. */
export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/** A whole-number flag, if given; a {@link UsageError} when it is not one or is below `min`. */
export function intFlag(
  args: ParsedArgs,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(
      `--${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got "${v}"`,
    );
  }
  return Number(v);
}
