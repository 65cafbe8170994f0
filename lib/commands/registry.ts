/**
 * The package's commands: `npx cdktf-bluegreen <command>` in a consumer repo and `npm run <command>` here run the same
 * entry (`bin/cdktf-bluegreen`, `bin/<command>.ts`). Registering a command is one line in {@link COMMANDS}; its module
 * is loaded only when it runs (so `--help` and other commands never load the AWS SDK).
 */
import { CommandMain } from '../cli/command';
import { ExitCode } from '../cli/exit-codes';
import { CommandIo, writers } from '../cli/io';
import { PACKAGE_BIN } from '../cli/invocation';

/** One command of the package. */
export interface CommandEntry {
  /** Its name: `npx cdktf-bluegreen <name>`, `npm run <name>`. */
  readonly name: string;
  /** One line for `npx cdktf-bluegreen --help`. */
  readonly summary: string;
  /** Loads its `xxxMain(argv, io)`. */
  readonly load: () => Promise<CommandMain>;
}

/** Every command, in the order `--help` lists them. Add a command with one line here (and, for `npm run`, a script). */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'promote',
    summary: 'copy release artifacts by digest into the environment registry (and AMIs), pin them in the values',
    load: async () => (await import('./promote')).promoteMain,
  },
  {
    name: 'bundle',
    summary: "write (or verify) an environment's content-addressed release bundle",
    load: async () => (await import('./bundle')).bundleMain,
  },
  {
    name: 'release',
    summary: 'deploy the idle color, wait, smoke it, shift traffic in gated steps, roll back by itself',
    load: async () => (await import('./release/cli')).releaseMain,
  },
  {
    name: 'deploy',
    summary: 'deploy one stack (cdktf deploy) and archive its deployment record',
    load: async () => (await import('./deploy')).deployMain,
  },
  {
    name: 'cutover',
    summary: 'move live traffic to a color (edits traffic in environments/<env>.yaml)',
    load: async () => (await import('./cutover')).cutoverMain,
  },
  {
    name: 'smoke',
    summary: 'check a release over HTTP(S), e.g. through the test listener',
    load: async () => (await import('./smoke')).smokeMain,
  },
  {
    name: 'archive',
    summary: 'verify, list or upload deployment records',
    load: async () => (await import('./archive')).archiveMain,
  },
  {
    name: 'diff',
    summary: 'compare the synthesized stacks with a base and flag risks',
    load: async () => (await import('./diff')).diffMain,
  },
  {
    name: 'plan',
    summary: 'terraform plan per stack after offline checks; fails on stateful deletes',
    load: async () => (await import('./plan')).planMain,
  },
  {
    name: 'diagram',
    summary: 'draw an environment (Mermaid and HTML)',
    load: async () => (await import('./diagram')).diagramMain,
  },
  {
    name: 'vpn-config',
    summary: "print the office's strongSwan config for the site-to-site VPN",
    load: async () => (await import('./vpn-config')).vpnConfigMain,
  },
  {
    name: 'log-store-bootstrap',
    summary: 'apply the log store bootstrap (retention policy, forwarder role and user)',
    load: async () => (await import('./log-store-bootstrap')).logStoreBootstrapMain,
  },
];

/** `npx cdktf-bluegreen --help`: the commands with one-line summaries. */
export function packageHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Usage: npx ${PACKAGE_BIN} <command> [options]     (in this project: npm run <command> -- [options])`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run npx ${PACKAGE_BIN} <command> --help for a command's options. Exit codes (every command): 0 ok, 1 failed,`,
    '2 bad input (nothing changed), 3 a prerequisite is missing (credentials, provider, stack not deployed), 4 rolled',
    'back, 5 stopped before traffic moved, 6 needs an operator, 128+N interrupted by signal N.',
    '',
  ].join('\n');
}

/** Runs the named command with `argv`; an unknown name is a usage error (exit 2) listing the commands. */
export async function runNamedCommand(name: string, argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    writers(io).stderr(
      `${PACKAGE_BIN}: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see npx ${PACKAGE_BIN} --help)\n`,
    );
    return ExitCode.USAGE;
  }
  return (await entry.load())(argv, io);
}

/** The package's `bin`: `cdktf-bluegreen <command> [args]`, `cdktf-bluegreen --help`. */
export async function packageMain(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? writers(io).stderr : writers(io).stdout)(packageHelp());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  return runNamedCommand(name, rest, io);
}

/**
 * Runs a command as a process: `bin/<command>.ts` (`npm run <command>`) and `bin/cdktf-bluegreen` call this. Sets the
 * exit code once output is flushed; an unexpected error prints its stack and exits 1.
 */
export function runAsProcess(run: () => Promise<number>): void {
  // The pinned SDK works on Node 20; its notice about future releases needing Node 22 is not for our users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const exit = (code: number) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  run().then(exit, (e: unknown) => {
    process.stderr.write(`${PACKAGE_BIN}: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    exit(ExitCode.FAILED);
  });
}

/** `bin/<command>.ts`: runs one command with the process's arguments. */
export function runBin(name: string): void {
  runAsProcess(() => runNamedCommand(name, process.argv.slice(2)));
}

/** `bin/cdktf-bluegreen`: the package's dispatcher. */
export function runPackageBin(): void {
  runAsProcess(() => packageMain(process.argv.slice(2)));
}
