/**
 * The one adapter to cdktf and Terraform: finds the executables, runs them with their output streamed line by line,
 * reads stack outputs (from a file or with `cdktf output`), and turns their failures into errors that name the real
 * cause, classified from Terraform's and cdktf's own error text (see {@link classifyToolOutput}).
 */
import { spawn, StdioOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseStackName } from '../../stacks/contract';
import { listEnvironments } from '../config/loader';
import { PrerequisiteError, PrerequisiteKind, UsageError } from './errors';
import { commandLine } from './invocation';
import { plainText } from './terminal';

/** The deployed outputs could not be read: cdktf failed (the cause is in the message) or the stack is not deployed. */
export class OutputsUnavailableError extends PrerequisiteError {
  /**
   * @param message what failed and what to do instead
   * @param kind the cause
   */
  constructor(message: string, kind: PrerequisiteKind = 'other') {
    super(message, kind);
    this.name = 'OutputsUnavailableError';
  }
}

/**
 * The `cdktf` executable to run: `CDKTF_BIN` when set (an executable path; tests point it at a stand-in script), else
 * the project's `node_modules/.bin/cdktf`, else `cdktf` on the PATH.
 */
export function cdktfBinary(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.CDKTF_BIN) return env.CDKTF_BIN;
  const local = path.join(cwd, 'node_modules', '.bin', 'cdktf');
  return fs.existsSync(local) ? local : 'cdktf';
}

/** The first `name` executable on `pathVar` (a PATH value), or undefined. */
export function findExecutable(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `terraform` executable: `TERRAFORM_BIN` when set, else the first on the PATH; undefined when there is none. */
export function terraformBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TERRAFORM_BIN ?? findExecutable('terraform', env.PATH);
}

/**
 * The environment for a tool whose output is read rather than watched: asks cdktf for plain output (`CI=true` turns
 * its spinner off) and every tool for no colours (`NO_COLOR`, `FORCE_COLOR=0`); {@link plainText} strips what remains.
 */
export function plainOutputEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, CI: env.CI || 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
}

/** Options for {@link runProcess}. */
export interface RunOptions {
  /** Working directory. */
  readonly cwd: string;
  /**
   * Environment of the child.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Standard input of the child (`inherit` lets cdktf ask for approval).
   * @default 'ignore'
   */
  readonly stdin?: 'inherit' | 'ignore';
  /**
   * Called with every complete line of output, in order, tagged by stream.
   * @default - output is discarded
   */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Start the child in its own process group (so a signal sent to the group reaches it and its children, e.g.
   * cdktf and the Terraform it runs).
   * @default false
   */
  readonly detached?: boolean;
  /**
   * Called once the child has started, with its process id (to forward signals to it).
   * @default - nothing
   */
  readonly onSpawn?: (pid: number) => void;
}

/** Runs a program, feeding its output line by line to `onLine`; resolves with its exit code (127 if it could not start). */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<{ code: number; error?: string }> {
  return new Promise((resolve) => {
    const stdio: StdioOptions = [options.stdin ?? 'ignore', 'pipe', 'pipe'];
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio,
      detached: options.detached ?? false,
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const pending = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr', chunk: string) => {
      const lines = (pending[stream] + chunk).split(/\r?\n/);
      pending[stream] = lines.pop()!;
      for (const line of lines) options.onLine?.(line, stream);
    };
    child.stdout!.setEncoding('utf8').on('data', (c: string) => feed('stdout', c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => feed('stderr', c));
    let failed: string | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      failed =
        e.code === 'ENOENT' ? `${command}: not found (set CDKTF_BIN or install cdktf-cli)` : `${command}: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      for (const stream of ['stdout', 'stderr'] as const)
        if (pending[stream]) options.onLine?.(pending[stream], stream);
      if (failed) resolve({ code: 127, error: failed });
      else
        resolve({
          code: code ?? (signal ? 128 : 1),
          ...(signal ? { error: `${command} was killed by ${signal}` } : {}),
        });
    });
  });
}

/** The cause of a Terraform or cdktf failure, classified from its output; see {@link classifyToolOutput}. */
export interface ToolFailure {
  /** The prerequisite that is missing, or `other` when the output names none of the known causes. */
  readonly kind: PrerequisiteKind;
  /** The cause in words, with the fix. */
  readonly reason: string;
  /** Terraform's own line that shows the cause (e.g. `no available releases match the given constraints 6.25.0`). */
  readonly evidence?: string;
}

const CAUSES: ReadonlyArray<{ kind: PrerequisiteKind; pattern: RegExp; reason: (m: RegExpMatchArray) => string }> = [
  {
    // Terraform: "Could not retrieve the list of available versions for provider hashicorp/aws: no available releases match the given constraints 6.25.0"
    kind: 'provider-version-missing',
    pattern:
      /available versions for provider ([\w./-]+): no available releases match the given constraints (\S+(?: ?[,<>=~!]+ ?\S+)*)/,
    reason: (m) =>
      `the provider source (registry or mirror) has no release of ${m[1]} matching ${m[2].trim()}, the version the stacks pin; add that version to the mirror (terraform providers mirror) or point provider_installation at a source that has it`,
  },
  {
    // Terraform with a filesystem mirror that lacks the provider altogether.
    kind: 'provider-version-missing',
    pattern: /provider ([\w./-]+) was not found in any of the search locations/,
    reason: (m) =>
      `the provider mirror has no copy of ${m[1]}; add it (terraform providers mirror <dir>) or allow the registry in provider_installation`,
  },
  {
    kind: 'registry-unreachable',
    pattern:
      /could not query provider registry for ([\w./-]+)|could not connect to ([\w.-]+)|Failed to request discovery document/,
    reason: (m) =>
      `cannot reach the provider registry${m[1] ? ` for ${m[1]}` : m[2] ? ` (${m[2]})` : ''} to install providers; allow it, or use a provider mirror (provider_installation in the Terraform CLI config, TF_CLI_CONFIG_FILE)`,
  },
  {
    // AWS provider and S3 backend: "No valid credential sources found"; rejected keys; DigitalOcean 401.
    kind: 'no-credentials',
    pattern:
      /No valid credential sources found|NoCredentialProviders|Unable to locate credentials|failed to refresh cached credentials|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|validating provider credentials|Unable to authenticate you|401 Unauthorized/,
    reason: () =>
      'no cloud credentials, or the cloud rejected them: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (DIGITALOCEAN_TOKEN, SPACES_ACCESS_KEY_ID/SPACES_SECRET_ACCESS_KEY on DigitalOcean)',
  },
];

/**
 * The real cause of a failed Terraform or cdktf run, from its output (escape codes and box drawing ignored): a pinned
 * provider version missing from the registry or mirror, an unreachable registry, missing or rejected credentials; else
 * `other` with the last error line.
 */
export function classifyToolOutput(output: string): ToolFailure {
  const text = plainText(output).replace(/^[│╷╵]\s?/gm, '');
  const flat = text.replace(/\s+/g, ' '); // Terraform wraps its messages at the terminal width
  for (const cause of CAUSES) {
    const m = flat.match(cause.pattern);
    if (m) return { kind: cause.kind, reason: cause.reason(m), evidence: m[0].replace(/\s+/g, ' ').trim() };
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = [...lines].reverse().find((l) => /^Error:|\bERROR\b|error:/i.test(l)) ?? lines[lines.length - 1];
  return { kind: 'other', reason: error ?? 'no error output', ...(error ? { evidence: error } : {}) };
}

/**
 * Checks that an environment exists (`environments/<env>.yaml` or `.yml` in `cwd`), so a command never blames a
 * missing deploy for a typo; throws {@link UsageError} naming the environments there are.
 */
export function assertEnvironmentExists(environment: string, cwd: string): void {
  const dir = path.join(cwd, 'environments');
  if (!fs.existsSync(dir)) return; // not a project checkout (outputs come from elsewhere): nothing to check against
  const known = listEnvironments(dir);
  if (!known.includes(environment)) {
    throw new UsageError(
      `environment "${environment}" does not exist: no environments/${environment}.yaml (environments: ${known.join(', ') || 'none'})`,
    );
  }
}

/**
 * Reads a stack's outputs from a JSON file: `{ "<stack>": {...} }` (cdktf `--outputs-file`), the outputs themselves,
 * or the `terraform output -json` form (`{ "<name>": { "value": ..., "sensitive": true } }`).
 */
export function readOutputsFile(
  file: string,
  stack: string,
  hint = 'pass another outputs file',
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read the outputs file (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError(`${file}: expected a JSON object of stack outputs`);
  const top = parsed as Record<string, unknown>;
  const otherStacks = Object.keys(top).filter(isStackKey);
  if (!(stack in top) && otherStacks.length > 0 && otherStacks.length === Object.keys(top).length) {
    throw new UsageError(`${file}: has no outputs for stack ${stack}; deploy ${stack} first, or ${hint}`);
  }
  const outputs = (top[stack] && typeof top[stack] === 'object' ? top[stack] : top) as Record<string, unknown>;
  const unwrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const isTerraformJson = value !== null && typeof value === 'object' && 'value' in value && 'sensitive' in value;
    unwrapped[key] = isTerraformJson ? (value as { value: unknown }).value : value;
  }
  return unwrapped;
}

function isStackKey(key: string): boolean {
  try {
    parseStackName(key);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link readDeployedOutputs}. */
export interface DeployedOutputsOptions {
  /** Project directory, where `cdktf output` runs. */
  readonly cwd: string;
  /**
   * Environment variables (for `CDKTF_BIN`, credentials).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Include sensitive outputs (`--outputs-file-include-sensitive-outputs`).
   * @default false
   */
  readonly includeSensitive?: boolean;
  /**
   * What the error suggests instead, e.g. `render offline with --outputs <file.json>`.
   * @default 'pass --outputs <file.json>'
   */
  readonly offlineHint?: string;
  /**
   * How the user deploys the stack, for the "not deployed" message.
   * @default - `run npm run deploy -- <stack>` or `run npx cdktf-bluegreen deploy <stack>` (see `commandLine`)
   */
  readonly deployHint?: string;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/**
 * Runs `cdktf output <stack> --outputs-file <tmp>` (in a private temp directory, removed afterwards) and reads the
 * file. Checks first that the stack's environment exists (a {@link UsageError} otherwise); throws
 * {@link OutputsUnavailableError} naming the real cause when cdktf fails (credentials, registry, provider version) or
 * when the stack has no outputs (not deployed).
 */
export async function readDeployedOutputs(
  stack: string,
  options: DeployedOutputsOptions,
): Promise<Record<string, unknown>> {
  const environment = isStackKey(stack) ? parseStackName(stack).environment : undefined;
  if (environment) assertEnvironmentExists(environment, options.cwd);
  const offline = options.offlineHint ?? 'pass --outputs <file.json>';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-outputs-'));
  fs.chmodSync(tmp, 0o700);
  const file = path.join(tmp, 'outputs.json');
  try {
    const bin = cdktfBinary(options.cwd, options.env);
    const sensitive = options.includeSensitive ? ['--outputs-file-include-sensitive-outputs'] : [];
    options.log?.(
      `reading the outputs of ${stack} (${path.basename(bin)} output ${stack}${sensitive.length ? ', sensitive values included' : ''})`,
    );
    const output: string[] = [];
    const run = await runProcess(bin, ['output', stack, '--outputs-file', file, ...sensitive], {
      cwd: options.cwd,
      env: plainOutputEnv(options.env ?? process.env),
      onLine: (line) => output.push(line),
    });
    if (run.error)
      throw new OutputsUnavailableError(`cannot read the outputs of ${stack}: ${run.error}`, 'tool-missing');
    if (run.code !== 0 || !fs.existsSync(file)) {
      const cause = classifyToolOutput(output.join('\n'));
      if (cause.kind !== 'other')
        throw new OutputsUnavailableError(
          `cannot read the outputs of ${stack}: ${cause.reason} (Terraform: ${cause.evidence})`,
          cause.kind,
        );
      throw new OutputsUnavailableError(`cannot read the outputs of ${stack} (${cause.reason}); ${offline}`, 'other');
    }
    const outputs = readOutputsFile(file, stack);
    if (Object.keys(outputs).length === 0) {
      throw new OutputsUnavailableError(
        `${stack} has no outputs: it is not deployed yet; ${options.deployHint ?? `deploy it first (${commandLine('deploy', [stack], { cwd: options.cwd })})`}, or ${offline}`,
        'stack-not-deployed',
      );
    }
    return outputs;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
