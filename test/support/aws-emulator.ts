// The AWS emulator for the deploy scenario (test/e2e/emulator.test.ts): moto's server on loopback, an override
// file that points a synthesized stack's provider and S3 backend at it, the real cdktf CLI and terraform run
// offline against it, and signed requests to read back what they built.
//
// Nothing here reaches a network other than 127.0.0.1; Terraform installs the AWS provider from the filesystem
// mirror only (test/support/terraform.ts).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { SignatureV4 } from '@smithy/signature-v4';
import { offlineTerraformEnv, runProcess, terraform, TerraformRun } from './terraform';

// The pinned SDK works on Node 20; keep its notice about future releases out of the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The repository root. */
const REPO = path.resolve(__dirname, '..', '..');

/** The account moto answers for (its STS `GetCallerIdentity`); the test's values allow only this account. */
export const EMULATOR_ACCOUNT = '123456789012';

/** Fake credentials: moto accepts any, and they can reach nothing but the emulator. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/**
 * The moto server to run: `MOTO_SERVER` when set, else `<repo>/.venv/bin/moto_server` (installed by `.ci/run`
 * from `.ci/requirements.txt`), else the first `moto_server` on `PATH`. `undefined` when there is none.
 */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MOTO_SERVER) return fs.existsSync(env.MOTO_SERVER) ? env.MOTO_SERVER : undefined;
  const venv = path.join(REPO, '.venv', 'bin', 'moto_server');
  if (fs.existsSync(venv)) return venv;
  return findOnPath('moto_server', env);
}

/**
 * The Python interpreter a `moto_server` console script runs with: the one its `#!` line names (also as
 * `#!/usr/bin/env python3`), else `python3` next to it (a pyenv shim directory, a virtual environment's `bin/`).
 */
function pythonOf(motoServer: string): string {
  const first = fs.readFileSync(motoServer, 'utf8').split('\n', 1)[0];
  const words = first.replace(/^#!\s*/, '').split(/\s+/);
  const named = path.basename(words[0]) === 'env' ? words[1] : words[0];
  if (first.startsWith('#!') && named && /^python[\d.]*$/.test(path.basename(named))) return named;
  const sibling = path.join(path.dirname(motoServer), 'python3');
  if (fs.existsSync(sibling)) return sibling;
  throw new Error(
    `cannot tell which Python runs ${motoServer}; set MOTO_SERVER to the moto_server of a virtual environment (bash .ci/run makes .venv/)`,
  );
}

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The server's log file (requests and moto's tracebacks). */
  readonly logFile: string;
  /** Stops the server and every process it started (its process group); safe to call twice. */
  stop(): Promise<void>;
}

/** A machine image the emulator's EC2 holds from the start (AWS: an AMI the account may launch). */
export interface EmulatorImage {
  /** `ami-…`. */
  readonly id: string;
  /** The device its root volume is registered on. */
  readonly rootDeviceName: string;
}

/** moto's `MOTO_AMIS_PATH` file: the images EC2 starts with (moto's own set is not loaded then). */
function writeImages(file: string, images: readonly EmulatorImage[]): void {
  const entries = images.map((image) => ({
    ami_id: image.id,
    name: `emulator-${image.id}`,
    description: 'seeded by the emulator test',
    owner_id: EMULATOR_ACCOUNT,
    public: false,
    virtualization_type: 'hvm',
    architecture: 'x86_64',
    state: 'available',
    image_type: 'machine',
    hypervisor: 'xen',
    root_device_type: 'ebs',
    root_device_name: image.rootDeviceName,
    sriov: 'simple',
    creation_date: '2026-01-01T00:00:00.000Z',
  }));
  fs.writeFileSync(file, JSON.stringify(entries, null, 2));
}

/**
 * Starts moto's server on a free 127.0.0.1 port, through `test/support/moto-server.py` (moto plus documented
 * fixes of moto bugs and one API it lacks), in its own process group, and waits until it answers. The log goes to
 * `logFile`; `images` are the AMIs its EC2 holds (an AMI id cannot be chosen through the API, so they are moto
 * configuration).
 */
export async function startEmulator(
  motoServer: string,
  logFile: string,
  images: readonly EmulatorImage[] = [],
  timeoutMs = 30_000,
): Promise<Emulator> {
  const imagesFile = `${logFile}.amis.json`;
  writeImages(imagesFile, images);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    pythonOf(motoServer),
    [path.join(__dirname, 'moto-server.py'), '-H', '127.0.0.1', '-p', String(port)],
    {
      detached: true,
      stdio: ['ignore', log, log],
      // AWS-managed IAM policies (the fleets attach AmazonSSMManagedInstanceCore) exist in every account; moto
      // creates them only when asked to.
      env: { ...withoutProxies(process.env), MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', MOTO_AMIS_PATH: imagesFile },
    },
  );
  fs.closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5_000);
    await exit;
    clearTimeout(killer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited)
      throw new Error(
        `moto_server (${motoServer}) exited before answering; its log:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`,
      );
    try {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `moto_server did not answer on ${endpoint} within ${timeoutMs / 1000} s; its log:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint, logFile, stop };
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'];

function withoutProxies(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of PROXY_VARIABLES) delete out[name];
  return out;
}

/**
 * The environment for the cdktf CLI, terraform and the AWS provider against the emulator at `endpoint`: the
 * offline Terraform environment of `cliConfig` (filesystem mirror, plugin cache, no checkpoint, no proxies), the
 * fake credentials and nothing from the caller's AWS configuration; every AWS API the provider calls goes to the
 * emulator (`AWS_ENDPOINT_URL`, which the provider's SDK reads for every service, so none can reach a real AWS
 * endpoint); cdktf keeps its hands off `TF_PLUGIN_CACHE_DIR` (the CLI config sets the cache) and does not look for
 * a newer version of itself.
 *
 * The endpoint is set here rather than in the provider's `endpoints` block: with that block (one set element with
 * one attribute per service) the AWS provider 5.100's validation of its own configuration, which every terraform
 * command runs once per graph walk (a plan twice, an apply three times), costs about 4 s of CPU each time (a plan
 * of one resource: 9.4 s of provider CPU with the block, 0.9 s without).
 */
export function emulatorEnv(
  cliConfig: string,
  endpoint: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = offlineTerraformEnv(cliConfig, base);
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  delete env.TF_PLUGIN_CACHE_DIR;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: endpoint,
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
    DISABLE_VERSION_CHECK: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

/** The file name of the emulator override next to each stack's `cdk.tf.json`. */
export const OVERRIDE_FILE = 'zz_emulator_override.tf.json';

/**
 * Writes the emulator override next to a synthesized stack's `cdk.tf.json` (Terraform merges `*_override.tf.json`
 * into the configuration): fake credentials and checks that need real AWS off, path-style S3, the provider
 * version relaxed to the mirror's, and the stack's own S3 backend (bucket, key, region, lock file) pointed at the
 * emulator's S3. An override's backend replaces the original one, so its settings are carried over. The
 * provider's API calls reach the emulator through {@link emulatorEnv}'s `AWS_ENDPOINT_URL`. The provider still
 * asks STS for the account, so the values' `allowedAccountIds` is enforced for real.
 */
export function writeEmulatorOverride(stackDir: string, endpoint: string, providerVersion: string): string {
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as {
    terraform: { backend?: Record<string, Record<string, unknown>> };
  };
  const s3 = json.terraform.backend?.s3;
  if (!s3)
    throw new Error(
      `${stackDir}: the stack has no S3 backend (the emulator test deploys an environment with backend.type s3)`,
    );
  const fake = {
    access_key: EMULATOR_CREDENTIALS.accessKeyId,
    secret_key: EMULATOR_CREDENTIALS.secretAccessKey,
    skip_credentials_validation: true,
    skip_metadata_api_check: true,
  };
  const override = {
    terraform: {
      required_providers: { aws: { version: providerVersion } },
      backend: {
        s3: {
          ...s3,
          ...fake,
          endpoints: { s3: endpoint, sts: endpoint },
          use_path_style: true,
          skip_region_validation: true,
          skip_requesting_account_id: true,
        },
      },
    },
    provider: {
      aws: [
        {
          ...fake,
          s3_use_path_style: true,
        },
      ],
    },
  };
  const file = path.join(stackDir, OVERRIDE_FILE);
  fs.writeFileSync(file, JSON.stringify(override, null, 2) + '\n');
  return file;
}

/**
 * The real cdktf CLI of this repository (`npx cdktf …` resolves to the same binary) in a project directory whose
 * `cdktf.json` names the synthesized output: `cdktf deploy|destroy <stack…> --skip-synth --skip-provider-lock
 * --auto-approve` (without `--skip-provider-lock` cdktf runs `terraform providers lock`, which needs the registry).
 * With several stacks cdktf runs them at the same time (they declare no dependencies on each other).
 */
export function cdktf(
  command: 'deploy' | 'destroy',
  stacks: string | readonly string[],
  projectDir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 1_200_000,
): Promise<TerraformRun> {
  const bin = path.join(REPO, 'node_modules', '.bin', 'cdktf');
  return runProcess(
    bin,
    [
      command,
      ...(typeof stacks === 'string' ? [stacks] : stacks),
      '--skip-synth',
      '--skip-provider-lock',
      '--auto-approve',
    ],
    projectDir,
    env,
    timeoutMs,
  );
}

/**
 * Writes `<dir>/terraform`, a wrapper of the real terraform that attaches the provider process of the stack whose
 * directory it runs in (`TF_REATTACH_PROVIDERS` by the directory's name, from `reattach`), for cdktf runs of
 * several stacks at once: cdktf hands one environment to every stack's terraform, and one provider process must
 * not serve two terraform runs at the same time. cdktf runs it through `TERRAFORM_BINARY_NAME`. A directory not
 * in `reattach` runs terraform as it is (it starts its own provider).
 */
export function writeReattachingTerraform(dir: string, reattach: ReadonlyMap<string, string>): string {
  const real = findOnPath('terraform');
  if (!real) throw new Error('terraform is not on PATH (the emulator scenario runs the real terraform)');
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const cases = [...reattach].map(
    ([name, value]) => `  ${quote(name)}) export TF_REATTACH_PROVIDERS=${quote(value)} ;;`,
  );
  const file = path.join(dir, 'terraform');
  fs.writeFileSync(
    file,
    ['#!/bin/sh', 'case "$(basename "$(pwd -P)")" in', ...cases, 'esac', `exec ${quote(real)} "$@"`, ''].join('\n'),
    { mode: 0o755 },
  );
  return file;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `terraform init` in a stack directory unless a deploy did it already. */
async function ensureInit(stackDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (fs.existsSync(path.join(stackDir, '.terraform', 'terraform.tfstate'))) return;
  const init = await terraform(['init', '-input=false', '-no-color'], stackDir, env, 180_000);
  if (init.code !== 0) throw new Error(`terraform init in ${stackDir} failed:\n${init.stdout}${init.stderr}`);
}

/** How a plan runs. */
export interface PlanOptions {
  /**
   * Read every object back from the emulator first. `false` plans from the state alone: only where a refreshed
   * plan or an apply of this stack showed the objects equal to the state, and nothing touched them since.
   * @default true
   */
  readonly refresh?: boolean;
  /**
   * Take the state lock. `false` for a plan of a copy of a stack directory (another configuration against the
   * same state) that runs beside other commands of that stack: a plan writes no state.
   * @default true
   */
  readonly lock?: boolean;
}

function planFlags(options: PlanOptions): string[] {
  return [
    '-input=false',
    '-no-color',
    ...(options.refresh === false ? ['-refresh=false'] : []),
    ...(options.lock === false ? ['-lock=false'] : ['-lock-timeout=60s']),
  ];
}

/** `terraform plan -detailed-exitcode` in a stack directory: exit code 0 no changes, 2 changes, 1 error. */
export async function planExitCode(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  options: PlanOptions = {},
  timeoutMs = 180_000,
): Promise<TerraformRun> {
  await ensureInit(stackDir, env);
  return terraform(['plan', '-detailed-exitcode', ...planFlags(options)], stackDir, env, timeoutMs);
}

/** The `actions` of a plan file's resource change for each action of Terraform's machine-readable plan output. */
const PLANNED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
  replace: ['delete', 'create'],
};

/**
 * The planned changes of a stack: `address → actions` (as in a plan file's `resource_changes`) for every resource
 * whose action is not a no-op, a read or a pure move. Read from `terraform plan -json` (one "planned_change" line
 * per change), so no second terraform run (`show -json` of a plan file, which loads every provider schema again)
 * is needed.
 */
export async function plannedChanges(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  options: PlanOptions = {},
): Promise<Record<string, string[]>> {
  await ensureInit(stackDir, env);
  const plan = await terraform(['plan', '-json', ...planFlags(options)], stackDir, env, 180_000);
  const messages = plan.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) =>
        JSON.parse(line) as {
          type: string;
          '@message': string;
          change?: { action: string; resource: { addr: string } };
        },
    );
  if (plan.code !== 0)
    throw new Error(
      `terraform plan in ${stackDir} failed:\n${messages.map((m) => m['@message']).join('\n')}\n${plan.stderr}`,
    );
  const out: Record<string, string[]> = {};
  for (const { type, change } of messages) {
    if (type !== 'planned_change' || !change || ['noop', 'read', 'move'].includes(change.action)) continue;
    out[change.resource.addr] = [...(PLANNED_ACTIONS[change.action] ?? [change.action])];
  }
  return out;
}

/** A self-signed certificate and key (PEM) for `domain`, made by the openssl CLI: what the test imports into ACM. */
export function selfSignedCertificate(domain: string, dir: string): { certificate: string; privateKey: string } {
  const key = path.join(dir, 'tls.key');
  const cert = path.join(dir, 'tls.crt');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${domain}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr || r.error?.message}`);
  return { certificate: fs.readFileSync(cert, 'utf8'), privateKey: fs.readFileSync(key, 'utf8') };
}

// ---------------------------------------------------------------------------------------------------------------
// Signed requests to the emulator (the AWS SDK v3 has no EC2, ELBv2, Auto Scaling, SSM, ACM or ECR client in
// this project; @smithy/signature-v4 is the SDK's own signer, so the requests are what those clients send).
// ---------------------------------------------------------------------------------------------------------------

/** SHA-256 for the signer, from node:crypto (the signer's `Checksum` interface). */
class Sha256 {
  private readonly parts: Buffer[] = [];
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {}
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.parts.push(
      typeof data === 'string'
        ? Buffer.from(data)
        : Buffer.from(
            data instanceof ArrayBuffer
              ? new Uint8Array(data)
              : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          ),
    );
  }
  async digest(): Promise<Uint8Array> {
    const body = Buffer.concat(this.parts);
    if (this.secret === undefined) return new Uint8Array(createHash('sha256').update(body).digest());
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : Buffer.from(
            this.secret instanceof ArrayBuffer
              ? new Uint8Array(this.secret)
              : new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength),
          );
    return new Uint8Array(createHmac('sha256', key).update(body).digest());
  }
  reset(): void {
    this.parts.length = 0;
  }
}

/** Signs and sends one request to the emulator; returns the body, failing with the emulator's answer on a non-2xx. */
async function signedRequest(
  endpoint: string,
  region: string,
  service: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body: string,
): Promise<string> {
  const url = new URL(pathAndQuery, endpoint);
  const signer = new SignatureV4({ service, region, credentials: EMULATOR_CREDENTIALS, sha256: Sha256 });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { ...headers, host: url.host },
    body,
  });
  const res = await fetch(url, {
    method,
    headers: signed.headers as Record<string, string>,
    body: method === 'GET' ? undefined : body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} ${method} ${pathAndQuery}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/** An AWS Query-protocol call (EC2, ELBv2, Auto Scaling): returns the XML answer. `headers` are sent as well. */
export function queryApi(
  endpoint: string,
  region: string,
  service: string,
  version: string,
  action: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  return signedRequest(
    endpoint,
    region,
    service,
    'POST',
    '/',
    { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    body,
  );
}

/** An AWS JSON-protocol call (SSM, ACM, ECR): `target` is the `X-Amz-Target`, e.g. `AmazonSSM.GetParameter`. */
export async function jsonApi<T = Record<string, unknown>>(
  endpoint: string,
  region: string,
  service: string,
  target: string,
  input: Record<string, unknown>,
): Promise<T> {
  const text = await signedRequest(
    endpoint,
    region,
    service,
    'POST',
    '/',
    { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    JSON.stringify(input),
  );
  return JSON.parse(text) as T;
}

const xmlParser = require('fast-xml-parser') as {
  parse(xml: string, options?: Record<string, unknown>): Record<string, unknown>;
};

/** An XML answer as plain objects (elements → keys, repeated `<member>`/`<item>` → arrays where repeated). */
export function parseXml(xml: string): Record<string, unknown> {
  return xmlParser.parse(xml, { ignoreAttributes: true, parseNodeValue: false, trimValues: true });
}

/** The `<member>`/`<item>` children of a list element as an array (one child parses as an object, none as ''). */
export function members<T = Record<string, unknown>>(list: unknown, tag: 'member' | 'item' = 'member'): T[] {
  if (list === undefined || list === null || list === '') return [];
  const inner = (list as Record<string, unknown>)[tag];
  if (inner === undefined) return [];
  return (Array.isArray(inner) ? inner : [inner]) as T[];
}

// ---------------------------------------------------------------------------------------------------------------
// One AWS provider process per stack, reused by every terraform run of that stack (Terraform's documented
// TF_REATTACH_PROVIDERS mechanism). Each terraform command otherwise starts the provider afresh, several times, and
// the 5.100 binary takes about 1.5 s of CPU per start to load its schema: tens of starts in the scenario.
// ---------------------------------------------------------------------------------------------------------------

/** A running provider that terraform attaches to instead of starting its own. */
export interface ProviderServer {
  /** The value of `TF_REATTACH_PROVIDERS` for the terraform runs that should use it. */
  readonly reattach: string;
  /** Stops the provider; safe to call twice. */
  stop(): Promise<void>;
}

/** The unpacked `hashicorp/aws` binary of a filesystem mirror (the layout `terraform providers mirror` writes), if any. */
export function mirroredAwsProvider(mirror: string, version: string): string | undefined {
  const dir = path.join(
    mirror,
    'registry.terraform.io',
    'hashicorp',
    'aws',
    version,
    `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`,
  );
  const binary = fs.existsSync(dir)
    ? fs.readdirSync(dir).find((f) => f.startsWith('terraform-provider-aws'))
    : undefined;
  return binary ? path.join(dir, binary) : undefined;
}

/**
 * Starts the provider binary in its debug mode (`-debug`: it serves until stopped and prints the reattach
 * configuration) and resolves once it is ready. Its log goes to `logFile`; `env` is its environment (the
 * emulator's: fake credentials, nothing of the caller's AWS configuration).
 */
export function startProviderServer(
  binary: string,
  logFile: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<ProviderServer> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(binary, ['-debug'], { stdio: ['ignore', 'pipe', log], env: withoutProxies(env) });
  fs.closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${binary} -debug printed no TF_REATTACH_PROVIDERS within ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ reattach: match[1], stop });
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${binary} -debug exited before it was ready:\n${out}`));
    });
  });
}
