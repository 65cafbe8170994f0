/**
 * How the user runs a command, so every message that says "run X" names a command the user actually has:
 * `npm run deploy -- prod-green` in a checkout of this project (its package.json has the script), and
 * `npx cdktf-bluegreen deploy prod-green` in a consumer repo (the package's `bin`).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The package's executable (package.json `bin`). */
export const PACKAGE_BIN = 'cdktf-bluegreen';

/** Where to look for the project's package.json. */
export interface InvocationContext {
  /**
   * Project directory.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

function scriptsOf(cwd: string): Record<string, unknown> {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as {
      scripts?: Record<string, unknown>;
    };
    return pkg.scripts ?? {};
  } catch {
    return {};
  }
}

/**
 * The prefix that runs `command` for this user: `npm run <command> --` when the project's package.json has a script
 * of that name, else `npx cdktf-bluegreen <command>`. Arguments follow the prefix.
 */
export function commandPrefix(command: string, context: InvocationContext = {}): string {
  const scripts = scriptsOf(context.cwd ?? process.cwd());
  return typeof scripts[command] === 'string' ? `npm run ${command} --` : `npx ${PACKAGE_BIN} ${command}`;
}

/** The whole command line that runs `command` with `args`, as the user would type it (see {@link commandPrefix}). */
export function commandLine(command: string, args: readonly string[] = [], context: InvocationContext = {}): string {
  return [commandPrefix(command, context), ...args.map(shellWord)].join(' ');
}

/** Rewrites every `npm run <command> --` in a text (help texts are written that way) to {@link commandPrefix}. */
export function forInvocation(text: string, context: InvocationContext = {}): string {
  return text.replace(/npm run ([a-z][a-z-]*) --(?= |$)/gm, (whole, command: string) => {
    const prefix = commandPrefix(command, context);
    return prefix.startsWith('npm run') ? whole : prefix;
  });
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
