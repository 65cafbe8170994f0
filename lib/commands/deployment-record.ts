/**
 * Deployment records: the directory layout, the manifest, and the three things done with a record: upload it
 * (every file first, `manifest.json` last), verify it (download and check every digest), and list them.
 *
 * A record is `deployments/<env>/<stack>/<UTC time>-<git sha>/` holding `stack.json`, `values.json`, `deploy.log`,
 * and `manifest.json`. A record without a manifest is visibly incomplete. A local record is only uploaded when its
 * manifest is consistent: file names inside the record directory, the prefix of the manifest's environment and
 * stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ArchiveError, ArchiveStore, ObjectLock, sha256Hex } from './archive-store';
import { UsageError } from '../cli/errors';
import type { CallerIdentity } from './caller-identity';

/** Object-lock mode of a record; `none` for a store without object lock (DigitalOcean Spaces). */
export type LockMode = 'GOVERNANCE' | 'COMPLIANCE' | 'none';
/** How strong each lock mode is: a record may never be sent with a weaker one than its environment's. */
export const LOCK_STRENGTH: Readonly<Record<LockMode, number>> = { none: 0, GOVERNANCE: 1, COMPLIANCE: 2 };
/** A file name a record may hold: one path segment of letters, digits, `.`, `_` and `-`, not `.` or `..`. */
export const RECORD_FILE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;
/** A record id: `<UTC time>-<sha>` as {@link recordId} makes it. */
const RECORD_ID = /^\d{8}T\d{6}(\.\d{3})?Z-[0-9a-z]{1,40}$/;

/** Key prefix (and local directory name) under which every record lives. */
export const RECORDS_ROOT = 'deployments';
/** The manifest's file name; always the last object of a record. */
export const MANIFEST = 'manifest.json';
/** The manifest format identifier. */
export const MANIFEST_FORMAT = 'cdktf-bluegreen/deployment-record@1';

/** One file of a record, as listed in its manifest. */
export interface ManifestFile {
  /** File name inside the record. */
  readonly name: string;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly bytes: number;
}

/** The manifest of a deployment record. */
export interface Manifest {
  /** {@link MANIFEST_FORMAT}. */
  readonly format: string;
  /** The record's key prefix, `deployments/<env>/<stack>/<id>/`. */
  readonly record: string;
  /** Environment name. */
  readonly environment: string;
  /** Stack name, e.g. `prod-green`. */
  readonly stack: string;
  /** `succeeded` when cdktf exited 0, `interrupted` after SIGINT/SIGTERM, else `failed`. */
  readonly outcome: 'succeeded' | 'failed' | 'interrupted';
  /** The signal that interrupted the deploy, when one did. */
  readonly signal?: string;
  /** cdktf's exit code. */
  readonly exitCode: number;
  /** The command that ran. */
  readonly command: readonly string[];
  /** Start and end of the deploy (ISO 8601, UTC). */
  readonly startedAt: string;
  /** End of the deploy. */
  readonly finishedAt: string;
  /** Who deployed: the principal the cloud returned for the deploy's credentials (see {@link deployer}). */
  readonly user: string;
  /** The caller identity the cloud returned (AWS STS GetCallerIdentity; DigitalOcean account). */
  readonly deployer?: CallerIdentity;
  /** Who asked for the deploy, as declared (`GITHUB_ACTOR`, `DEPLOY_USER` or the OS user): not verified. */
  readonly requestedBy?: string;
  /** What the record holds of the plan (none is archived; the applied plan is in the log). */
  readonly plan?: string;
  /** The release bundle deployed (`npm run deploy -- <stack> --bundle <file>`): its file name, digest and commit. */
  readonly bundle?: { readonly file: string; readonly sha256: string; readonly commit: string };
  /** The commit deployed and whether the work tree had uncommitted changes. */
  readonly git: { readonly commit: string; readonly dirty: boolean };
  /** Object-lock retention of every object of the record (null when the store has none). */
  readonly objectLock: { readonly mode: string; readonly retainUntil: string } | null;
  /** Every other file of the record with its digest. */
  readonly files: readonly ManifestFile[];
}

/**
 * A record id: `<UTC time>-<git sha>`, e.g. `20261122T013000.250Z-3f2a9c1b7d4e` (ISO 8601 basic format with
 * milliseconds, so two deploys of one commit in the same second get distinct records); sorts by time.
 */
export function recordId(time: Date, commit: string): string {
  const stamp = time.toISOString().replace(/[-:]/g, '');
  return `${stamp}-${commit.slice(0, 12)}`;
}

/** The key prefix of a record. */
export function recordPrefix(environment: string, stack: string, id: string): string {
  return `${RECORDS_ROOT}/${environment}/${stack}/${id}/`;
}

/** Describes every file in `dir` (except the manifest) for the manifest, sorted by name. */
export function describeFiles(dir: string, names: readonly string[]): ManifestFile[] {
  return [...names].sort().map((name) => {
    const data = fs.readFileSync(path.join(dir, name));
    return { name, sha256: sha256Hex(data), bytes: data.length };
  });
}

/** Reads and checks a local record's manifest. */
export function readLocalManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new UsageError(`${file}: not a deployment record (${(e as Error).message})`);
  }
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files) || typeof manifest.record !== 'string') {
    throw new UsageError(`${file}: not a ${MANIFEST_FORMAT} manifest`);
  }
  const problem = manifestProblem(manifest);
  if (problem) throw new UsageError(`${file}: ${problem}; refusing to upload it`);
  return manifest;
}

/**
 * Why a manifest cannot be trusted to name what is uploaded (undefined when it can): every file name must be one
 * plain segment inside the record directory (no `..`, no absolute path, no separator), and the record prefix must
 * be `deployments/<environment>/<stack>/<id>/` for the manifest's own environment and stack, with a stack of that
 * environment.
 */
export function manifestProblem(manifest: Manifest): string | undefined {
  for (const f of manifest.files) {
    const name = (f as { name?: unknown })?.name;
    if (typeof name !== 'string' || !RECORD_FILE_NAME.test(name) || name === MANIFEST) {
      return `file name ${JSON.stringify(name)} is not a plain file name inside the record directory (letters, digits, . _ -; no path)`;
    }
  }
  const { environment, stack, record } = manifest;
  if (typeof environment !== 'string' || !/^[a-z][a-z0-9-]*$/.test(environment))
    return `environment ${JSON.stringify(environment)} is not an environment name`;
  if (typeof stack !== 'string' || !stack.startsWith(`${environment}-`) || !/^[a-z][a-z0-9-]*$/.test(stack)) {
    return `stack ${JSON.stringify(stack)} is not a stack of environment ${environment}`;
  }
  const parts = record.split('/');
  if (
    parts.length !== 5 ||
    parts[4] !== '' ||
    record !== recordPrefix(environment, stack, parts[3]) ||
    !RECORD_ID.test(parts[3])
  ) {
    return `record prefix ${JSON.stringify(record)} does not match ${recordPrefix(environment, stack, '<time>-<sha>')} for its environment and stack`;
  }
  return undefined;
}

/**
 * Uploads a local record: every file of the manifest (checked against its digest first), then the manifest
 * itself, each with the manifest's object-lock retention. Safe to repeat: the same keys get new versions.
 */
export async function uploadRecord(
  store: ArchiveStore,
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<Manifest> {
  const manifest = readLocalManifest(dir);
  const lock: ObjectLock | undefined = manifest.objectLock
    ? { mode: manifest.objectLock.mode as ObjectLock['mode'], retainUntil: new Date(manifest.objectLock.retainUntil) }
    : undefined;
  const total = manifest.files.length + 1;
  let n = 0;
  for (const file of manifest.files) {
    const data = fs.readFileSync(path.join(dir, file.name));
    if (sha256Hex(data) !== file.sha256) {
      throw new ArchiveError(
        'other',
        `${path.join(dir, file.name)} changed after its manifest was written; refusing to upload a record that does not match`,
      );
    }
    log(`  [${++n}/${total}] ${file.name} (${file.bytes} bytes)`);
    await store.put(manifest.record + file.name, data, { lock, contentType: contentType(file.name) });
  }
  log(`  [${n + 1}/${total}] ${MANIFEST}`);
  await store.put(manifest.record + MANIFEST, fs.readFileSync(path.join(dir, MANIFEST)), {
    lock,
    contentType: 'application/json',
  });
  return manifest;
}

/** The result of {@link verifyRecord}. */
export interface VerifyResult {
  /** The record's key prefix. */
  readonly prefix: string;
  /** The manifest, when it exists. */
  readonly manifest?: Manifest;
  /** One entry per manifest file. */
  readonly files: ReadonlyArray<{
    name: string;
    status: 'ok' | 'mismatch' | 'missing';
    expected: string;
    actual?: string;
  }>;
  /** Objects under the prefix the manifest does not list. */
  readonly unexpected: readonly string[];
  /** Problems, one line each; empty when the record is intact. */
  readonly problems: readonly string[];
}

/** Normalizes a record prefix given as `deployments/...`, with or without `/`, or `s3://bucket/deployments/...`. */
export function normalizePrefix(prefix: string): { bucket?: string; prefix: string; environment: string } {
  let rest = prefix.trim();
  let bucket: string | undefined;
  const url = /^s3:\/\/([^/]+)\/(.*)$/.exec(rest);
  if (url) [, bucket, rest] = url;
  rest = rest.replace(/^\/+/, '');
  if (!rest.endsWith('/')) rest += '/';
  const parts = rest.split('/');
  if (parts[0] !== RECORDS_ROOT || parts.length !== 5 || parts.slice(0, 4).some((p) => !p)) {
    throw new UsageError(
      `"${prefix}" is not a record prefix: expected ${RECORDS_ROOT}/<env>/<stack>/<time>-<sha>/ (see npm run archive -- list <env>)`,
    );
  }
  return { bucket, prefix: rest, environment: parts[1] };
}

/** Downloads a record and checks every file against the manifest's digest. */
export async function verifyRecord(store: ArchiveStore, prefix: string): Promise<VerifyResult> {
  const keys = await store.list(prefix);
  if (keys.length === 0)
    return { prefix, files: [], unexpected: [], problems: [`no objects under ${store.url(prefix)}`] };
  let manifest: Manifest;
  try {
    manifest = JSON.parse((await store.get(prefix + MANIFEST)).toString('utf8')) as Manifest;
  } catch (e) {
    if (e instanceof ArchiveError && e.kind === 'not-found') {
      return {
        prefix,
        files: [],
        unexpected: keys,
        problems: [
          `incomplete record: ${MANIFEST} is missing (the deploy did not finish uploading; re-run npm run archive -- push <local record dir>)`,
        ],
      };
    }
    if (e instanceof SyntaxError)
      return { prefix, files: [], unexpected: [], problems: [`${MANIFEST} is not valid JSON (${e.message})`] };
    throw e;
  }
  const problems: string[] = [];
  if (manifest.record !== prefix)
    problems.push(`${MANIFEST} names record ${manifest.record}, but lies under ${prefix}`);
  const files: Array<VerifyResult['files'][number]> = [];
  for (const file of manifest.files ?? []) {
    const key = prefix + file.name;
    if (!keys.includes(key)) {
      files.push({ name: file.name, status: 'missing', expected: file.sha256 });
      problems.push(`${file.name}: missing`);
      continue;
    }
    const actual = sha256Hex(await store.get(key));
    const ok = actual === file.sha256;
    files.push({ name: file.name, status: ok ? 'ok' : 'mismatch', expected: file.sha256, actual });
    if (!ok) problems.push(`${file.name}: sha256 ${actual} does not match the manifest's ${file.sha256}`);
  }
  const listed = new Set([MANIFEST, ...(manifest.files ?? []).map((f) => f.name)]);
  const unexpected = keys.filter((k) => !listed.has(k.slice(prefix.length)));
  for (const key of unexpected) problems.push(`${key.slice(prefix.length)}: not listed in the manifest`);
  return { prefix, manifest, files, unexpected, problems };
}

/** One record found by {@link listRecords}. */
export interface RecordSummary {
  /** Key prefix. */
  readonly prefix: string;
  /** Stack name. */
  readonly stack: string;
  /** Record id (`<UTC time>-<sha>`). */
  readonly id: string;
  /** Whether the manifest exists. */
  readonly complete: boolean;
  /** From the manifest, when complete and read. */
  readonly manifest?: Manifest;
}

/** Lists an environment's records, newest first (optionally one stack's), reading the manifests of the first `limit`. */
export async function listRecords(
  store: ArchiveStore,
  environment: string,
  options: { stack?: string; limit?: number } = {},
): Promise<RecordSummary[]> {
  const base = options.stack ? `${RECORDS_ROOT}/${environment}/${options.stack}/` : `${RECORDS_ROOT}/${environment}/`;
  const keys = await store.list(base);
  const records = new Map<string, { stack: string; id: string; complete: boolean }>();
  for (const key of keys) {
    const parts = key.split('/');
    if (parts.length < 5) continue;
    const prefix = `${parts.slice(0, 4).join('/')}/`;
    const entry = records.get(prefix) ?? { stack: parts[2], id: parts[3], complete: false };
    if (parts.slice(4).join('/') === MANIFEST) entry.complete = true;
    records.set(prefix, entry);
  }
  const sorted = [...records.entries()].sort(([, a], [, b]) =>
    a.id === b.id ? a.stack.localeCompare(b.stack) : b.id.localeCompare(a.id),
  );
  const limited = sorted.slice(0, options.limit ?? 50);
  const out: RecordSummary[] = [];
  for (const [prefix, r] of limited) {
    let manifest: Manifest | undefined;
    if (r.complete) manifest = JSON.parse((await store.get(prefix + MANIFEST)).toString('utf8')) as Manifest;
    out.push({ prefix, stack: r.stack, id: r.id, complete: r.complete, ...(manifest ? { manifest } : {}) });
  }
  return out;
}

function contentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.log')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
