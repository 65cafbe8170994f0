// Running the real terraform offline: find a provider filesystem mirror, write a CLI config that installs only
// from it (never the registry), and run terraform with an environment that cannot phone home.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Registry address of the AWS provider, as the mirror lays it out. */
export const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';

/** Where a filesystem mirror usually lives (Terraform's implied mirror locations plus this image's one). */
function mirrorCandidates(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? os.homedir();
  const xdgData = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [
    '/opt/tf-plugins',
    path.join(home, '.terraform.d/plugins'),
    path.join(env.XDG_DATA_HOME ?? path.join(home, '.local/share'), 'terraform/plugins'),
    ...xdgData.map((d) => path.join(d, 'terraform/plugins')),
  ];
}

/**
 * Versions of a provider in a filesystem mirror, newest first: unpacked (`<host>/<ns>/<type>/<version>/<os_arch>/`)
 * or packed (`<host>/<ns>/<type>/terraform-provider-<type>_<version>_<os_arch>.zip`), for this platform only.
 */
export function mirrorVersions(mirror: string, provider = AWS_PROVIDER): string[] {
  const dir = path.join(mirror, provider);
  if (!fs.existsSync(dir)) return [];
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const type = provider.split('/').pop()!;
  const versions = new Set<string>();
  for (const entry of fs.readdirSync(dir)) {
    if (fs.existsSync(path.join(dir, entry, platform))) versions.add(entry);
    const packed = new RegExp(`^terraform-provider-${type}_(.+)_${platform}\\.zip$`).exec(entry);
    if (packed) versions.add(packed[1]);
  }
  const key = (v: string) =>
    v
      .split(/[.-]/)
      .map((p) => (/^\d+$/.test(p) ? p.padStart(6, '0') : p))
      .join('.');
  return [...versions].sort((a, b) => key(b).localeCompare(key(a)));
}

/** A filesystem mirror holding the provider, and the newest version in it. */
export interface ProviderMirror {
  /** The mirror's root directory. */
  readonly path: string;
  /** The newest version of the provider in it. */
  readonly version: string;
}

/**
 * Finds a filesystem mirror with the provider: `TF_PLUGIN_MIRROR` when set (and then only there), else
 * `/opt/tf-plugins` and Terraform's usual mirror directories. `undefined` when none has it.
 */
export function findProviderMirror(
  env: NodeJS.ProcessEnv = process.env,
  provider = AWS_PROVIDER,
): ProviderMirror | undefined {
  const candidates = env.TF_PLUGIN_MIRROR ? [env.TF_PLUGIN_MIRROR] : mirrorCandidates(env);
  for (const candidate of candidates) {
    const [version] = mirrorVersions(candidate, provider);
    if (version) return { path: candidate, version };
  }
  return undefined;
}

/**
 * Writes a Terraform CLI config into `dir` that installs `providers` from the mirror only (every other
 * registry address is refused: no network) and caches plugins in `dir/plugin-cache`. Returns the file's path.
 *
 * The cache starts out holding the mirror's providers (symlinks to its files): Terraform's plugin cache is not safe
 * for concurrent installs (two `terraform init` runs filling it at once fail with "still not detected in
 * plugin-cache; this is a bug in Terraform"), and a full cache is only read.
 */
export function writeCliConfig(dir: string, mirror: string, providers: readonly string[] = [AWS_PROVIDER]): string {
  const cache = path.join(dir, 'plugin-cache');
  fs.mkdirSync(cache, { recursive: true });
  for (const provider of providers) {
    const root = path.join(mirror, provider);
    if (!fs.existsSync(root)) continue;
    for (const version of fs.readdirSync(root)) {
      for (const platform of fs.readdirSync(path.join(root, version))) {
        const from = path.join(root, version, platform);
        if (!fs.statSync(from).isDirectory()) continue;
        const to = path.join(cache, provider, version, platform);
        fs.mkdirSync(to, { recursive: true });
        for (const file of fs.readdirSync(from))
          if (!fs.existsSync(path.join(to, file))) fs.symlinkSync(path.join(from, file), path.join(to, file));
      }
    }
  }
  const file = path.join(dir, 'terraform.tfrc');
  fs.writeFileSync(
    file,
    [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = ${JSON.stringify(providers)}`,
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/*/*"]',
      '  }',
      '}',
      `plugin_cache_dir = ${JSON.stringify(cache)}`,
      '',
    ].join('\n'),
  );
  return file;
}

const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'no_proxy',
];

/** The environment for an offline terraform run: this CLI config, no version check, no proxies, no prompts. */
export function offlineTerraformEnv(cliConfig: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of PROXY_VARIABLES) delete env[name];
  for (const name of Object.keys(env))
    if (name.startsWith('TF_VAR_') || name === 'TF_DATA_DIR' || name === 'TF_WORKSPACE') delete env[name];
  return env;
}

/** What one terraform command printed. */
export interface TerraformRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `terraform <args>` in `cwd` without blocking the event loop (so several stacks can run at once). */
export function terraform(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<TerraformRun> {
  return runProcess('terraform', args, cwd, env, timeoutMs);
}

/** Runs a command in `cwd` without blocking the event loop; resolves with its exit code and what it printed. */
export function runProcess(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One diagnostic of `terraform validate -json`. */
export interface ValidateDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number } };
  readonly snippet?: { readonly context?: string; readonly code?: string };
}

/** What `terraform validate -json` found in one stack. */
export interface StackValidation {
  readonly stack: string;
  readonly errorCount: number;
  /** Errors and warnings located in this stack's files (plus any without a location in its root). */
  readonly diagnostics: readonly ValidateDiagnostic[];
  /** init's output when init failed (then nothing was validated). */
  readonly initFailure?: string;
}

/** Blocks Terraform accepts in a root module only: a stack holding one is validated as a root of its own. */
const ROOT_ONLY_BLOCKS = ['import', 'removed'];

/** What `validateStacks` may see from Terraform that is an artefact of the staging, not of a stack. */
const STAGING_WARNINGS = ['Backend configuration ignored'];

/**
 * Validates synthesized stacks (name → `cdk.tf.json` text) with the real terraform: each stack in its own
 * directory with `zz_validate_override.tf.json`, which sets `required_providers.<name>.version` to the versions
 * given (what the mirror has; an override merges entry by entry, so `source` stays). To start terraform and the
 * provider's schema (seconds of CPU at each start) once rather than once per stack, the stacks of every set are
 * validated as the modules of one root (`module "<set>--<stack>" { source = "./<set>/<stack>" }`): the same checks
 * as for a root module, except that the backend block is ignored (`init -backend=false` skips it anyway). A stack
 * with root-only blocks (`import`, `removed`) gets a root of its own. Roots run `concurrency` at a time. Returns one
 * result per stack, keyed `<set>/<stack>`.
 */
export async function validateStacks(
  workDir: string,
  sets: Readonly<Record<string, ReadonlyMap<string, string>>>,
  providerVersions: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
  concurrency = 2,
): Promise<Map<string, StackValidation>> {
  const override = JSON.stringify(
    {
      terraform: {
        required_providers: Object.fromEntries(
          Object.entries(providerVersions).map(([n, version]) => [n, { version }]),
        ),
      },
    },
    null,
    2,
  );
  const roots: Array<{ dir: string; members: Array<{ set: string; stack: string }>; combined: boolean }> = [];
  fs.mkdirSync(workDir, { recursive: true });
  const root = path.join(workDir, 'all-sets');
  const modules: Array<{ set: string; stack: string }> = [];
  for (const [set, stacks] of Object.entries(sets)) {
    for (const [stack, json] of stacks) {
      const own = ROOT_ONLY_BLOCKS.some((block) => block in (JSON.parse(json) as object));
      const dir = own ? path.join(workDir, `${set}--${stack}`) : path.join(root, set, stack);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'cdk.tf.json'), json);
      fs.writeFileSync(path.join(dir, 'zz_validate_override.tf.json'), override + '\n');
      if (own) roots.push({ dir, members: [{ set, stack }], combined: false });
      else modules.push({ set, stack });
    }
  }
  if (modules.length > 0) {
    const calls = Object.fromEntries(modules.map((m) => [`${m.set}--${m.stack}`, { source: `./${m.set}/${m.stack}` }]));
    fs.writeFileSync(path.join(root, 'main.tf.json'), JSON.stringify({ module: calls }, null, 2) + '\n');
    roots.push({ dir: root, members: modules, combined: true });
  }
  const out = new Map<string, StackValidation>();
  const runs = await mapLimit(roots, concurrency, (root) => validateRoot(root.dir, env));
  roots.forEach((root, i) => {
    const run = runs[i];
    for (const { set, stack } of root.members) {
      const key = `${set}/${stack}`;
      if ('initFailure' in run) {
        out.set(key, { stack, errorCount: 1, diagnostics: [], initFailure: run.initFailure });
        continue;
      }
      const mine = run.diagnostics.filter(
        (d) => !d.range || !root.combined || d.range.filename.startsWith(`${set}/${stack}/`),
      );
      const relevant = mine.filter((d) => !(d.severity === 'warning' && STAGING_WARNINGS.includes(d.summary)));
      out.set(key, {
        stack,
        errorCount: relevant.filter((d) => d.severity === 'error').length,
        diagnostics: relevant,
      });
    }
  });
  return out;
}

/** `terraform init -backend=false` then `terraform validate -json` in one root directory. */
async function validateRoot(
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ diagnostics: ValidateDiagnostic[] } | { initFailure: string }> {
  const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], dir, env);
  if (init.code !== 0) return { initFailure: `${init.stdout}${init.stderr}` };
  const run = await terraform(['validate', '-json', '-no-color'], dir, env);
  return { diagnostics: (JSON.parse(run.stdout) as { diagnostics: ValidateDiagnostic[] }).diagnostics };
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping the order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A readable report of a failed validation: each diagnostic with file, line and the offending snippet. */
export function formatValidation(v: StackValidation): string {
  if (v.initFailure) return `${v.stack}: terraform init failed:\n${v.initFailure}`;
  const lines = v.diagnostics.map((d) => {
    const at = d.range
      ? ` (${d.range.filename}:${d.range.start.line}${d.snippet?.context ? `, ${d.snippet.context}` : ''})`
      : '';
    const code = d.snippet?.code ? `\n    ${d.snippet.code.trim().slice(0, 400)}` : '';
    return `  ${d.severity}: ${d.summary}${at}: ${d.detail ?? ''}${code}`;
  });
  return `${v.stack}: ${v.errorCount} error(s)\n${lines.join('\n')}`;
}
