// Real OCI registries on loopback for the promotion tests: Debian's docker-registry (CNCF distribution 2.8), one
// process per registry with its own config file, storage directory and free 127.0.0.1 port; and a small
// multi-platform test image written as an OCI image layout by the test, pushed with skopeo.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { freePort } from './aws-emulator';

/** The registry server Debian's `docker-registry` package installs. */
export const DOCKER_REGISTRY = process.env.DOCKER_REGISTRY ?? '/usr/bin/docker-registry';

/** A running registry. */
export interface OciRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** Its storage directory. */
  readonly storage: string;
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `docker-registry serve <dir>/config.yml` on a free loopback port and waits until `/v2/` answers. */
export async function startRegistry(dir: string): Promise<OciRegistry> {
  const port = await freePort();
  const storage = path.join(dir, 'storage');
  fs.mkdirSync(storage, { recursive: true });
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: test-only-${port}`,
      '',
    ].join('\n'),
  );
  const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
  const child: ChildProcess = spawn(DOCKER_REGISTRY, ['serve', config], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    await exit;
  };
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited)
      throw new Error(
        `docker-registry exited before answering: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8').slice(-1500)}`,
      );
    try {
      if ((await fetch(`http://${host}/v2/`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${host} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, storage, stop };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** One ustar entry (a regular file) and the two zero blocks that end an archive: a minimal valid layer. */
function tarOf(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

/** A descriptor of a blob in an OCI layout. */
interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

/** What {@link writeTestImage} wrote. */
export interface TestImage {
  /** The OCI layout directory. */
  readonly layout: string;
  /** Digest of the image index (`sha256:…`). */
  readonly indexDigest: string;
  /** Digests of the two platform manifests. */
  readonly platformDigests: readonly string[];
  /** Digest of the signature-style referrer (cosign's tag schema `sha256-<index hex>.sig`). */
  readonly signatureDigest: string;
  /** The signature's tag. */
  readonly signatureTag: string;
}

/**
 * Writes an OCI image layout with a two-platform image (linux/amd64 and linux/arm64, each a config and one tiny
 * gzipped tar layer) under the reference name `v1`, and a cosign-style signature of the index under the reference
 * name `sha256-<index hex>.sig`. `seed` makes the content (and so every digest) unique per test.
 */
export function writeTestImage(layout: string, seed: string): TestImage {
  const blobs = path.join(layout, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (content: Buffer | string, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor => {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const hex = sha256(buf);
    fs.writeFileSync(path.join(blobs, hex), buf);
    return { mediaType, digest: `sha256:${hex}`, size: buf.length, ...extra };
  };
  const platforms = (['amd64', 'arm64'] as const).map((architecture) => {
    const layerTar = tarOf('app.txt', `${seed} ${architecture}\n`);
    const layer = put(gzipSync(layerTar, { level: 9 }), 'application/vnd.oci.image.layer.v1.tar+gzip');
    const config = put(
      JSON.stringify({
        architecture,
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layerTar)}`] },
      }),
      'application/vnd.oci.image.config.v1+json',
    );
    return put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [layer],
      }),
      'application/vnd.oci.image.manifest.v1+json',
      {
        platform: { architecture, os: 'linux' },
      },
    );
  });
  const index = put(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: platforms }),
    'application/vnd.oci.image.index.v1+json',
  );
  const indexHex = index.digest.slice('sha256:'.length);
  const payload = put(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': 'shop/app' },
        image: { 'docker-manifest-digest': index.digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
    'application/vnd.dev.cosign.simplesigning.v1+json',
    { annotations: { 'dev.cosignproject.cosign/signature': Buffer.from(`test signature ${seed}`).toString('base64') } },
  );
  const sigConfig = put(
    JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [payload.digest] } }),
    'application/vnd.oci.image.config.v1+json',
  );
  const signature = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: sigConfig,
      layers: [payload],
    }),
    'application/vnd.oci.image.manifest.v1+json',
  );
  const signatureTag = `sha256-${indexHex}.sig`;
  fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { ...index, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
        { ...signature, annotations: { 'org.opencontainers.image.ref.name': signatureTag } },
      ],
    }),
  );
  return {
    layout,
    indexDigest: index.digest,
    platformDigests: platforms.map((p) => p.digest),
    signatureDigest: signature.digest,
    signatureTag,
  };
}

/** Pushes a reference name of an OCI layout to `docker://<target>` with skopeo (plain HTTP to loopback). */
export function pushLayout(layout: string, refName: string, target: string): void {
  execFileSync(
    'skopeo',
    [
      'copy',
      '--all',
      '--preserve-digests',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${layout}:${refName}`,
      `docker://${target}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** The raw manifest at `docker://<ref>` (plain HTTP to loopback), or undefined when the registry does not have it. */
export function rawManifest(ref: string): Buffer | undefined {
  try {
    return execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    return undefined;
  }
}
