/**
 * The release bundle: `npm run bundle -- <env>` writes ONE content-addressed file,
 * `<outDir>/<env>-bundle-<sha256>.tgz`, holding what a deploy of the environment runs, so that what was reviewed in
 * the pull request is provably what is deployed:
 *
 *     bundle.json                       the manifest: format, environment, git commit, stacks, and the SHA-256 of every other member
 *     values.json                       the environment's values after the overlay (what the stacks were built from)
 *     references.json                   each color's release: version, machine image, artifact and dependencies by digest
 *     manifest.json                     cdktf's manifest of the output directory, with the environment's stacks only
 *     stacks/<env>-<role>/cdk.tf.json   the synthesized stacks (and metadata.json, .terraform.lock.hcl when present)
 *
 * The layout is cdktf's output directory, so `cdktf deploy <stack> --skip-synth --output <extracted dir>` runs it. The
 * archive is reproducible: sorted members, fixed times and modes, portable headers; the same inputs give the same
 * digest. It holds no secrets: a member with a literal value under a secret-looking key (password, preshared key,
 * private key, token, ...) is refused when the bundle is built (the stacks hold references to generated secrets).
 *
 * `openBundle` verifies a bundle before anything uses it: the file's SHA-256 against the digest in its name (and an
 * expected digest when given), then every member against the manifest; a missing, extra or changed member is refused
 * by name.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { parseStackName, StackRole, STACK_ROLES, stackName } from '../../stacks/contract';
import { ExitCode } from '../cli/exit-codes';
import { COLORS, EnvironmentConfig, loadEnvironments } from '../config';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { CommandError, UsageError } from '../cli/errors';
import { commandLine } from '../cli/invocation';
import { CommandIo } from '../cli/io';
import { gitState } from './deploy/record';

/** The bundle manifest's format identifier. */
export const BUNDLE_FORMAT = 'cdktf-bluegreen/release-bundle@1';
/** The manifest's member name. */
export const BUNDLE_MANIFEST = 'bundle.json';
/** The default directory bundles are written to. */
export const BUNDLES_DIR = '.bundles';

/** One member of a bundle. */
export interface BundleMember {
  /** Path inside the bundle. */
  readonly name: string;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly bytes: number;
}

/** The manifest of a bundle (`bundle.json`). */
export interface BundleManifest {
  /** {@link BUNDLE_FORMAT}. */
  readonly format: string;
  /** The environment. */
  readonly environment: string;
  /** The stacks the bundle holds, `<env>-<role>`. */
  readonly stacks: readonly string[];
  /** The commit the bundle was built from, and whether the work tree had uncommitted changes. */
  readonly git: { readonly commit: string; readonly dirty: boolean };
  /** Every other member with its digest, sorted by name. */
  readonly members: readonly BundleMember[];
}

/** Thrown when a bundle cannot be built or does not verify; the message names the file or member and the reason. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const BUNDLE_NAME = /-bundle-([a-f0-9]{64})\.tgz$/;
/** Files of a stack directory a bundle carries (never plans, state or `.terraform/`). */
const STACK_FILES = ['cdk.tf.json', 'metadata.json', '.terraform.lock.hcl'] as const;
/** A member path: `stacks/<stack>/<file>` or a top-level JSON file. */
const MEMBER = /^(?:stacks\/[a-z][a-z0-9-]*\/(?:cdk\.tf\.json|metadata\.json|\.terraform\.lock\.hcl)|[a-z]+\.json)$/;
/** Keys whose literal value would be a secret (their synthesized values are references to generated secrets). */
const SECRET_KEY =
  /(?:^|[_-])(?:password|passphrase|psk|preshared_?key|private_?key|secret_?string|secret_?key|secret_?access_?key|access_?token|token)$/i;

/** Options of {@link buildBundle}. */
export interface BuildBundleOptions {
  /** The environment. */
  readonly environment: string;
  /**
   * Project directory.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Directory of the values files.
   * @default '<cwd>/environments'
   */
  readonly dir?: string;
  /**
   * The synthesized output directory (`npx cdktf synth` first).
   * @default '<cwd>/cdktf.out'
   */
  readonly outdir?: string;
  /**
   * Where the bundle is written.
   * @default '<cwd>/.bundles'
   */
  readonly outDir?: string;
}

/** A built bundle. */
export interface BuiltBundle {
  /** The bundle file, `<outDir>/<env>-bundle-<sha256>.tgz`. */
  readonly file: string;
  /** `sha256:<hex>` of the file. */
  readonly digest: string;
  /** Its manifest. */
  readonly manifest: BundleManifest;
}

/** Builds the bundle of one environment from its values and its synthesized stacks. */
export async function buildBundle(options: BuildBundleOptions): Promise<BuiltBundle> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const dir = options.dir ?? path.join(cwd, 'environments');
  const outdir = path.resolve(cwd, options.outdir ?? 'cdktf.out');
  const outDir = path.resolve(cwd, options.outDir ?? BUNDLES_DIR);
  const { environment } = options;
  const [config] = loadEnvironments({ dir, only: [environment] });

  const stacks = STACK_ROLES.map((role: StackRole) => stackName(environment, role)).filter((s) =>
    fs.existsSync(path.join(outdir, 'stacks', s, 'cdk.tf.json')),
  );
  if (stacks.length < STACK_ROLES.length) {
    const missing = STACK_ROLES.map((r) => stackName(environment, r)).filter((s) => !stacks.includes(s));
    throw new BundleError(
      `${path.relative(cwd, outdir) || outdir}: no synthesized ${missing.join(', ')} (run npx cdktf synth first)`,
    );
  }
  const members = new Map<string, Buffer>();
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  members.set('values.json', json(config));
  members.set(
    'references.json',
    json(Object.fromEntries(COLORS.map((color) => [color, config.colors[color].release]))),
  );
  members.set('manifest.json', json(cdktfManifest(outdir, stacks)));
  for (const stack of stacks) {
    for (const name of STACK_FILES) {
      const from = path.join(outdir, 'stacks', stack, name);
      if (fs.existsSync(from) && fs.statSync(from).isFile())
        members.set(`stacks/${stack}/${name}`, fs.readFileSync(from));
    }
  }
  const findings = [...members]
    .filter(([name]) => name.endsWith('.json'))
    .flatMap(([name, bytes]) => secretFindings(name, JSON.parse(bytes.toString('utf8'))));
  if (findings.length > 0)
    throw new BundleError(`refused: the bundle would hold secrets:\n${findings.map((f) => `  ${f}`).join('\n')}`);

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    environment,
    stacks,
    // The bundle's own output directory (often inside the project) is not a change to the sources.
    git: gitState(cwd, path.relative(cwd, outDir).startsWith('..') ? [] : [path.relative(cwd, outDir)]),
    members: [...members]
      .map(([name, bytes]) => ({ name, sha256: sha256(bytes), bytes: bytes.length }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
  members.set(BUNDLE_MANIFEST, json(manifest));

  // Reproducible archive: members staged with fixed modes, sorted, portable headers, fixed times.
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
  try {
    for (const [name, bytes] of members) {
      fs.mkdirSync(path.join(staging, path.dirname(name)), { recursive: true });
      fs.writeFileSync(path.join(staging, name), bytes, { mode: 0o644 });
      fs.chmodSync(path.join(staging, name), 0o644);
    }
    const tmp = path.join(staging, 'bundle.tgz');
    const names = [BUNDLE_MANIFEST, ...[...members.keys()].filter((n) => n !== BUNDLE_MANIFEST).sort()];
    await tar.create(
      { file: tmp, cwd: staging, gzip: { level: 9 }, portable: true, mtime: new Date(0), noDirRecurse: true },
      names,
    );
    const bytes = fs.readFileSync(tmp);
    const hex = sha256(bytes);
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `${environment}-bundle-${hex}.tgz`);
    fs.writeFileSync(file, bytes, { mode: 0o644 });
    return { file, digest: `sha256:${hex}`, manifest };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** cdktf's manifest of the output directory with the environment's stacks only (or one made for a hand-written tree). */
function cdktfManifest(outdir: string, stacks: readonly string[]): Record<string, unknown> {
  const file = path.join(outdir, 'manifest.json');
  const original = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { stacks?: Record<string, unknown> } & Record<string, unknown>)
    : {};
  const entry = (name: string) =>
    original.stacks?.[name] ?? {
      name,
      constructPath: name,
      workingDirectory: `stacks/${name}`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
      stackMetadataPath: `stacks/${name}/metadata.json`,
      annotations: [],
      dependencies: [],
    };
  return { ...original, stacks: Object.fromEntries(stacks.map((s) => [s, entry(s)])) };
}

/** `<member>: <key path> holds a literal value` for every secret-looking key with a literal (non-reference) string. */
export function secretFindings(member: string, value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretFindings(member, v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const here = at ? `${at}.${key}` : key;
    if (SECRET_KEY.test(key) && typeof v === 'string' && v !== '' && !v.includes('${'))
      return [`${member}: ${here} holds a literal value (secrets belong in a secret store; reference them)`];
    return secretFindings(member, v, here);
  });
}

/** A verified, extracted bundle. */
export interface OpenedBundle {
  /** The bundle file. */
  readonly file: string;
  /** `sha256:<hex>` of the file. */
  readonly digest: string;
  /** Its manifest. */
  readonly manifest: BundleManifest;
  /** The extracted directory: cdktf's output directory of the environment (`--output` for `cdktf deploy --skip-synth`). */
  readonly dir: string;
  /** The environment's values as bundled. */
  readonly config: EnvironmentConfig;
  /** Removes the extracted directory. */
  cleanup(): void;
}

/** Options of {@link openBundle}. */
export interface OpenBundleOptions {
  /**
   * Where to extract (created; must not exist). Deploys extract next to `cdktf.out` so a local backend's relative
   * state path resolves as in a normal synth.
   * @default - a new temporary directory
   */
  readonly into?: string;
  /**
   * The digest the bundle must have (`sha256:<hex>`), e.g. the one the pull request reported.
   * @default - the digest in the file name
   */
  readonly expectedDigest?: string;
}

/**
 * Verifies a bundle (its own digest, then every member against its manifest) and extracts it.
 *
 * @throws BundleError naming the file or member and what does not match; nothing stays extracted then
 */
export async function openBundle(file: string, options: OpenBundleOptions = {}): Promise<OpenedBundle> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new BundleError(`${file}: no such bundle file`);
  const bytes = fs.readFileSync(file);
  const digest = `sha256:${sha256(bytes)}`;
  const named = BUNDLE_NAME.exec(path.basename(file))?.[1];
  if (!named) throw new BundleError(`${file}: not a bundle file name (<env>-bundle-<sha256>.tgz)`);
  if (digest !== `sha256:${named}`)
    throw new BundleError(
      `${file}: the file's digest is ${digest}, its name says sha256:${named}: the bundle was changed after it was built`,
    );
  if (options.expectedDigest && options.expectedDigest !== digest)
    throw new BundleError(`${file}: digest ${digest}, expected ${options.expectedDigest}`);

  const dir = options.into ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-open-'));
  if (options.into) fs.mkdirSync(dir, { recursive: false });
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const refused: string[] = [];
    await tar.extract({
      file,
      cwd: dir,
      strict: true,
      preservePaths: false,
      filter: (entryPath, entry) => {
        const type = 'type' in entry ? entry.type : 'File';
        if (type === 'Directory') return true;
        if (type !== 'File' || !MEMBER.test(entryPath)) {
          refused.push(`${entryPath} (${type})`);
          return false;
        }
        return true;
      },
    });
    if (refused.length > 0) throw new BundleError(`${file}: members a bundle never holds: ${refused.join(', ')}`);
    const manifestFile = path.join(dir, BUNDLE_MANIFEST);
    if (!fs.existsSync(manifestFile)) throw new BundleError(`${file}: no ${BUNDLE_MANIFEST}`);
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BundleManifest;
    } catch (e) {
      throw new BundleError(`${file}: ${BUNDLE_MANIFEST} is not valid JSON (${(e as Error).message})`);
    }
    if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.members))
      throw new BundleError(`${file}: ${BUNDLE_MANIFEST} is not a ${BUNDLE_FORMAT} manifest`);
    const problems: string[] = [];
    const listed = new Set<string>();
    for (const member of manifest.members) {
      listed.add(member.name);
      const at = path.join(dir, member.name);
      if (!MEMBER.test(member.name) || !fs.existsSync(at)) {
        problems.push(`${member.name}: listed in ${BUNDLE_MANIFEST} but missing`);
        continue;
      }
      const actual = sha256(fs.readFileSync(at));
      if (actual !== member.sha256)
        problems.push(`${member.name}: SHA-256 ${actual}, the manifest says ${member.sha256}`);
    }
    for (const present of walk(dir))
      if (present !== BUNDLE_MANIFEST && !listed.has(present))
        problems.push(`${present}: not listed in ${BUNDLE_MANIFEST}`);
    if (problems.length > 0)
      throw new BundleError(`${file}: does not verify:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'values.json'), 'utf8')) as EnvironmentConfig;
    return { file, digest, manifest, dir, config, cleanup };
  } catch (e) {
    cleanup();
    if (e instanceof BundleError) throw e;
    throw new BundleError(`${file}: cannot read the bundle (${(e as Error).message})`);
  }
}

function walk(root: string, sub = ''): string[] {
  return fs.readdirSync(path.join(root, sub), { withFileTypes: true }).flatMap((d) => {
    const rel = sub ? `${sub}/${d.name}` : d.name;
    return d.isDirectory() ? walk(root, rel) : [rel];
  });
}

/** What a deploy needs from a bundle: see {@link bundleForDeploy}. */
export interface BundleDeploy {
  /** Extra `cdktf deploy` arguments: `--skip-synth --output <extracted dir>`. */
  readonly cdktfArgs: readonly string[];
  /** The bundle's values (what the record stores as values.json). */
  readonly config: EnvironmentConfig;
  /** The output directory to take the record's stack.json from. */
  readonly outdir: string;
  /** For the record: the bundle's file name, digest and git commit. */
  readonly record: { readonly file: string; readonly sha256: string; readonly commit: string };
  /** Removes the extracted directory. */
  cleanup(): void;
}

/**
 * Verifies a bundle for `npm run deploy -- <stack> --bundle <file>` and extracts it to `<cwd>/.bundle-<digest>/`
 * (a sibling of `cdktf.out`, so a local backend's relative state path resolves to the project as in a normal synth).
 *
 * @throws BundleError when it does not verify or does not hold `stack`
 */
export async function bundleForDeploy(file: string, stack: string, cwd: string): Promise<BundleDeploy> {
  const hex = sha256(fs.readFileSync(file)).slice(0, 16);
  const into = path.join(cwd, `.bundle-${hex}`);
  fs.rmSync(into, { recursive: true, force: true });
  const opened = await openBundle(file, { into });
  const { environment } = parseStackName(stack);
  if (opened.manifest.environment !== environment || !opened.manifest.stacks.includes(stack)) {
    opened.cleanup();
    throw new BundleError(`${file}: holds ${opened.manifest.stacks.join(', ')}, not ${stack}`);
  }
  return {
    cdktfArgs: ['--skip-synth', '--output', opened.dir],
    config: opened.config,
    outdir: opened.dir,
    record: { file: path.basename(file), sha256: opened.digest, commit: opened.manifest.git.commit },
    cleanup: opened.cleanup,
  };
}

/** `--help` text of `npm run bundle`. */
export const BUNDLE_HELP = `Usage: npm run bundle -- <env> [--out-dir .bundles] [--output cdktf.out] [--dir environments]
       npm run bundle -- --verify <file> [--digest sha256:…]

Writes the environment's release bundle, one content-addressed file <out-dir>/<env>-bundle-<sha256>.tgz: the values
after the overlay, the synthesized stacks of the environment (npx cdktf synth first), each color's artifact and image
references, the provider lock files present, and bundle.json (SHA-256 of every member, the git commit). Deploy it with
npm run deploy -- <stack> --bundle <file>. --verify checks a bundle (its digest, every member) and lists it.

Exit codes: 0 written or verified, 1 refused (a secret in a member) or does not verify, 2 bad arguments or values.
`;

/** The CLI: builds (or verifies) a bundle and prints its file and digest; resolves to the exit code. */
export const bundleMain = defineCommand<Promise<number>, CommandIo & { cwd?: string }>({
  command: 'bundle',
  help: BUNDLE_HELP,
  flags: {
    'out-dir': { type: 'string' },
    output: { type: 'string' },
    dir: { type: 'string' },
    verify: { type: 'string' },
    digest: { type: 'string' },
  },
  run: async (args, io): Promise<number> => {
    const { stdout } = io;
    const verify = stringFlag(args, 'verify');
    try {
      if (verify) {
        const opened = await openBundle(verify, { expectedDigest: stringFlag(args, 'digest') });
        opened.cleanup();
        stdout(
          `${verify}: verified ${opened.digest} (${opened.manifest.members.length} members, ${opened.manifest.stacks.join(', ')}, commit ${opened.manifest.git.commit})\n`,
        );
        return ExitCode.OK;
      }
      if (args.positionals.length !== 1)
        throw new UsageError(`expected <env>, e.g. ${commandLine('bundle', ['prod'], io)} (see --help)`);
      const built = await buildBundle({
        environment: args.positionals[0],
        cwd: io.cwd,
        outDir: stringFlag(args, 'out-dir'),
        outdir: stringFlag(args, 'output'),
        dir: stringFlag(args, 'dir'),
      });
      stdout(
        `${built.file}\n${built.digest} (${built.manifest.members.length + 1} members: ${built.manifest.stacks.join(', ')}; commit ${built.manifest.git.commit}${built.manifest.git.dirty ? ', uncommitted changes' : ''})\n`,
      );
      return ExitCode.OK;
    } catch (e) {
      if (e instanceof BundleError) throw new CommandError(e.message, ExitCode.FAILED);
      throw e;
    }
  },
});
