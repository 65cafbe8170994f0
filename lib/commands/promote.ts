/**
 * `npm run promote -- <env> <color> --artifact <ref@sha256:…> [--artifact …] [--image <id> --from-region <r>]`: the
 * first step of a release. Copies the release's immutable artifacts from wherever they were released into the
 * environment's own deployment registry, by digest, and writes the target references into
 * `colors.<color>.release` of `environments/<env>.yaml` (comments and formatting kept, as `npm run cutover` edits).
 *
 * - The first `--artifact` is the release's `artifact`; further ones are its `dependencies` (a sidecar). With one
 *   `--artifact` only, the dependencies the values list already are promoted again (nothing is copied for a digest
 *   the target holds); with none (an image only), the artifacts are left as they are.
 * - Each artifact is copied with every platform of an index and its tag-schema referrers (signatures, SBOMs;
 *   see `promote-oci.ts`), tagged `<version>` (dependencies `<version>-<name>`) so the registry's lifecycle keeps
 *   it, and then read back from the target: the digest must be identical.
 * - `--image` copies the machine image into the environment's region (AWS `CopyImage`, encrypted; DigitalOcean a
 *   snapshot transfer) and writes its id into `release.image`; `--version` sets `release.version`.
 *
 * Refused before anything is copied, each naming the artifact and the registry, with the values file untouched:
 * a tag without a digest, a target registry whose tags can move (AWS: `image_tag_mutability` of the environment's
 * repository in the synthesized `<env>-shared`; DigitalOcean's registry always allows it; another registry's
 * setting cannot be read through the registry API, so the operator states it with `--tag-mutability`), and values
 * the edit would make invalid. A digest that does not resolve in the source stops the promotion before the values
 * are written.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import * as fs from 'fs';
import * as path from 'path';
import { ARCHIVE_OUTPUTS, stackName } from '../../stacks/contract';
import { ExitCode } from '../cli/exit-codes';
import { COLORS, Color, EnvironmentConfig, loadEnvironments, mutableReferenceReason } from '../config';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { CommandError, PrerequisiteError, UsageError } from '../cli/errors';
import { commandLine } from '../cli/invocation';
import { CommandIo } from '../cli/io';
import { copyAmi, transferSnapshot } from './promote-image';
import {
  OciReference,
  parseOciReference,
  PromotedArtifact,
  promoteArtifact,
  PromotionError,
  Skopeo,
  SkopeoMissingError,
  SkopeoOptions,
} from './promote-oci';
import { OutputsUnavailableError, readDeployedOutputs, readOutputsFile as readOutputs } from '../cli/cdktf';
import { editValuesFile, ValuesEdit } from './values-edit';

/** How a registry treats tags: ECR's `image_tag_mutability` vocabulary. */
export type TagMutability = 'IMMUTABLE' | 'MUTABLE';

/** A machine image to promote. */
export interface ImageSource {
  /** AMI id (AWS) or snapshot id (DigitalOcean). */
  readonly id: string;
  /** The region it is in now. */
  readonly fromRegion: string;
  /**
   * AWS: the account that owns it (checked before copying).
   * @default - any owner the credentials can see
   */
  readonly fromAccount?: string;
}

/** Options of {@link promote}. */
export interface PromoteOptions {
  /** Environment name (`environments/<env>.yaml`). */
  readonly environment: string;
  /** The color whose release is promoted (normally the idle one). */
  readonly color: Color;
  /**
   * Source references pinned by digest: the first is the release's `artifact`, the others its `dependencies`.
   * @default [] - no artifact (only the image, or the values' dependencies again)
   */
  readonly artifacts?: readonly string[];
  /**
   * A machine image to copy into the environment's region.
   * @default - the image is left as it is
   */
  readonly image?: ImageSource;
  /**
   * The release version written to `release.version` and used for the target tags and the image's tag.
   * @default - the color's current `release.version`
   */
  readonly version?: string;
  /**
   * The target repository, `<registry>/<repository>`.
   * @default - AWS: output `release_registry_url` of `<env>-shared`; DigitalOcean: required
   */
  readonly registry?: string;
  /**
   * How the target registry treats tags, for a registry whose setting this command cannot read (anything but the
   * environment's ECR repository and DigitalOcean's registry). `MUTABLE` is refused like a read one.
   * @default - unknown: refused
   */
  readonly tagMutability?: TagMutability;
  /**
   * Promote into a registry whose tags can move (DigitalOcean's). The values still pin by digest, so what runs
   * cannot change, but the release tag could be pointed elsewhere.
   * @default false
   */
  readonly allowMutableTags?: boolean;
  /**
   * Loopback registries reached without TLS (tests, a local mirror).
   * @default []
   */
  readonly insecureRegistries?: readonly string[];
  /**
   * AWS: KMS key for the copied AMI's snapshots.
   * @default - the account's default EBS key (`aws/ebs`)
   */
  readonly kmsKeyId?: string;
  /**
   * Directory of the values files.
   * @default '<cwd>/environments'
   */
  readonly dir?: string;
  /**
   * Project directory (where `cdktf output` runs and `cdktf.out` is).
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * The synthesized output directory, for the AWS repository's tag mutability.
   * @default '<cwd>/cdktf.out'
   */
  readonly outdir?: string;
  /**
   * `<env>-shared` outputs from a file (`cdktf output --outputs-file`) instead of running `cdktf output`.
   * @default - `cdktf output <env>-shared`
   */
  readonly sharedOutputsFile?: string;
  /**
   * skopeo settings (executable, environment, timeout).
   * @default - `skopeo` on PATH with this process's environment
   */
  readonly skopeo?: Omit<SkopeoOptions, 'insecureRegistries'>;
  /**
   * The EC2 client of a region.
   * @default - `new EC2Client({ region })` with the default credential chain
   */
  readonly ec2?: (region: string) => EC2Client;
  /**
   * Environment (`DIGITALOCEAN_TOKEN`, `DIGITALOCEAN_API_URL`, `CDKTF_BIN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Milliseconds between polls of a DigitalOcean transfer.
   * @default 10000
   */
  readonly pollMs?: number;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/** What {@link promote} did. */
export interface PromoteResult {
  /** The values file. */
  readonly file: string;
  /** The target repository. */
  readonly registry?: string;
  /** Every artifact, the release's first. */
  readonly artifacts: readonly PromotedArtifact[];
  /** The machine image in the environment's region, when one was promoted. */
  readonly image?: { readonly id: string; readonly copied: boolean };
  /** True when the values file changed. */
  readonly changed: boolean;
  /** The stack to deploy next, `<env>-<color>`. */
  readonly nextStack: string;
}

/** The registry a DigitalOcean account's container registry lives on. */
const DO_REGISTRY_HOST = 'registry.digitalocean.com';
const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * Promotes a release's artifacts (and image) into the environment and writes the target references into its values.
 *
 * @throws UsageError for bad arguments; ConfigError for values the edit would make invalid; PromotionError naming the
 *   artifact, registry and reason for anything refused or failed (the values file is then untouched)
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const dir = options.dir ?? path.join(cwd, 'environments');
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const { environment, color } = options;
  if (!/^[a-z][a-z0-9-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name`);
  if (!(COLORS as readonly string[]).includes(color))
    throw new UsageError(`color must be blue or green, got "${color}"`);
  const [config] = loadEnvironments({ dir, only: [environment] });
  const release = config.colors[color].release;
  const version = options.version ?? release.version;

  // 1. What to promote; every source must be pinned by digest.
  const given = options.artifacts ?? [];
  const main = given[0];
  const dependencies = given.length > 1 ? given.slice(1) : main ? [...(release.dependencies ?? [])] : [];
  const sources = [...(main ? [main] : []), ...dependencies];
  if (sources.length === 0 && !options.image)
    throw new UsageError(
      'nothing to promote: give --artifact <ref@sha256:…> and/or --image <id> --from-region <region> (see --help)',
    );
  for (const ref of sources) {
    const reason = mutableReferenceReason(ref);
    if (reason) throw new PromotionError(`${ref}: ${parseOciReference(ref).registry}: refused: ${reason}`);
  }

  // 2. The target registry, and whether its tags are immutable: all before anything is copied.
  let target: OciReference | undefined;
  const tags = new Map<string, string>();
  if (sources.length > 0) {
    target = await targetRepository(config, options, cwd, env, log);
    checkTagMutability(config, target, options, cwd, sources);
    sources.forEach((ref, i) => {
      const tag = releaseTag(version, i === 0 && main ? undefined : parseOciReference(ref).repository);
      if ([...tags.values()].includes(tag))
        throw new UsageError(
          `two artifacts would get the tag ${tag} in ${target!.registry}/${target!.repository}; give each dependency a distinct repository name`,
        );
      tags.set(ref, tag);
    });
  }
  if (options.image) checkImageArguments(config, options.image);

  // 3. The values edit, validated before anything is copied (the image id is known only after its copy).
  const targetRef = (ref: string) => `${target!.registry}/${target!.repository}@${parseOciReference(ref).digest}`;
  const edits = (imageId?: string): ValuesEdit[] => {
    const at = (key: string) => ['colors', color, 'release', key];
    return [
      ...(options.version && options.version !== release.version
        ? [{ path: at('version'), value: options.version }]
        : []),
      ...(main ? [{ path: at('artifact'), value: targetRef(main) }] : []),
      ...(dependencies.length > 0 ? [{ path: at('dependencies'), value: dependencies.map(targetRef) }] : []),
      ...(imageId && imageId !== release.image ? [{ path: at('image'), value: imageId }] : []),
    ];
  };
  const what = `promoting ${color}'s release`;
  editValuesFile({ dir, environment, edits: edits(), what, dryRun: true });

  // 4. Copy and verify.
  const artifacts: PromotedArtifact[] = [];
  if (target) {
    const skopeo = new Skopeo({
      ...options.skopeo,
      env: options.skopeo?.env ?? env,
      insecureRegistries: options.insecureRegistries,
    });
    for (const ref of sources) {
      log(`  ${ref} -> ${target.registry}/${target.repository}:${tags.get(ref)}`);
      const promoted = await promoteArtifact(skopeo, ref, target, tags.get(ref)!);
      for (const m of promoted.manifests)
        log(
          `    ${m.kind} ${m.digest} (${m.tag}): ${m.copied ? 'copied, digest verified in the target' : 'already in the target, not copied'}`,
        );
      artifacts.push(promoted);
    }
  }
  let image: PromoteResult['image'];
  if (options.image) image = await promoteImage(config, options.image, version, options, env, log);

  // 5. Write the values (validated again: another process may have edited the file meanwhile).
  const result = editValuesFile({ dir, environment, edits: edits(image?.id), what });
  return {
    file: result.file,
    ...(target ? { registry: `${target.registry}/${target.repository}` } : {}),
    artifacts,
    ...(image ? { image } : {}),
    changed: result.changed,
    nextStack: stackName(environment, color),
  };
}

/** The target tag of an artifact: the version (`+` is not allowed in tags), and for a dependency its repository's last segment. */
export function releaseTag(version: string, dependencyRepository?: string): string {
  const base = version.replace(/\+/g, '_');
  const name = dependencyRepository
    ?.split('/')
    .pop()
    ?.replace(/[^A-Za-z0-9_.-]/g, '-');
  return (name ? `${base}-${name}` : base).slice(0, 128);
}

/** The target repository: `--registry`, else on AWS the `release_registry_url` output of `<env>-shared`. */
async function targetRepository(
  config: EnvironmentConfig,
  options: PromoteOptions,
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<OciReference> {
  let url = options.registry;
  if (!url) {
    if (config.cloud !== 'aws') {
      throw new UsageError(
        `DigitalOcean: name the target with --registry ${DO_REGISTRY_HOST}/<your registry>/<repository> (e.g. ${DO_REGISTRY_HOST}/shop/${config.app.name}-${config.name})`,
      );
    }
    const shared = stackName(config.name, 'shared');
    let outputs: Record<string, unknown>;
    try {
      outputs = options.sharedOutputsFile
        ? readOutputs(options.sharedOutputsFile, shared)
        : await readDeployedOutputs(shared, {
            cwd,
            env,
            offlineHint: 'pass --shared-outputs <file.json> or --registry <registry>/<repository>',
            log,
          });
    } catch (e) {
      if (e instanceof OutputsUnavailableError)
        throw new PromotionError(`the release registry of ${config.name}: ${e.message}`);
      throw e;
    }
    const value = outputs[ARCHIVE_OUTPUTS.registryUrl];
    if (typeof value !== 'string' || value === '')
      throw new PromotionError(
        `${shared} has no output ${ARCHIVE_OUTPUTS.registryUrl} (deploy ${shared} first, or pass --registry)`,
      );
    url = value;
  }
  const ref = parseOciReference(url);
  if (ref.tag || ref.digest || !url.startsWith(`${ref.registry}/`))
    throw new UsageError(`--registry must be <registry host>/<repository> without tag or digest, got "${url}"`);
  return ref;
}

/**
 * Refuses a target registry whose tags can move. AWS: the environment's repository's `image_tag_mutability` in the
 * synthesized `<env>-shared` (the reviewed configuration; `npx cdktf synth` first). DigitalOcean's registry has no
 * immutable tags. Any other registry: the API does not tell, so the operator states it (`--tag-mutability`).
 */
function checkTagMutability(
  config: EnvironmentConfig,
  target: OciReference,
  options: PromoteOptions,
  cwd: string,
  sources: readonly string[],
): void {
  const where = `${target.registry}/${target.repository}`;
  const refuse = (reason: string) =>
    new PromotionError(`${sources.join(', ')}: ${target.registry}: refused: ${reason}`);
  let mutability: TagMutability | undefined;
  let how: string;
  if (config.cloud === 'aws' && ECR_HOST.test(target.registry)) {
    const outdir = path.resolve(cwd, options.outdir ?? 'cdktf.out');
    const file = path.join(outdir, 'stacks', stackName(config.name, 'shared'), 'cdk.tf.json');
    if (!fs.existsSync(file))
      throw refuse(
        `cannot read the repository's tag mutability: no ${path.relative(cwd, file) || file} (run npx cdktf synth first)`,
      );
    const stack = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      resource?: { aws_ecr_repository?: Record<string, { name?: string; image_tag_mutability?: string }> };
    };
    const repo = Object.values(stack.resource?.aws_ecr_repository ?? {}).find((r) => r.name === target.repository);
    if (!repo)
      throw refuse(
        `${stackName(config.name, 'shared')} defines no ECR repository ${target.repository} (${path.relative(cwd, file)}); promote into the environment's release registry`,
      );
    mutability = repo.image_tag_mutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE';
    how = `image_tag_mutability ${repo.image_tag_mutability ?? 'MUTABLE (the default)'} in ${path.relative(cwd, file)}`;
  } else if (target.registry === DO_REGISTRY_HOST) {
    mutability = 'MUTABLE';
    how = 'DigitalOcean Container Registry tags can always be moved';
  } else {
    mutability = options.tagMutability;
    how = mutability ? `--tag-mutability ${mutability}` : 'not readable through the registry API';
  }
  if (mutability === 'IMMUTABLE') return;
  if (options.allowMutableTags) return;
  if (!mutability) {
    throw refuse(
      `cannot tell whether ${where} lets tags be moved (${how}); state it with --tag-mutability IMMUTABLE (the registry refuses to move a tag, e.g. a Harbor immutability rule) or accept it with --allow-mutable-tags`,
    );
  }
  throw refuse(
    `${where} lets tags be moved (${how}); make its tags immutable, or accept it with --allow-mutable-tags (the values still pin by digest)`,
  );
}

function checkImageArguments(config: EnvironmentConfig, image: ImageSource): void {
  if (config.cloud === 'aws' && !/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(image.id))
    throw new UsageError(`--image "${image.id}" is not an AMI id (ami- and 8 or 17 hex digits)`);
  if (config.cloud === 'digitalocean' && !/^\d+$/.test(image.id))
    throw new UsageError(`--image "${image.id}" is not a snapshot id (digits)`);
  if (config.cloud === 'digitalocean' && image.fromAccount)
    throw new UsageError('--from-account is AWS-only (a DigitalOcean snapshot is transferred within its account)');
  if (image.fromAccount && !/^\d{12}$/.test(image.fromAccount))
    throw new UsageError(`--from-account must be a 12-digit AWS account id, got "${image.fromAccount}"`);
}

async function promoteImage(
  config: EnvironmentConfig,
  image: ImageSource,
  version: string,
  options: PromoteOptions,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<{ id: string; copied: boolean }> {
  if (config.cloud === 'aws') {
    const copied = await copyAmi({
      imageId: image.id,
      fromRegion: image.fromRegion,
      fromAccount: image.fromAccount,
      region: config.region,
      name: `${config.app.name}-${config.name}-${version}-${image.id}`
        .replace(/[^A-Za-z0-9()[\]./'@_ -]/g, '-')
        .slice(0, 128),
      version,
      tags: { ...config.tags, environment: config.name },
      kmsKeyId: options.kmsKeyId,
      ec2: options.ec2 ?? ((region) => new EC2Client({ region })),
      log,
    });
    return { id: copied.imageId, copied: copied.copied };
  }
  const token = env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN;
  if (!token) throw new PromotionError(`snapshot ${image.id}: no DigitalOcean credentials: set DIGITALOCEAN_TOKEN`);
  const moved = await transferSnapshot({
    imageId: image.id,
    region: config.region,
    token,
    apiUrl: env.DIGITALOCEAN_API_URL,
    pollMs: options.pollMs,
    log,
  });
  return { id: moved.imageId, copied: moved.copied };
}

/** `--help` text of `npm run promote`. */
export const PROMOTE_HELP = `Usage: npm run promote -- <env> <blue|green> [--artifact <ref@sha256:…>]... [--image <id> --from-region <r>] [options]

Copies a release into the environment by digest and writes it into colors.<color>.release of environments/<env>.yaml
(comments kept): each OCI artifact with all platforms and its signatures/SBOMs (tags sha256-<digest>.sig/.att/.sbom
and sha256-<digest>) into the environment's registry, verified there by digest; the machine image into the
environment's region. The first --artifact is release.artifact, further ones release.dependencies.

  --artifact REF           source reference pinned by digest (repeatable)
  --image ID               AMI id (AWS: CopyImage, encrypted) or snapshot id (DigitalOcean: transfer)
  --from-region R          the image's region now
  --from-account ID        AWS: the account that owns the AMI (checked before copying)
  --version V              the release version (release.version, target tags, image tag); default: the current one
  --registry HOST/REPO     the target repository (default on AWS: output release_registry_url of <env>-shared;
                           required on DigitalOcean: registry.digitalocean.com/<registry>/<repository>)
  --shared-outputs FILE    read <env>-shared's outputs from this file instead of running cdktf output
  --tag-mutability M       IMMUTABLE or MUTABLE: how a registry other than the environment's ECR repository treats tags
  --allow-mutable-tags     promote into a registry whose tags can move (DigitalOcean's always can)
  --kms-key-id KEY         AWS: KMS key for the AMI copy (default: the account's default EBS key)
  --insecure-registry H    a loopback registry (127.0.0.1:5000) reached without TLS (repeatable)
  --dir D                  directory of the values files (default: environments)

Registry credentials are skopeo's (skopeo login; for ECR: aws ecr get-login-password | skopeo login --username AWS
--password-stdin <account>.dkr.ecr.<region>.amazonaws.com). AWS credentials: the default chain; DigitalOcean:
DIGITALOCEAN_TOKEN. Exit codes: 0 promoted (or nothing to copy), 1 refused or failed (values untouched), 2 bad
arguments or values, 3 skopeo missing.
`;

/** The CLI: parses arguments, runs {@link promote}, prints the outcome; resolves to the exit code. */
export const promoteMain = defineCommand<
  Promise<number>,
  CommandIo & { cwd?: string; options?: Partial<PromoteOptions> }
>({
  command: 'promote',
  help: PROMOTE_HELP,
  flags: {
    artifact: { type: 'string', multiple: true },
    image: { type: 'string' },
    'from-region': { type: 'string' },
    'from-account': { type: 'string' },
    version: { type: 'string' },
    registry: { type: 'string' },
    outputs: { type: 'string' },
    'tag-mutability': { type: 'string' },
    'allow-mutable-tags': { type: 'boolean' },
    'kms-key-id': { type: 'string' },
    'insecure-registry': { type: 'string', multiple: true },
    dir: { type: 'string' },
  },
  deprecated: { 'shared-outputs': 'outputs' },
  run: async (args, io): Promise<number> => {
    const { stdout } = io;
    const flags = args.flags as Record<string, string | boolean | string[] | undefined>;
    const str = (name: string) => stringFlag(args, name);
    const list = (name: string) => (Array.isArray(flags[name]) ? (flags[name] as string[]) : []);
    const positionals = args.positionals;
    if (positionals.length !== 2)
      throw new UsageError(
        `expected <env> <color>, e.g. ${commandLine('promote', ['prod', 'blue', '--artifact', '<ref@sha256:…>'], io)} (got ${positionals.join(' ') || 'nothing'}; see --help)`,
      );
    const mutability = str('tag-mutability');
    if (mutability !== undefined && mutability !== 'IMMUTABLE' && mutability !== 'MUTABLE')
      throw new UsageError(`--tag-mutability must be IMMUTABLE or MUTABLE, got "${mutability}"`);
    if (str('image') && !str('from-region'))
      throw new UsageError('--image needs --from-region <region the image is in>');
    if (!str('image') && (str('from-region') || str('from-account')))
      throw new UsageError('--from-region and --from-account go with --image');
    let result: PromoteResult;
    try {
      result = await promote({
        ...io.options,
        ...(io.cwd ? { cwd: io.cwd } : {}),
        environment: positionals[0],
        color: positionals[1] as Color,
        artifacts: list('artifact'),
        ...(str('image')
          ? { image: { id: str('image')!, fromRegion: str('from-region')!, fromAccount: str('from-account') } }
          : {}),
        version: str('version'),
        registry: str('registry'),
        sharedOutputsFile: str('outputs'),
        tagMutability: mutability as TagMutability | undefined,
        allowMutableTags: flags['allow-mutable-tags'] === true,
        kmsKeyId: str('kms-key-id'),
        insecureRegistries: list('insecure-registry'),
        ...(str('dir') ? { dir: str('dir') } : {}),
        log: (line) => stdout(`${line}\n`),
      });
    } catch (e) {
      if (e instanceof PromotionError)
        throw new CommandError(`${e.message}\nThe values file was not changed.`, ExitCode.FAILED);
      if (e instanceof SkopeoMissingError)
        throw new PrerequisiteError(`${e.message}\nThe values file was not changed.`, 'tool-missing');
      throw e;
    }
    const copied = result.artifacts.flatMap((a) => a.manifests).filter((m) => m.copied).length;
    stdout(
      `promoted ${result.artifacts.length} artifact(s) into ${result.registry ?? '-'} (${copied} manifest(s) copied)${result.image ? `; image ${result.image.id}${result.image.copied ? '' : ' (already there)'}` : ''}\n`,
    );
    stdout(result.changed ? `wrote ${result.file}\n` : `${result.file} already names these; nothing to change.\n`);
    stdout(`next: review the values change, then ${commandLine('deploy', [result.nextStack], io)}\n`);
    return ExitCode.OK;
  },
});
