/**
 * Copying OCI artifacts by digest between registries with skopeo (Debian's `skopeo`, 1.9 or later): the artifact
 * with every platform of an index (`skopeo copy --all --preserve-digests`), and its referrers (signatures, SBOMs,
 * attestations) that the source publishes under the tag schema: cosign's `sha256-<hex>.sig` / `.att` / `.sbom` and
 * the OCI 1.1 fallback tag `sha256-<hex>` of every manifest of the artifact. skopeo 1.9 cannot read the OCI 1.1
 * referrers API, so a referrer a registry holds only there (no tag) is not found; the result says what was found.
 *
 * Credentials are skopeo's own (`skopeo login`, or `REGISTRY_AUTH_FILE`): nothing here takes, writes or prints one.
 */
import { execFile } from 'child_process';
import { createHash } from 'crypto';

/** A parsed OCI reference: `registry/repository[:tag][@sha256:<hex>]`. */
export interface OciReference {
  /** Registry host (with port), e.g. `111111111111.dkr.ecr.eu-west-1.amazonaws.com` or `127.0.0.1:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `shop/prod`. */
  readonly repository: string;
  /** The tag, when the reference has one. */
  readonly tag?: string;
  /** `sha256:<64 hex>`, when the reference has one. */
  readonly digest?: string;
}

/** Thrown when an artifact cannot be promoted; the message names the artifact, the registry and the reason. */
export class PromotionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionError';
  }
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Splits an OCI reference. The first path segment is the registry when it has a `.` or `:` or is `localhost`
 * (Docker's rule); otherwise the reference is on Docker Hub (`docker.io`, `library/` added to one-segment names).
 */
export function parseOciReference(ref: string): OciReference {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  let name = at >= 0 ? ref.slice(0, at) : ref;
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (!hasRegistry && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository` of a reference. */
export function repositoryOf(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** SHA-256 digest (`sha256:<hex>`) of bytes, as registries compute a manifest's digest. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Options of a {@link Skopeo} runner. */
export interface SkopeoOptions {
  /**
   * The skopeo executable.
   * @default 'skopeo'
   */
  readonly bin?: string;
  /**
   * Registries (`host:port`) reached without TLS verification (and over plain HTTP when they do not speak TLS).
   * Only loopback hosts (`127.0.0.1`, `localhost`, `[::1]`) are accepted: a registry on a network always uses TLS.
   * @default []
   */
  readonly insecureRegistries?: readonly string[];
  /**
   * Environment of skopeo (for `REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`, proxies).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Milliseconds one skopeo call may take.
   * @default 600000
   */
  readonly timeoutMs?: number;
}

/** A loopback registry host (`127.0.0.1:5000`, `localhost:5000`, `[::1]:5000`). */
export function isLoopbackRegistry(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
}

/** The skopeo calls a promotion makes: inspect, list tags, copy. */
export class Skopeo {
  private readonly bin: string;
  private readonly insecure: ReadonlySet<string>;

  constructor(private readonly options: SkopeoOptions = {}) {
    this.bin = options.bin ?? 'skopeo';
    for (const host of options.insecureRegistries ?? []) {
      if (!isLoopbackRegistry(host))
        throw new PromotionError(
          `--insecure-registry ${host}: only loopback registries (127.0.0.1, localhost, [::1]) may skip TLS`,
        );
    }
    this.insecure = new Set(options.insecureRegistries ?? []);
  }

  private tls(flag: string, registry: string): string[] {
    return this.insecure.has(registry) ? [`${flag}=false`] : [];
  }

  private run(args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      execFile(
        this.bin,
        args,
        {
          env: this.options.env ?? process.env,
          encoding: 'buffer',
          maxBuffer: 64 * 1024 * 1024,
          timeout: this.options.timeoutMs ?? 600_000,
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT')
            return reject(
              new SkopeoMissingError(`${this.bin} not found: install skopeo (Debian/Ubuntu: apt-get install skopeo)`),
            );
          const lines = stderr.toString('utf8').trim().split('\n').filter(Boolean);
          reject(new SkopeoCallError(lines.slice(-3).join(' ').replace(/\s+/g, ' ') || error.message));
        },
      );
    });
  }

  /** The raw manifest at `docker://<repository>@<digest or :tag>`, or `undefined` when the registry answers "not found". */
  async manifest(repository: string, selector: string, registry: string): Promise<Buffer | undefined> {
    const sep = selector.startsWith('sha256:') ? '@' : ':';
    try {
      return await this.run([
        'inspect',
        '--raw',
        '--retry-times',
        '2',
        ...this.tls('--tls-verify', registry),
        `docker://${repository}${sep}${selector}`,
      ]);
    } catch (e) {
      if (e instanceof SkopeoCallError && /manifest unknown|not found|name unknown|404/i.test(e.message))
        return undefined;
      throw e;
    }
  }

  /** The tags of a repository (empty when the repository does not exist yet). */
  async tags(repository: string, registry: string): Promise<string[]> {
    try {
      const out = await this.run([
        'list-tags',
        '--retry-times',
        '2',
        ...this.tls('--tls-verify', registry),
        `docker://${repository}`,
      ]);
      return (JSON.parse(out.toString('utf8')) as { Tags?: string[] }).Tags ?? [];
    } catch (e) {
      if (e instanceof SkopeoCallError && /name unknown|not found|404/i.test(e.message)) return [];
      throw e;
    }
  }

  /** Copies `<from>@<digest>` with every platform and the same digests to `<to>:<tag>`. */
  async copy(from: OciReference & { digest: string }, to: OciReference, tag: string): Promise<void> {
    await this.run([
      'copy',
      '--all',
      '--preserve-digests',
      '--retry-times',
      '2',
      '--quiet',
      ...this.tls('--src-tls-verify', from.registry),
      ...this.tls('--dest-tls-verify', to.registry),
      `docker://${repositoryOf(from)}@${from.digest}`,
      `docker://${repositoryOf(to)}:${tag}`,
    ]);
  }
}

/** skopeo is not installed. */
export class SkopeoMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkopeoMissingError';
  }
}

/** A skopeo call failed; the message is skopeo's last error lines. */
export class SkopeoCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkopeoCallError';
  }
}

/** What happened to one manifest (the artifact or a referrer) in a promotion. */
export interface CopiedManifest {
  /** `sha256:<hex>`. */
  readonly digest: string;
  /** The tag it has in the target. */
  readonly tag: string;
  /** `artifact` or `referrer`. */
  readonly kind: 'artifact' | 'referrer';
  /** False when the target already held the digest (nothing was copied). */
  readonly copied: boolean;
}

/** The result of promoting one artifact. */
export interface PromotedArtifact {
  /** The source reference as given. */
  readonly source: string;
  /** The target reference, `<registry>/<repository>@sha256:<hex>`. */
  readonly target: string;
  /** The digest (identical in source and target). */
  readonly digest: string;
  /** Platform manifests of an index (empty for a single manifest). */
  readonly platforms: readonly string[];
  /** The artifact and its referrers, each copied or found present. */
  readonly manifests: readonly CopiedManifest[];
}

/** Digests of the manifests an index lists (empty for a single manifest or anything unreadable). */
function childDigests(raw: Buffer): string[] {
  try {
    const doc = JSON.parse(raw.toString('utf8')) as { manifests?: Array<{ digest?: string }> };
    return (doc.manifests ?? []).map((m) => m.digest ?? '').filter((d) => DIGEST.test(d));
  } catch {
    return [];
  }
}

/**
 * Copies one artifact (`source` pinned by digest) into `target` (a repository) under `tag`, with its referrers, unless
 * the target holds the digest already; then checks that the target serves exactly the digest (and every platform of
 * an index). Referrer tags keep their names in the target.
 *
 * @throws PromotionError naming the artifact, the registry and the reason
 */
export async function promoteArtifact(
  skopeo: Skopeo,
  sourceRef: string,
  target: OciReference,
  tag: string,
): Promise<PromotedArtifact> {
  const source = parseOciReference(sourceRef);
  const sourceRepo = repositoryOf(source);
  const targetRepo = repositoryOf(target);
  const fail = (registry: string, reason: string) => new PromotionError(`${sourceRef}: ${registry}: ${reason}`);
  if (!source.digest || !DIGEST.test(source.digest))
    throw fail(source.registry, 'not pinned by digest (a tag can be moved); give name@sha256:<64 hex>');
  const digest = source.digest;
  const call = async <T>(registry: string, what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof SkopeoCallError) throw fail(registry, `${what} failed: ${e.message}`);
      throw e;
    }
  };

  const raw = await call(source.registry, 'reading the manifest', () =>
    skopeo.manifest(sourceRepo, digest, source.registry),
  );
  if (!raw) throw fail(source.registry, `digest ${digest} does not resolve in ${sourceRepo} (no such manifest)`);
  if (digestOf(raw) !== digest)
    throw fail(source.registry, `the registry answered ${digest} with a manifest whose digest is ${digestOf(raw)}`);
  const platforms = childDigests(raw);

  // Referrers by the tag schema: cosign's sha256-<hex>.sig/.att/.sbom and the OCI 1.1 fallback tag sha256-<hex>.
  const subjects = new Set([digest, ...platforms].map((d) => d.slice('sha256:'.length)));
  const [sourceTags, present] = await Promise.all([
    call(source.registry, 'listing tags', () => skopeo.tags(sourceRepo, source.registry)),
    call(target.registry, 'reading the target', () => skopeo.manifest(targetRepo, digest, target.registry)),
  ]);
  const referrerTags = sourceTags.filter((t) => {
    const m = /^sha256-([a-f0-9]{64})(?:\.[a-z]+)?$/.exec(t);
    return m !== null && subjects.has(m[1]);
  });

  const manifests: CopiedManifest[] = [];
  if (!present) await call(target.registry, `copying ${digest}`, () => skopeo.copy({ ...source, digest }, target, tag));
  await verifyInTarget(skopeo, targetRepo, target.registry, digest, platforms, (reason) =>
    fail(target.registry, reason),
  );
  manifests.push({ digest, tag, kind: 'artifact', copied: !present });

  for (const referrerTag of referrerTags.sort()) {
    const [referrer, atTarget] = await Promise.all([
      call(source.registry, `reading referrer ${referrerTag}`, () =>
        skopeo.manifest(sourceRepo, referrerTag, source.registry),
      ),
      call(target.registry, `reading referrer ${referrerTag}`, () =>
        skopeo.manifest(targetRepo, referrerTag, target.registry),
      ),
    ]);
    if (!referrer) continue; // removed between listing and reading
    const referrerDigest = digestOf(referrer);
    if (atTarget && digestOf(atTarget) !== referrerDigest) {
      throw fail(
        target.registry,
        `referrer tag ${referrerTag} already names ${digestOf(atTarget)} in ${targetRepo}, not ${referrerDigest} as in the source`,
      );
    }
    if (!atTarget)
      await call(target.registry, `copying referrer ${referrerTag}`, () =>
        skopeo.copy({ ...source, digest: referrerDigest }, target, referrerTag),
      );
    await verifyInTarget(skopeo, targetRepo, target.registry, referrerDigest, childDigests(referrer), (reason) =>
      fail(target.registry, `referrer ${referrerTag}: ${reason}`),
    );
    manifests.push({ digest: referrerDigest, tag: referrerTag, kind: 'referrer', copied: !atTarget });
  }
  return { source: sourceRef, target: `${targetRepo}@${digest}`, digest, platforms, manifests };
}

/** Checks that the target serves `digest` byte-for-byte (its manifest hashes to it) and every listed platform. */
async function verifyInTarget(
  skopeo: Skopeo,
  repo: string,
  registry: string,
  digest: string,
  platforms: readonly string[],
  fail: (reason: string) => Error,
): Promise<void> {
  const served = await Promise.all(
    [digest, ...platforms].map(async (d) => [d, await skopeo.manifest(repo, d, registry)] as const),
  );
  for (const [d, raw] of served) {
    if (!raw) throw fail(`after the copy ${repo} does not serve ${d}`);
    if (digestOf(raw) !== d)
      throw fail(`after the copy ${repo}@${d} serves a manifest whose digest is ${digestOf(raw)}`);
  }
}
