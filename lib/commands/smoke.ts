/**
 * `npm run smoke -- <url> [--path /health] [--attempts N] [--timeout S]`: a functional check of a release,
 * usually through the test listener (the `test_url` output of `<env>-cutover`) before a cutover, or through the
 * live URL after it. Requests the path until it answers 2xx (and, with `--expect`, contains a text), retrying with
 * exponential backoff; every attempt is reported; the exit code is non-zero when the release never became healthy.
 * `--env <env>` takes the URL from the `<env>-cutover` outputs instead (`test_url`, or `live_url` with `--live`).
 */
import * as http from 'http';
import * as https from 'https';
import { CUTOVER_OUTPUTS, stackName } from '../../stacks/contract';
import { ParsedArgs, stringFlag } from '../cli/args';
import { readDeployedOutputs, readOutputsFile } from '../cli/cdktf';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';

/** Options for {@link smoke}. */
export interface SmokeOptions {
  /** Base URL, e.g. `https://shop.example.com:8443`. */
  readonly url: string;
  /**
   * Path to request, appended to the URL's path.
   * @default '/health'
   */
  readonly path?: string;
  /**
   * Attempts before giving up.
   * @default 5
   */
  readonly attempts?: number;
  /**
   * Seconds each attempt may take (connect and full response).
   * @default 5
   */
  readonly timeoutSeconds?: number;
  /**
   * Seconds to wait after the first failed attempt; doubles after each further one, up to `maxDelaySeconds`.
   * @default 1
   */
  readonly delaySeconds?: number;
  /**
   * Longest wait between attempts.
   * @default 15
   */
  readonly maxDelaySeconds?: number;
  /**
   * Text the response body must contain (e.g. the release version).
   * @default - any 2xx body
   */
  readonly expectText?: string;
  /**
   * Skip TLS certificate verification (e.g. the load balancer's DNS name against a certificate for the domain).
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Receives one line per attempt and the verdict.
   * @default - no output
   */
  readonly log?: (line: string) => void;
}

/** One request's outcome. */
export interface SmokeAttempt {
  /** 1-based attempt number. */
  readonly attempt: number;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Why the attempt failed (status, timeout, connection error, missing text); absent when it passed. */
  readonly problem?: string;
  /** Milliseconds the attempt took. */
  readonly ms: number;
}

/** The verdict of {@link smoke}. */
export interface SmokeResult {
  /** True when an attempt passed. */
  readonly healthy: boolean;
  /** The full URL requested. */
  readonly url: string;
  /** Every attempt, in order. */
  readonly attempts: readonly SmokeAttempt[];
}

/** Joins a base URL and a path (`https://h:8443/app` + `/health` → `https://h:8443/app/health`). */
export function smokeUrl(base: string, path = '/health'): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`"${base}" is not a URL; expected e.g. https://shop.example.com:8443`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`"${base}" is not an http(s) URL`);
  if (!path.startsWith('/')) throw new UsageError(`--path must start with "/", got "${path}"`);
  const [pathname, query] = path.split('?', 2);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${pathname}`;
  if (query !== undefined) url.search = `?${query}`;
  return url;
}

/** One GET with a hard deadline; resolves with the status and body, or rejects with a readable reason. */
function get(
  url: URL,
  timeoutMs: number,
  insecure: boolean,
): Promise<{ status: number; statusText: string; body: string }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(
      url,
      {
        headers: { 'user-agent': 'cdktf-bluegreen-smoke', connection: 'close' },
        ...(insecure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 1 << 20) chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs / 1000}s`)), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reasons: Record<string, string> = {
        ECONNREFUSED: 'connection refused (nothing listening)',
        ENOTFOUND: `host ${url.hostname} not found`,
        ECONNRESET: 'connection reset',
        EHOSTUNREACH: 'host unreachable',
      };
      reject(new Error((e.code && reasons[e.code]) || e.message));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Checks a URL until it is healthy or the attempts run out; never throws for an unhealthy release. */
export async function smoke(options: SmokeOptions): Promise<SmokeResult> {
  const url = smokeUrl(options.url, options.path);
  const attempts = options.attempts ?? 5;
  const timeoutMs = (options.timeoutSeconds ?? 5) * 1000;
  const delayMs = (options.delaySeconds ?? 1) * 1000;
  const maxDelayMs = (options.maxDelaySeconds ?? 15) * 1000;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new UsageError(`--attempts must be a whole number >= 1, got ${attempts}`);
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be more than 0 seconds, got ${options.timeoutSeconds}`);
  const log = options.log ?? (() => undefined);
  const done: SmokeAttempt[] = [];
  for (let n = 1; n <= attempts; n++) {
    const started = Date.now();
    let attempt: SmokeAttempt;
    try {
      const res = await get(url, timeoutMs, options.insecure ?? false);
      const ms = Date.now() - started;
      const ok = res.status >= 200 && res.status < 300;
      const problem = !ok
        ? `HTTP ${res.status} ${res.statusText}`.trim()
        : options.expectText !== undefined && !res.body.includes(options.expectText)
          ? `HTTP ${res.status}, but the body does not contain "${options.expectText}"`
          : undefined;
      attempt = { attempt: n, status: res.status, problem, ms };
      log(
        `attempt ${n}/${attempts}: GET ${url.href} -> ${problem ?? `HTTP ${res.status} ${res.statusText}`.trim()} (${ms} ms)`,
      );
    } catch (e) {
      const ms = Date.now() - started;
      attempt = { attempt: n, problem: (e as Error).message, ms };
      log(`attempt ${n}/${attempts}: GET ${url.href} -> ${attempt.problem} (${ms} ms)`);
    }
    done.push(attempt);
    if (!attempt.problem) {
      log(`healthy: ${url.href} passed on attempt ${n}`);
      return { healthy: true, url: url.href, attempts: done };
    }
    if (n < attempts) {
      const wait = Math.min(delayMs * 2 ** (n - 1), maxDelayMs);
      log(`  retrying in ${wait / 1000}s`);
      await sleep(wait);
    }
  }
  log(`UNHEALTHY: ${url.href} failed ${attempts} attempt(s); last: ${done[done.length - 1].problem}`);
  return { healthy: false, url: url.href, attempts: done };
}

/** Options for {@link smokeTargetUrl}. */
export interface SmokeTargetOptions {
  /** The environment; its `<env>-cutover` outputs hold the URLs. */
  readonly environment: string;
  /**
   * Check the live URL instead of the test listener's.
   * @default false
   */
  readonly live?: boolean;
  /**
   * Read the outputs from this JSON file instead of running `cdktf output`.
   * @default - `cdktf output <env>-cutover`
   */
  readonly outputsFile?: string;
  /** Project directory, where `cdktf output` runs. */
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
 * The URL to check for an environment: the `test_url` (or, with `live`, `live_url`) output of `<env>-cutover`.
 *
 * @throws UsageError when the environment does not exist or the output is missing; OutputsUnavailableError (naming
 * the cause) when `cdktf output` fails or the stack is not deployed
 */
export async function smokeTargetUrl(options: SmokeTargetOptions): Promise<string> {
  if (!/^[a-z][a-z0-9-]*$/.test(options.environment))
    throw new UsageError(`"${options.environment}" is not an environment name`);
  const stack = stackName(options.environment, 'cutover');
  const outputs = options.outputsFile
    ? readOutputsFile(options.outputsFile, stack)
    : await readDeployedOutputs(stack, {
        cwd: options.cwd,
        env: options.env,
        log: options.log,
        offlineHint: 'pass the URL itself, or --outputs <file.json>',
      });
  const name = options.live ? CUTOVER_OUTPUTS.liveUrl : CUTOVER_OUTPUTS.testUrl;
  const url = outputs[name];
  if (typeof url !== 'string' || url === '') {
    const hint = options.live
      ? `deploy ${stack} first`
      : `the strategy has no test listener (hard-cutover, rolling): check the live URL with --live, or deploy ${stack} first`;
    throw new UsageError(`${options.outputsFile ?? `cdktf output ${stack}`}: no output "${name}"; ${hint}`);
  }
  return url;
}

/** `--help` text of `npm run smoke`. */
export const SMOKE_HELP = `Usage: npm run smoke -- <url> [--path /health] [--attempts N] [--timeout S] [options]
       npm run smoke -- --env <env> [--live] [--outputs file.json] [options]

Checks a release over HTTP(S): requests <url><path> until it answers 2xx, retrying with exponential backoff,
and reports every attempt. Use the test listener's URL (output test_url of <env>-cutover) before a cutover,
and the live URL (live_url) after it.

  --path P        path to request (default /health)
  --attempts N    attempts before giving up (default 5)
  --timeout S     seconds per attempt (default 5; decimals allowed)
  --delay S       wait after the first failure, doubled each time up to 15s (default 1)
  --expect TEXT   the body must contain TEXT (e.g. the release version)
  --insecure      do not verify the TLS certificate (e.g. when using the load balancer's DNS name)
  --env E         take the URL from <E>-cutover's outputs: test_url (the idle color), or live_url with --live
  --outputs F     read those outputs from a JSON file (cdktf output --outputs-file) instead of cdktf output

Exit codes: 0 healthy, 1 unhealthy after every attempt, 2 bad arguments or unknown environment, 3 the outputs
could not be read (no credentials, provider not installable, stack not deployed: the message says which).
`;

function seconds(args: ParsedArgs, name: string): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
    throw new UsageError(`--${name} must be a number of seconds above 0, got "${v}"`);
  return Number(v);
}

/** The CLI: parses arguments, runs {@link smoke}, prints each attempt; resolves to the exit code. */
export const smokeMain = defineCommand({
  command: 'smoke',
  help: SMOKE_HELP,
  flags: {
    path: { type: 'string' },
    attempts: { type: 'string' },
    timeout: { type: 'string' },
    delay: { type: 'string' },
    expect: { type: 'string' },
    env: { type: 'string' },
    outputs: { type: 'string' },
    insecure: { type: 'boolean' },
    live: { type: 'boolean' },
  },
  run: async (args, io): Promise<number> => {
    const rest = args.positionals;
    const environment = stringFlag(args, 'env');
    if (environment !== undefined && rest.length > 0)
      throw new UsageError(`give either a URL or --env, not both (got ${rest.join(' ')} and --env ${environment})`);
    if (environment === undefined && (args.flags.live || stringFlag(args, 'outputs')))
      throw new UsageError('--live and --outputs need --env <env>');
    if (environment === undefined && rest.length !== 1) {
      throw new UsageError(
        rest.length === 0
          ? 'which URL? e.g. npm run smoke -- https://shop.example.com:8443, or --env prod (see --help)'
          : `expected one URL, got ${rest.join(' ')}`,
      );
    }
    const attemptsText = stringFlag(args, 'attempts');
    if (attemptsText !== undefined && !/^[1-9]\d*$/.test(attemptsText))
      throw new UsageError(`--attempts must be a whole number >= 1, got "${attemptsText}"`);
    const url =
      environment === undefined
        ? rest[0]
        : await smokeTargetUrl({
            environment,
            live: args.flags.live === true,
            outputsFile: stringFlag(args, 'outputs'),
            cwd: io.cwd,
            env: io.env,
            log: (line) => io.stdout(`${line}\n`),
          });
    const result = await smoke({
      url,
      path: stringFlag(args, 'path'),
      attempts: attemptsText === undefined ? undefined : Number(attemptsText),
      timeoutSeconds: seconds(args, 'timeout'),
      delaySeconds: seconds(args, 'delay'),
      expectText: stringFlag(args, 'expect'),
      insecure: args.flags.insecure === true,
      log: (line) => io.stdout(`${line}\n`),
    });
    return result.healthy ? ExitCode.OK : ExitCode.FAILED;
  },
});
