/**
 * Reading a stack's outputs for a command: from a JSON file (offline) or by running `cdktf output <stack>`
 * against the deployed state.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cdktfBinary, runProcess, UsageError } from './archive-target';

/** The deployed outputs could not be read (cdktf failed or the stack is not deployed). */
export class OutputsUnavailableError extends Error {
  /** @param message what failed and what to do instead */
  constructor(message: string) {
    super(message);
    this.name = 'OutputsUnavailableError';
  }
}

/**
 * Reads a stack's outputs from a JSON file: `{ "<stack>": {...} }` (cdktf), the outputs themselves, or the
 * `terraform output -json` form (`{ "<name>": { "value": ..., "sensitive": true } }`).
 */
export function readOutputs(file: string, stack: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read the outputs file (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${file}: expected a JSON object of stack outputs`);
  const top = parsed as Record<string, unknown>;
  const outputs = (top[stack] && typeof top[stack] === 'object' ? top[stack] : top) as Record<string, unknown>;
  const unwrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const isTerraformJson = value !== null && typeof value === 'object' && 'value' in value && 'sensitive' in value;
    unwrapped[key] = isTerraformJson ? (value as { value: unknown }).value : value;
  }
  return unwrapped;
}

/** Options of {@link readDeployedOutputs}. */
export interface DeployedOutputsOptions {
  /** Project directory, where `cdktf output` runs. */
  readonly cwd: string;
  /**
   * Environment variables (for `CDKTF_BIN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Include sensitive outputs (`--outputs-file-include-sensitive-outputs`).
   * @default false
   */
  readonly includeSensitive?: boolean;
  /**
   * What the error suggests instead of a deploy, e.g. `render offline with --outputs <file.json>`.
   * @default 'pass --outputs <file.json>'
   */
  readonly offlineHint?: string;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/**
 * Runs `cdktf output <stack> --outputs-file <tmp>` (in a private temp directory, removed afterwards) and reads
 * the file; throws {@link OutputsUnavailableError} with cdktf's last error lines when that fails.
 */
export async function readDeployedOutputs(stack: string, options: DeployedOutputsOptions): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-outputs-'));
  fs.chmodSync(tmp, 0o700);
  const file = path.join(tmp, 'outputs.json');
  try {
    const bin = cdktfBinary(options.cwd, options.env);
    const sensitive = options.includeSensitive ? ['--outputs-file-include-sensitive-outputs'] : [];
    options.log?.(`reading the outputs of ${stack} (${path.basename(bin)} output ${stack}${sensitive.length ? ', sensitive values included' : ''})`);
    const errors: string[] = [];
    const run = await runProcess(bin, ['output', stack, '--outputs-file', file, ...sensitive], {
      cwd: options.cwd,
      env: options.env,
      onLine: (line, s) => s === 'stderr' && errors.push(line),
    });
    if (run.code !== 0 || !fs.existsSync(file)) {
      const why = run.error ?? (errors.filter(Boolean).slice(-3).join(' / ') || `exit code ${run.code}`);
      throw new OutputsUnavailableError(`cannot read the outputs of ${stack} (${why}); deploy ${stack} first, or ${options.offlineHint ?? 'pass --outputs <file.json>'}`);
    }
    return readOutputs(file, stack);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
