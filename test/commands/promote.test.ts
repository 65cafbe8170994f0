// npm run promote against two real OCI registries on loopback (Debian's docker-registry, one process each with its own
// config, storage and port), with skopeo doing the copies: a two-platform image with a cosign-style signature is
// promoted by digest, read back from the target and compared; a second promotion copies nothing; refusals leave the
// values file byte-for-byte untouched.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, loadEnvironments } from '../../lib/config';
import { promote, promoteMain, PromoteOptions, releaseTag } from '../../lib/commands/promote';
import { parseOciReference, PromotionError, Skopeo } from '../../lib/commands/promote-oci';
import { setValues } from '../../lib/commands/values-edit';
import { parseDocument } from 'yaml';
import { edited, envDir } from '../support/env-dir';
import {
  OciRegistry,
  pushLayout,
  rawManifest,
  startRegistry,
  TestImage,
  writeTestImage,
} from '../support/oci-registry';
import { collector } from '../support/deploy-project';

let work: string;
let source: OciRegistry;
let target: OciRegistry;
let app: TestImage;
let sidecar: TestImage;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-'));
  try {
    source = await startRegistry(path.join(work, 'source'));
    target = await startRegistry(path.join(work, 'target'));
    app = writeTestImage(path.join(work, 'app-layout'), `app ${work}`);
    pushLayout(app.layout, 'v1', `${source.host}/shop/app:v1`);
    pushLayout(app.layout, app.signatureTag, `${source.host}/shop/app:${app.signatureTag}`);
    sidecar = writeTestImage(path.join(work, 'sidecar-layout'), `sidecar ${work}`);
    pushLayout(sidecar.layout, 'v1', `${source.host}/mirror/envoy:v1`);
  } catch (e) {
    await Promise.all([source?.stop(), target?.stop()]);
    throw e;
  }
});
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  fs.rmSync(work, { recursive: true, force: true });
});

/** Requests that wrote to a registry (its access log: manifest and blob uploads). */
const writes = (registry: OciRegistry) =>
  (
    fs
      .readFileSync(path.join(path.dirname(registry.storage), 'registry.log'), 'utf8')
      .match(/"(PUT|POST|PATCH) \/v2\//g) ?? []
  ).length;

function options(dir: string, extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return {
    environment: 'staging',
    color: 'green',
    dir,
    cwd: path.dirname(dir),
    registry: `${target.host}/shop/staging`,
    allowMutableTags: true, // docker-registry lets tags move; the refusal without this is tested below
    insecureRegistries: [source.host, target.host],
    ...extra,
  };
}

describe('promoting an image with a signature and a dependency', () => {
  let dir: string;
  let before: string;
  beforeAll(() => {
    dir = envDir();
    before = fs.readFileSync(path.join(dir, 'staging.yaml'), 'utf8');
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  test('copies every platform and the signature by digest, verifies them in the target and writes the target references', async () => {
    const lines: string[] = [];
    const result = await promote(
      options(dir, {
        artifacts: [`${source.host}/shop/app@${app.indexDigest}`, `${source.host}/mirror/envoy@${sidecar.indexDigest}`],
        version: '1.6.0',
        log: (l) => lines.push(l),
      }),
    );
    const repo = `${target.host}/shop/staging`;
    expect(result.artifacts.map((a) => a.target)).toEqual([
      `${repo}@${app.indexDigest}`,
      `${repo}@${sidecar.indexDigest}`,
    ]);
    expect(result.artifacts[0].manifests).toEqual([
      { digest: app.indexDigest, tag: '1.6.0', kind: 'artifact', copied: true },
      { digest: app.signatureDigest, tag: app.signatureTag, kind: 'referrer', copied: true },
    ]);
    expect(result.artifacts[0].platforms).toEqual(app.platformDigests);
    // Pulled back by digest from the target: the same bytes as in the source, for the index, each platform and the signature.
    for (const digest of [app.indexDigest, ...app.platformDigests, app.signatureDigest]) {
      const fromTarget = rawManifest(`${repo}@${digest}`);
      expect(fromTarget).toBeDefined();
      expect(fromTarget!.equals(rawManifest(`${source.host}/shop/app@${digest}`)!)).toBe(true);
    }
    expect(
      rawManifest(`${repo}:${app.signatureTag}`)!.equals(rawManifest(`${source.host}/shop/app:${app.signatureTag}`)!),
    ).toBe(true);
    expect(
      rawManifest(`${repo}:1.6.0-envoy`)!.equals(rawManifest(`${source.host}/mirror/envoy@${sidecar.indexDigest}`)!),
    ).toBe(true);

    const after = fs.readFileSync(path.join(dir, 'staging.yaml'), 'utf8');
    const [config] = loadEnvironments({ dir, only: ['staging'] });
    expect(config.colors.green.release).toEqual({
      version: '1.6.0',
      image: 'ami-0a1b2c3d4e5f60718',
      artifact: `${repo}@${app.indexDigest}`,
      dependencies: [`${repo}@${sidecar.indexDigest}`],
    });
    expect(config.colors.blue.release).toEqual(
      loadEnvironments({ dir: path.join(__dirname, '..', '..', 'environments'), only: ['staging'] })[0].colors.blue
        .release,
    );
    // Comment-preserving: every comment line of the file is still there, and only green's release lines differ.
    const comments = (t: string) => t.split('\n').filter((l) => /#/.test(l));
    expect(comments(after)).toEqual(comments(before));
    expect(
      after
        .split('\n')
        .filter((l) => !before.split('\n').includes(l))
        .join('\n'),
    ).toMatch(
      /^\s+version: 1\.6\.0\n\s+artifact: 127\.0\.0\.1:\d+\/shop\/staging@sha256:[a-f0-9]{64}\n\s+dependencies:\n\s+- 127\.0\.0\.1/,
    );
    expect(lines.join('\n')).toMatch(
      /referrer sha256:[a-f0-9]{64} \(sha256-[a-f0-9]{64}\.sig\): copied, digest verified in the target/,
    );
  });

  test('a second promotion copies nothing and leaves the values as they are', async () => {
    const text = fs.readFileSync(path.join(dir, 'staging.yaml'));
    const writesBefore = writes(target);
    const result = await promote(
      options(dir, {
        artifacts: [`${source.host}/shop/app@${app.indexDigest}`, `${source.host}/mirror/envoy@${sidecar.indexDigest}`],
        version: '1.6.0',
      }),
    );
    expect(result.artifacts.flatMap((a) => a.manifests).map((m) => m.copied)).toEqual([false, false, false]);
    expect(result.changed).toBe(false);
    expect(writes(target)).toBe(writesBefore);
    expect(fs.readFileSync(path.join(dir, 'staging.yaml')).equals(text)).toBe(true);
  });
});

describe('refusals name the artifact and the registry and leave the values file byte-for-byte untouched', () => {
  let dir: string;
  let file: string;
  let bytes: Buffer;
  beforeAll(() => {
    dir = envDir();
    file = path.join(dir, 'staging.yaml');
    bytes = fs.readFileSync(file);
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  afterEach(() => expect(fs.readFileSync(file).equals(bytes)).toBe(true));

  test('fails cleanly for a digest that does not resolve in the source (nothing written to the target)', async () => {
    const missing = `${source.host}/shop/app@sha256:${'0'.repeat(64)}`;
    const writesBefore = writes(target);
    await expect(promote(options(dir, { artifacts: [missing] }))).rejects.toThrow(
      new PromotionError(
        `${missing}: ${source.host}: digest sha256:${'0'.repeat(64)} does not resolve in ${source.host}/shop/app (no such manifest)`,
      ),
    );
    expect(writes(target)).toBe(writesBefore);
  });

  test('fails on a tag without a digest', async () => {
    await expect(promote(options(dir, { artifacts: [`${source.host}/shop/app:v1`] }))).rejects.toThrow(
      `${source.host}/shop/app:v1: ${source.host}: refused: "${source.host}/shop/app:v1" is a mutable reference (a tag can be moved)`,
    );
  });

  test('fails for a registry whose tag policy it cannot read, unless stated', async () => {
    const ref = `${source.host}/shop/app@${app.indexDigest}`;
    await expect(promote(options(dir, { artifacts: [ref], allowMutableTags: false }))).rejects.toThrow(
      `${ref}: ${target.host}: refused: cannot tell whether ${target.host}/shop/staging lets tags be moved (not readable through the registry API); state it with --tag-mutability IMMUTABLE`,
    );
    await expect(
      promote(options(dir, { artifacts: [ref], allowMutableTags: false, tagMutability: 'MUTABLE' })),
    ).rejects.toThrow(/lets tags be moved \(--tag-mutability MUTABLE\)/);
  });

  test('takes the target from the release_registry_url output of <env>-shared when --registry is not given', async () => {
    const outputs = path.join(path.dirname(dir), 'shared-outputs.json');
    fs.writeFileSync(
      outputs,
      JSON.stringify({ 'staging-shared': { release_registry_url: `${target.host}/shop/from-output` } }),
    );
    const ref = `${source.host}/shop/app@${app.indexDigest}`;
    await expect(
      promote(
        options(dir, { artifacts: [ref], registry: undefined, sharedOutputsFile: outputs, allowMutableTags: false }),
      ),
    ).rejects.toThrow(
      `${ref}: ${target.host}: refused: cannot tell whether ${target.host}/shop/from-output lets tags be moved`,
    );
    fs.writeFileSync(outputs, JSON.stringify({ 'staging-shared': {} }));
    await expect(
      promote(options(dir, { artifacts: [ref], registry: undefined, sharedOutputsFile: outputs })),
    ).rejects.toThrow(
      'staging-shared has no output release_registry_url (deploy staging-shared first, or pass --registry)',
    );
  });

  test("fails for the environment's ECR repository when the synthesized shared stack has mutable tags, or was not synthesized", async () => {
    const cwd = path.dirname(dir);
    const ecr = '222222222222.dkr.ecr.eu-west-1.amazonaws.com';
    const ref = `${source.host}/shop/app@${app.indexDigest}`;
    const run = () =>
      promote(options(dir, { artifacts: [ref], registry: `${ecr}/shop/staging`, allowMutableTags: false }));
    await expect(run()).rejects.toThrow(
      `${ref}: ${ecr}: refused: cannot read the repository's tag mutability: no cdktf.out/stacks/staging-shared/cdk.tf.json (run npx cdktf synth first)`,
    );
    const stackDir = path.join(cwd, 'cdktf.out', 'stacks', 'staging-shared');
    fs.mkdirSync(stackDir, { recursive: true });
    const repository = (mutability: string) => ({
      resource: {
        aws_ecr_repository: { registry_repository_1: { name: 'shop/staging', image_tag_mutability: mutability } },
      },
    });
    fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify(repository('MUTABLE')));
    await expect(run()).rejects.toThrow(
      `${ref}: ${ecr}: refused: ${ecr}/shop/staging lets tags be moved (image_tag_mutability MUTABLE in cdktf.out/stacks/staging-shared/cdk.tf.json)`,
    );
    // IMMUTABLE passes the check: the promotion then goes on to the registry (unreachable here, and refused by the
    // the source check first: a missing digest).
    fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify(repository('IMMUTABLE')));
    const missing = `${source.host}/shop/app@sha256:${'1'.repeat(64)}`;
    await expect(
      promote(options(dir, { artifacts: [missing], registry: `${ecr}/shop/staging`, allowMutableTags: false })),
    ).rejects.toThrow(/does not resolve in/);
  });

  test("fails for DigitalOcean's registry (its tags always move) unless accepted", async () => {
    const ref = `${source.host}/shop/app@${app.indexDigest}`;
    await expect(
      promote(
        options(dir, {
          environment: 'dev',
          artifacts: [ref],
          registry: 'registry.digitalocean.com/shop/shop-dev',
          allowMutableTags: false,
        }),
      ),
    ).rejects.toThrow(
      `${ref}: registry.digitalocean.com: refused: registry.digitalocean.com/shop/shop-dev lets tags be moved (DigitalOcean Container Registry tags can always be moved)`,
    );
    await expect(promote(options(dir, { environment: 'dev', artifacts: [ref], registry: undefined }))).rejects.toThrow(
      /DigitalOcean: name the target with --registry registry\.digitalocean\.com\//,
    );
  });

  test('fails when the edited values would be invalid (a version that is not semantic), before copying anything', async () => {
    const writesBefore = writes(target);
    await expect(
      promote(options(dir, { artifacts: [`${source.host}/shop/app@${app.indexDigest}`], version: 'latest' })),
    ).rejects.toThrow(ConfigError);
    expect(writes(target)).toBe(writesBefore);
  });

  test('the CLI exits 1 for a refusal and says the values were not changed; 2 for bad arguments', async () => {
    const err = collector();
    const code = await promoteMain(
      [
        'staging',
        'green',
        '--artifact',
        `${source.host}/shop/app:v1`,
        '--dir',
        dir,
        '--registry',
        `${target.host}/shop/staging`,
      ],
      { stderr: err.write, stdout: () => {} },
    );
    expect(code).toBe(1);
    expect(err.text()).toMatch(/refused: .* is a mutable reference[\s\S]*The values file was not changed\./);
    const usage = collector();
    expect(
      await promoteMain(['staging', 'green', '--image', 'ami-0a1b2c3d4e5f60718', '--dir', dir], {
        stderr: usage.write,
        stdout: () => {},
      }),
    ).toBe(2);
    expect(usage.text()).toMatch(/--image needs --from-region/);
    expect(await promoteMain(['staging', 'green', '--bogus'], { stderr: () => {}, stdout: () => {} })).toBe(2);
  });
});

describe('the values edit (setValues) writes only the edited values', () => {
  const a = `r.example.com/a@sha256:${'a'.repeat(64)}`;
  const b = `r.example.com/b@sha256:${'b'.repeat(64)}`;
  const at = ['colors', 'green', 'release'];
  const edit = (text: string, edits: Array<{ path: string[]; value: unknown }>) =>
    setValues(text, parseDocument(text), edits);

  test('replaces a block list in its own style and indentation, keeping the comments around it', () => {
    const text = `colors:\n  green:\n    release:   # the idle color\n      dependencies:\n        - ${a}\n        - ${b}\n      version: 1.5.0  # last\n`;
    expect(edit(text, [{ path: [...at, 'dependencies'], value: [b] }])).toBe(
      `colors:\n  green:\n    release:   # the idle color\n      dependencies:\n        - ${b}\n      version: 1.5.0  # last\n`,
    );
  });

  test('replaces a flow list as a flow list, and a quoted scalar in its quotes', () => {
    const text = `colors:\n  green:\n    release:\n      artifact: "${a}"   # quoted\n      dependencies: [${a}]   # flow\n`;
    expect(
      edit(text, [
        { path: [...at, 'artifact'], value: b },
        { path: [...at, 'dependencies'], value: [a, b] },
      ]),
    ).toBe(
      `colors:\n  green:\n    release:\n      artifact: "${b}"   # quoted\n      dependencies: [${a}, ${b}]   # flow\n`,
    );
  });

  test('adds a missing key as the last line of its mapping, after a trailing comment', () => {
    const text = `colors:\n  green:\n    release:\n      image: ami-0a1b2c3d4e5f60718   # baked\n    capacity: { min: 1 }\n`;
    expect(edit(text, [{ path: [...at, 'artifact'], value: a }])).toBe(
      `colors:\n  green:\n    release:\n      image: ami-0a1b2c3d4e5f60718   # baked\n      artifact: ${a}\n    capacity: { min: 1 }\n`,
    );
  });
});

describe('promotion helpers', () => {
  test('parses references the way Docker does (registry host, repository, tag, digest)', () => {
    expect(parseOciReference('127.0.0.1:5000/shop/app:v1@sha256:abc')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'shop/app',
      tag: 'v1',
      digest: 'sha256:abc',
    });
    expect(parseOciReference('nginx@sha256:abc')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      digest: 'sha256:abc',
    });
    expect(parseOciReference('111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/prod')).toEqual({
      registry: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'shop/prod',
    });
  });

  test('tags the release artifact with its version and a dependency with version and name ("+" is not allowed in tags)', () => {
    expect(releaseTag('1.6.0')).toBe('1.6.0');
    expect(releaseTag('1.6.0+build.7', 'mirror/envoy')).toBe('1.6.0_build.7-envoy');
  });

  test('fails to skip TLS for a registry that is not on loopback', () => {
    expect(() => new Skopeo({ insecureRegistries: ['registry.example.com'] })).toThrow(
      '--insecure-registry registry.example.com: only loopback registries (127.0.0.1, localhost, [::1]) may skip TLS',
    );
  });

  test('fails on values whose dependencies are not pinned by digest, or listed twice', () => {
    const pinned = `registry.example.com/envoy@sha256:${'a'.repeat(64)}`;
    const dir = envDir({
      'prod.yaml': edited(
        'prod.yaml',
        /(      image: ami-0a1b2c3d4e5f60718\n)/,
        `$1      dependencies: [registry.example.com/envoy:1.29, ${pinned}, ${pinned}]\n`,
      ),
    });
    try {
      expect(() => loadEnvironments({ dir, only: ['prod'] })).toThrow(ConfigError);
      try {
        loadEnvironments({ dir, only: ['prod'] });
      } catch (e) {
        expect(
          (e as ConfigError).issues.map((i) => `${path.basename(i.file)}: ${i.path.join('.')}: ${i.message}`),
        ).toEqual([
          'prod.yaml: colors.blue.release.dependencies.0: "registry.example.com/envoy:1.29" is a mutable reference (a tag can be moved); pin it by digest: name@sha256:<64 hex>',
          `prod.yaml: colors.blue.release.dependencies.2: "${pinned}" is listed twice`,
        ]);
      }
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
