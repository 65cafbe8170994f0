// The release bundle: built from prod's real synthesized stacks (in-process synth), reproducible and content-addressed,
// free of secrets; verified member by member; a tampered bundle is refused by npm run deploy, and a good one is deployed
// through the deploy command's stand-in cdktf (the only double: it replaces the cloud deploy) with the record, written to
// a real S3-compatible server (s3rver on loopback), storing the bundle's digest.
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import * as tar from 'tar';
import { loadEnvironments } from '../../lib/config';
import {
  BUNDLE_MANIFEST,
  BundleError,
  buildBundle,
  BundleManifest,
  bundleMain,
  openBundle,
} from '../../lib/commands/bundle';
import { deploy } from '../../lib/commands/deploy';
import { Manifest } from '../../lib/commands/deployment-record';
import { createEnvironmentStacks } from '../../stacks/environment-stacks';
import { collector, deployProject, DeployProject } from '../support/deploy-project';
import { S3RVER_CREDENTIALS, S3Server, startS3Server } from '../support/s3-server';

const BUCKET = 'shop-prod-deployment-records';
const LOCK =
  '# This file is maintained automatically by "terraform init".\nprovider "registry.terraform.io/hashicorp/aws" {\n  version = "6.25.0"\n}\n';

let project: DeployProject;
let s3: S3Server;
let bundleFile: string;
let bundleDigest: string;

beforeAll(async () => {
  project = deployProject({ plan: false });
  // prod's four stacks, synthesized as npx cdktf synth would (in-process), plus the lock file terraform init leaves.
  const app = new App({ outdir: path.join(project.root, 'cdktf.out') });
  createEnvironmentStacks(app, loadEnvironments({ dir: path.join(project.root, 'environments'), only: ['prod'] })[0]);
  app.synth();
  fs.writeFileSync(path.join(project.root, 'cdktf.out', 'stacks', 'prod-green', '.terraform.lock.hcl'), LOCK);
  s3 = await startS3Server([BUCKET]);
  const built = await buildBundle({ environment: 'prod', cwd: project.root });
  bundleFile = built.file;
  bundleDigest = built.digest;
});
afterAll(async () => {
  await s3?.close();
  project?.remove();
});

/** Every member of a bundle file, by name. */
async function members(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await tar.list({
    file,
    onReadEntry: (entry) =>
      entry.on('data', (d: Buffer) => out.set(entry.path, Buffer.concat([out.get(entry.path) ?? Buffer.alloc(0), d]))),
  });
  return out;
}

/** A copy of a bundle with one member replaced, named by its own digest (so only the manifest can catch it). */
async function tampered(file: string, member: string, edit: (text: string) => string, rename = true): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tamper-'));
  await tar.extract({ file, cwd: dir });
  const at = path.join(dir, member);
  fs.writeFileSync(at, edit(fs.readFileSync(at, 'utf8')));
  const out = path.join(dir, 'out.tgz');
  await tar.create({ file: out, cwd: dir, gzip: true, portable: true }, [...(await members(file)).keys()]);
  const hex = require('crypto').createHash('sha256').update(fs.readFileSync(out)).digest('hex') as string;
  const named = path.join(dir, rename ? `prod-bundle-${hex}.tgz` : path.basename(file));
  fs.renameSync(out, named);
  return named;
}

describe('building a bundle', () => {
  test('writes one content-addressed file with the values, the four stacks, the references, the lock file present and a manifest', async () => {
    expect(path.basename(bundleFile)).toBe(`prod-bundle-${bundleDigest.slice('sha256:'.length)}.tgz`);
    expect(path.dirname(bundleFile)).toBe(path.join(project.root, '.bundles'));
    const all = await members(bundleFile);
    expect([...all.keys()].sort()).toEqual(
      [
        'bundle.json',
        'manifest.json',
        'references.json',
        'values.json',
        ...['prod-blue', 'prod-cutover', 'prod-green', 'prod-shared'].map((s) => `stacks/${s}/cdk.tf.json`),
        'stacks/prod-green/.terraform.lock.hcl',
      ].sort(),
    );
    const manifest = JSON.parse(all.get(BUNDLE_MANIFEST)!.toString()) as BundleManifest;
    expect(manifest.git).toEqual({ commit: project.commit, dirty: false });
    expect(manifest.members.map((m) => m.name)).toEqual([...all.keys()].filter((n) => n !== BUNDLE_MANIFEST).sort());
    for (const m of manifest.members)
      expect(require('crypto').createHash('sha256').update(all.get(m.name)!).digest('hex')).toBe(m.sha256);
    expect(
      all
        .get('stacks/prod-green/cdk.tf.json')!
        .equals(fs.readFileSync(path.join(project.root, 'cdktf.out', 'stacks', 'prod-green', 'cdk.tf.json'))),
    ).toBe(true);
    expect(JSON.parse(all.get('references.json')!.toString()).green).toEqual({
      version: '1.5.0',
      image: 'ami-0f1e2d3c4b5a69788',
      artifact:
        '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/prod@sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d',
    });
    expect(Object.keys(JSON.parse(all.get('manifest.json')!.toString()).stacks)).toEqual([
      'prod-shared',
      'prod-blue',
      'prod-green',
      'prod-cutover',
    ]);
  });

  test('is reproducible: the same inputs give the same digest', async () => {
    const again = await buildBundle({
      environment: 'prod',
      cwd: project.root,
      outDir: path.join(project.root, 'again'),
    });
    expect(again.digest).toBe(bundleDigest);
  });

  test('holds no secrets: no secret-looking key has a literal value, and the VPN pre-shared keys are references only', async () => {
    const text = [...(await members(bundleFile)).values()].map((b) => b.toString('utf8')).join('\n');
    expect(text).toMatch(/tunnel1_preshared_key/); // the VPN is in the bundle, so the check below looked at it
    const literals = [
      ...text.matchAll(
        /"([A-Za-z_]*(?:password|preshared_key|presharedKey|psk|secret_string|private_key|token))"\s*:\s*"([^"]*)"/gi,
      ),
    ].filter(([, , v]) => !v.includes('${'));
    expect(literals.map(([m]) => m)).toEqual([]);
    expect(gunzipSync(fs.readFileSync(bundleFile)).toString('latin1')).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  test('fails to build when a stack holds a literal secret, naming the member and key path', async () => {
    const file = path.join(project.root, 'cdktf.out', 'stacks', 'prod-shared', 'cdk.tf.json');
    const original = fs.readFileSync(file);
    try {
      const stack = JSON.parse(original.toString()) as {
        resource: Record<string, Record<string, Record<string, unknown>>>;
      };
      const [name] = Object.keys(stack.resource.aws_vpn_connection);
      stack.resource.aws_vpn_connection[name].tunnel1_preshared_key = 'pl41n-psk-value';
      fs.writeFileSync(file, JSON.stringify(stack));
      await expect(
        buildBundle({ environment: 'prod', cwd: project.root, outDir: path.join(project.root, 'refused') }),
      ).rejects.toThrow(
        new BundleError(
          `refused: the bundle would hold secrets:\n  stacks/prod-shared/cdk.tf.json: resource.aws_vpn_connection.${name}.tunnel1_preshared_key holds a literal value (secrets belong in a secret store; reference them)`,
        ),
      );
      expect(fs.existsSync(path.join(project.root, 'refused'))).toBe(false);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  test('fails when the environment has not been synthesized', async () => {
    await expect(buildBundle({ environment: 'staging', cwd: project.root })).rejects.toThrow(
      'cdktf.out: no synthesized staging-shared, staging-blue, staging-green, staging-cutover (run npx cdktf synth first)',
    );
  });
});

describe('verifying a bundle', () => {
  test('opens a good bundle and returns its values', async () => {
    const opened = await openBundle(bundleFile, { expectedDigest: bundleDigest });
    try {
      expect(opened.config.name).toBe('prod');
      expect(opened.manifest.stacks).toEqual(['prod-shared', 'prod-blue', 'prod-green', 'prod-cutover']);
    } finally {
      opened.cleanup();
    }
    expect(fs.existsSync(opened.dir)).toBe(false);
  });

  test('fails on a changed member, naming it, even when the file is named by its new digest', async () => {
    const file = await tampered(bundleFile, 'stacks/prod-green/cdk.tf.json', (t) =>
      t.replace('ami-0f1e2d3c4b5a69788', 'ami-0badbadbadbadbad0'),
    );
    await expect(openBundle(file)).rejects.toThrow(
      /stacks\/prod-green\/cdk\.tf\.json: SHA-256 [a-f0-9]{64}, the manifest says [a-f0-9]{64}/,
    );
  });

  test('fails on a file whose content does not match the digest in its name', async () => {
    const file = await tampered(bundleFile, 'values.json', (t) => t.replace('"prod"', '"prod" '), false);
    await expect(openBundle(file)).rejects.toThrow(
      /the file's digest is sha256:[a-f0-9]{64}, its name says sha256:[a-f0-9]{64}: the bundle was changed after it was built/,
    );
    await expect(openBundle(bundleFile, { expectedDigest: `sha256:${'0'.repeat(64)}` })).rejects.toThrow(
      `digest ${bundleDigest}, expected sha256:${'0'.repeat(64)}`,
    );
  });
});

describe('the bundle CLI', () => {
  test('--verify exits 0 for a good bundle with its digest, 1 naming the member for a tampered one, 2 for bad arguments', async () => {
    const out = collector();
    expect(
      await bundleMain(['--verify', bundleFile, '--digest', bundleDigest], { stdout: out.write, stderr: out.write }),
    ).toBe(0);
    expect(out.text()).toContain(`${bundleFile}: verified ${bundleDigest} (`);
    const err = collector();
    const file = await tampered(bundleFile, 'references.json', (t) => t.replace('1.5.0', '9.9.9'));
    expect(await bundleMain(['--verify', file], { stdout: () => {}, stderr: err.write })).toBe(1);
    expect(err.text()).toMatch(/references\.json: SHA-256 [a-f0-9]{64}, the manifest says/);
    expect(await bundleMain(['prod', '--bogus'], { stdout: () => {}, stderr: () => {} })).toBe(2);
  });
});

describe('npm run deploy -- <stack> --bundle <file>', () => {
  const run = async (bundle: string) => {
    const out = collector();
    const err = collector();
    const result = await deploy({
      stack: 'prod-green',
      bundle,
      cdktfArgs: ['--auto-approve'],
      cwd: project.root,
      stdin: 'ignore',
      attempts: 2,
      baseDelayMs: 20,
      stdout: out.write,
      stderr: err.write,
      callerIdentity: async () => ({
        principal: 'arn:aws:sts::111111111111:assumed-role/deploy/ci',
        source: 'test double of STS',
      }),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...S3RVER_CREDENTIALS,
        CDKTF_BIN: project.cdktfBin,
        STANDIN_CALLS: project.callsFile,
        STANDIN_BUCKET: BUCKET,
        STANDIN_ENDPOINT: s3.endpoint,
      },
    });
    return { result, stdout: out.text(), stderr: err.text() };
  };

  test('refuses a tampered bundle before cdktf runs, naming the member', async () => {
    const before = project.calls().length;
    const file = await tampered(bundleFile, 'stacks/prod-green/cdk.tf.json', (t) =>
      t.replace('ami-0f1e2d3c4b5a69788', 'ami-0badbadbadbadbad0'),
    );
    const r = await run(file);
    expect(r.result.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /stacks\/prod-green\/cdk\.tf\.json: SHA-256 [a-f0-9]{64}, the manifest says[\s\S]*Nothing was deployed\./,
    );
    expect(project.calls().length).toBe(before);
  });

  test('deploys exactly the bundle (--skip-synth from the extracted bundle) and the record stores its digest', async () => {
    const r = await run(bundleFile);
    expect(r.result.exitCode).toBe(0);
    const call = project.calls().find((c) => c[0] === 'deploy')!;
    const extracted = path.join(project.root, `.bundle-${bundleDigest.slice('sha256:'.length, 'sha256:'.length + 16)}`);
    expect(call).toEqual(['deploy', 'prod-green', '--skip-synth', '--output', extracted, '--auto-approve']);
    expect(fs.existsSync(extracted)).toBe(false); // removed after the deploy
    const manifest = JSON.parse(fs.readFileSync(path.join(r.result.recordDir!, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.bundle).toEqual({ file: path.basename(bundleFile), sha256: bundleDigest, commit: project.commit });
    const bundled = (await members(bundleFile)).get('stacks/prod-green/cdk.tf.json')!;
    expect(fs.readFileSync(path.join(r.result.recordDir!, 'stack.json')).equals(bundled)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(r.result.recordDir!, 'values.json'), 'utf8'))).toEqual(
      JSON.parse((await members(bundleFile)).get('values.json')!.toString()),
    );
  });
});
