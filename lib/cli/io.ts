/** Where a command writes and what it runs in: one type for every command, injectable for tests. */

/** Where a command's CLI writes, and what it runs in: injectable for tests. */
export interface CommandIo {
  /**
   * Receives standard output.
   * @default - process.stdout
   */
  readonly stdout?: (text: string) => void;
  /**
   * Receives standard error (progress, warnings, errors).
   * @default - process.stderr
   */
  readonly stderr?: (text: string) => void;
  /**
   * Project directory (where `environments/`, `cdktf.json` and `package.json` are).
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Environment variables (credentials, `CDKTF_BIN`, npm's `npm_config_*`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** A {@link CommandIo} with every default filled in. */
export interface ResolvedIo {
  /** Standard output. */
  readonly stdout: (text: string) => void;
  /** Standard error. */
  readonly stderr: (text: string) => void;
  /** Project directory. */
  readonly cwd: string;
  /** Environment variables. */
  readonly env: NodeJS.ProcessEnv;
}

/** The writers (and directory, environment) of a {@link CommandIo}, defaulting to the process's own. */
export function writers(io: CommandIo = {}): ResolvedIo {
  return {
    stdout: io.stdout ?? ((t: string) => void process.stdout.write(t)),
    stderr: io.stderr ?? ((t: string) => void process.stderr.write(t)),
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
  };
}
