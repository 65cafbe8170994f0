/**
 * Where an environment's deployment records go: the bucket, region and (for S3-compatible stores such as
 * DigitalOcean Spaces) endpoint, taken from flags or from the `<env>-shared` stack outputs. Also runs the
 * `cdktf` binary, which tests replace with a stand-in through `CDKTF_BIN`.
 */
import { spawn, StdioOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHIVE_OUTPUTS, stackName } from '../../stacks/contract';

// Kept importable from here, where the commands have always found it.


/** Where records are read and written. */
export interface ArchiveTarget {
  /** Bucket name. */
  readonly bucket: string;
  /** Region (for Spaces, the Spaces region such as `fra1`; signing uses it as is). */
  readonly region: string;
  /**
   * S3-compatible endpoint URL.
   * @default - AWS S3 in `region`
   */
  readonly endpoint?: string;
  /** Address the bucket in the path (`<endpoint>/<bucket>/key`) instead of the host name. */
  readonly forcePathStyle: boolean;
}

/** Flags that override (or replace) the stack outputs. */
export interface TargetFlags {
  /**
   * `--bucket`: the records bucket.
   * @default - output `deployment_records_bucket` of `<env>-shared`
   */
  readonly bucket?: string;
  /**
   * `--region`: the bucket's region.
   * @default - output `archive_region` of `<env>-shared` (`us-east-1` for an endpoint without one)
   */
  readonly region?: string;
  /**
   * `--endpoint`: an S3-compatible endpoint URL.
   * @default - output `archive_endpoint` of `<env>-shared`, else AWS S3
   */
  readonly endpoint?: string;
  /**
   * `--path-style`: address the bucket in the URL path.
   * @default - true for localhost and IP-address endpoints, else false
   */
  readonly pathStyle?: boolean;
  /**
   * `--shared-outputs`: a file written by `cdktf deploy|output --outputs-file` to read instead of running cdktf.
   * @default - runs `cdktf output <env>-shared` when a flag is missing
   */
  readonly outputsFile?: string;
}

/** A usage or configuration problem: the command prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The `cdktf` executable to run: `CDKTF_BIN` when set (an executable path; tests point it at a stand-in
 * script), else the project's `node_modules/.bin/cdktf`, else `cdktf` on the PATH.
 */
export function cdktfBinary(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.CDKTF_BIN) return env.CDKTF_BIN;
  const local = path.join(cwd, 'node_modules', '.bin', 'cdktf');
  return fs.existsSync(local) ? local : 'cdktf';
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
export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<{ code: number; error?: string }> {
  return new Promise((resolve) => {
    const stdio: StdioOptions = [options.stdin ?? 'ignore', 'pipe', 'pipe'];
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio, detached: options.detached ?? false });
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
      failed = e.code === 'ENOENT' ? `${command}: not found (set CDKTF_BIN or install cdktf-cli)` : `${command}: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) options.onLine?.(pending[stream], stream);
      if (failed) resolve({ code: 127, error: failed });
      else resolve({ code: code ?? (signal ? 128 : 1), ...(signal ? { error: `${command} was killed by ${signal}` } : {}) });
    });
  });
}

/** Reads one stack's outputs from a cdktf outputs file (`{ "<stack>": { "<output>": value } }`). */
export function readStackOutputs(file: string, stack: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read the outputs file (${(e as Error).message})`);
  }
  const outputs = (parsed as Record<string, unknown> | null)?.[stack];
  if (!outputs || typeof outputs !== 'object') {
    throw new UsageError(`${file}: has no outputs for stack ${stack}; deploy ${stack} first, or pass --bucket and --region`);
  }
  return outputs as Record<string, unknown>;
}

/** Options for {@link resolveTarget}. */
export interface ResolveTargetOptions extends TargetFlags {
  /** The environment whose `<env>-shared` outputs name the bucket. */
  readonly environment: string;
  /** Project directory (where `cdktf` runs). */
  readonly cwd: string;
  /**
   * Environment variables (for `CDKTF_BIN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/**
 * Resolves the records bucket: flags win; whatever they leave open comes from the `<env>-shared` outputs (an
 * `--outputs-file`, or `cdktf output <env>-shared --outputs-file <tmp>`).
 */
export async function resolveTarget(options: ResolveTargetOptions): Promise<ArchiveTarget> {
  let bucket = options.bucket;
  let region = options.region;
  let endpoint = options.endpoint;
  const needsOutputs = !bucket || !(region || endpoint);
  if (needsOutputs) {
    const shared = stackName(options.environment, 'shared');
    let file = options.outputsFile;
    let tmp: string | undefined;
    if (!file) {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-outputs-'));
      file = path.join(tmp, 'outputs.json');
      const bin = cdktfBinary(options.cwd, options.env);
      options.log?.(`reading the outputs of ${shared} (${path.basename(bin)} output ${shared})`);
      const errors: string[] = [];
      const run = await runProcess(bin, ['output', shared, '--outputs-file', file], {
        cwd: options.cwd,
        env: options.env,
        onLine: (line, stream) => stream === 'stderr' && errors.push(line),
      });
      if (run.code !== 0 || !fs.existsSync(file)) {
        fs.rmSync(tmp, { recursive: true, force: true });
        const why = run.error ?? (errors.filter(Boolean).slice(-3).join(' / ') || `exit code ${run.code}`);
        throw new UsageError(`cannot read the outputs of ${shared} (${why}); deploy ${shared} first, or pass --bucket and --region (or --endpoint)`);
      }
    }
    try {
      const outputs = readStackOutputs(file, shared);
      bucket ??= optionalString(outputs[ARCHIVE_OUTPUTS.recordsBucket]);
      if (!bucket) throw new UsageError(`${shared} has no output "${ARCHIVE_OUTPUTS.recordsBucket}"; deploy ${shared} first, or pass --bucket`);
      region ??= optionalString(outputs[ARCHIVE_OUTPUTS.region]);
      endpoint ??= optionalString(outputs[ARCHIVE_OUTPUTS.endpoint]);
      // A bare host name (as Spaces reports it) means HTTPS.
      if (endpoint && !/^[a-z]+:\/\//.test(endpoint)) endpoint = `https://${endpoint}`;
    } finally {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!bucket) throw new UsageError('no bucket: pass --bucket or deploy the shared stack first');
  if (endpoint && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    throw new UsageError(`--endpoint "${endpoint}" must be a URL such as https://fra1.digitaloceanspaces.com`);
  }
  const host = endpoint ? new URL(endpoint).hostname : '';
  const local = host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  return {
    bucket,
    region: region ?? (endpoint ? 'us-east-1' : missingRegion()),
    ...(endpoint ? { endpoint: endpoint.replace(/\/$/, '') } : {}),
    forcePathStyle: options.pathStyle ?? local,
  };
}

function missingRegion(): never {
  throw new UsageError('no region: pass --region (or --endpoint for an S3-compatible store)');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
