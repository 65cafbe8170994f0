/**
 * A small `--flag value` / `--flag=value` / `--switch` parser for the command-line tools: known flags are
 * collected, everything else is returned in order (positionals and, for `deploy`, arguments passed on to cdktf).
 */
import { UsageError } from './archive-target';

/** Which flags take a value and which are switches. */
export interface FlagSpec {
  /** Flags followed by a value. */
  readonly values: readonly string[];
  /** Flags without a value. */
  readonly switches: readonly string[];
}

/** Parsed arguments. */
export interface ParsedFlags {
  /** Known flags (`--bucket x` → `{ bucket: 'x' }`, `--path-style` → `{ 'path-style': true }`). */
  readonly flags: Record<string, string | true>;
  /** Everything else, in order; arguments after `--` are always here. */
  readonly rest: string[];
}

/** Parses `argv` against `spec`; a known value flag without a value is a {@link UsageError}. */
export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const flags: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (m && spec.values.includes(m[1])) {
      const value = m[2] ?? argv[++i];
      if (value === undefined || value === '' || (m[2] === undefined && value.startsWith('--'))) throw new UsageError(`--${m[1]} needs a value`);
      flags[m[1]] = value;
    } else if (m && spec.switches.includes(m[1]) && m[2] === undefined) {
      flags[m[1]] = true;
    } else if (arg === '-h') {
      flags.help = true;
    } else {
      rest.push(arg);
    }
  }
  return { flags, rest };
}

/** The value of a string flag, if given. */
export function stringFlag(flags: ParsedFlags['flags'], name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole-number flag, if given; a {@link UsageError} when it is not one. */
export function intFlag(flags: ParsedFlags['flags'], name: string, min: number): number | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${v}"`);
  return Number(v);
}

/** The flags every archive-using command shares: where the bucket is. */
export const TARGET_FLAGS = ['bucket', 'region', 'endpoint', 'shared-outputs'] as const;

/** Reads the target flags into {@link TargetFlags} form. */
export function targetFlags(flags: ParsedFlags['flags']): { bucket?: string; region?: string; endpoint?: string; pathStyle?: boolean; outputsFile?: string } {
  return {
    bucket: stringFlag(flags, 'bucket'),
    region: stringFlag(flags, 'region'),
    endpoint: stringFlag(flags, 'endpoint'),
    outputsFile: stringFlag(flags, 'shared-outputs'),
    ...(flags['path-style'] ? { pathStyle: true } : {}),
  };
}

/** Where a command's CLI writes, and what it runs in: injectable for tests. */
export interface CommandIo {
  /**
   * Receives standard output.
   * @default - process.stdout
   */
  readonly stdout?: (text: string) => void;
  /**
   * Receives standard error.
   * @default - process.stderr
   */
  readonly stderr?: (text: string) => void;
}

/** The two writers of a {@link CommandIo}, defaulting to the process's own streams. */
export function writers(io: CommandIo): { stdout: (text: string) => void; stderr: (text: string) => void } {
  return {
    stdout: io.stdout ?? ((t: string) => void process.stdout.write(t)),
    stderr: io.stderr ?? ((t: string) => void process.stderr.write(t)),
  };
}

/** Runs an argument parser (`node:util` `parseArgs`, strict), turning its errors into a {@link UsageError} that points to `--help`. */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
}
