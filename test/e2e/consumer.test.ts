// The package as another team gets it: `npm pack` the library, install the tarball into a fresh project with its
// own package.json, tsconfig.json and cdktf.json (offline: the peer and runtime dependencies are linked from this
// repo's node_modules, the tarball is unpacked by npm), type-check and compile the README's opening example as the
// consumer's main.ts (one environment through the high-level entry point, an archive bucket on its own), synthesize
// it with node, and
// check the stacks. A consumer using a construct wrongly gets a compile error or an actionable construct-time error.
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

interface Run {
  readonly status: number | null;
  /** Standard output alone. */
  readonly stdout: string;
  /** Standard output and error together. */
  readonly output: string;
}

/**
 * Runs a command without the npm_* variables of an enclosing `npm test` (so nested npm acts as a fresh one) and
 * without CDKTF_* or SYNTH_ENVS (so the consumer app synthesizes what it says, where it says).
 */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000, extraEnv: Record<string, string> = {}): Run {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|CDKTF_|SYNTH_ENVS$)/i.test(k))), ...extraEnv };
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** {@link run}, without blocking: the three type-checks run side by side. */
function runAsync(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|CDKTF_|SYNTH_ENVS$)/i.test(k)));
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ status, stdout, output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? String(error) : ''}` });
    });
  });
}

function mustRun(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.output}`);
  return r.stdout;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * The README's TypeScript examples: its opening one (every environment of a values directory, and an archive
 * bucket on its own) is the consumer's main.ts; the one-environment example of "Using the library" (the block
 * calling `createEnvironmentStacks`) is one-env.ts.
 */
function readmeExamples(): { main: string; oneEnv: string } {
  const blocks = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const oneEnv = blocks.find((b) => b.includes('createEnvironmentStacks('));
  if (!blocks[0]?.includes('createEnvironmentsFromDir(') || !oneEnv) {
    throw new Error('README.md must open with a ```ts example calling createEnvironmentsFromDir and have one calling createEnvironmentStacks');
  }
  return { main: blocks[0], oneEnv };
}

/** Type-correct code that is wrong at construction time: bad values and a bad bucket name. */
const CONSUMER_WRONG_VALUES = `import { App, TerraformStack } from 'cdktf';
import { ConfigError, parseEnvironment } from 'cdktf-bluegreen/config';
import { LogBucket } from 'cdktf-bluegreen/aws';

const which = process.argv[2];
if (which === 'values') {
  try {
    parseEnvironment({ name: 'QA!', cloud: 'gcp' }, 'team-values.json');
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(e.message + '\\n');
    process.exit(3);
  }
}
if (which === 'construct') {
  const stack = new TerraformStack(new App(), 'bad');
  new LogBucket(stack, 'logs', { bucketName: 'Team_Logs', region: 'eu-west-1' });
}
`;

/** Wrong at compile time: a required prop missing, and a prop of the wrong type. */
const CONSUMER_WRONG_TYPES = `import { App, TerraformStack } from 'cdktf';
import { ArchiveBucket, LogBucket } from 'cdktf-bluegreen';

const stack = new TerraformStack(new App(), 'wrong');
new ArchiveBucket(stack, 'records', { bucketName: 'team-records', purpose: 'audit records', region: 'eu-west-1' });
new LogBucket(stack, 'logs', { bucketName: 'team-logs', region: 'eu-west-1', retentionDays: '30' });
`;

/** An ES module consumer: named imports from the CommonJS build, root and subpath. */
const ESM_CHECK = `import { createEnvironmentsFromDir, parseEnvironment } from 'cdktf-bluegreen';
import { ArchiveBucket } from 'cdktf-bluegreen/aws';
import { environmentValidator } from 'cdktf-bluegreen/config';
console.log([createEnvironmentsFromDir, parseEnvironment, ArchiveBucket, environmentValidator.safeParse].map((x) => typeof x).join(' '));`;

describe('a consumer project installs, type-checks and synthesizes the packed library', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bluegreen-consumer-'));
  const stage = path.join(tmp, 'stage');
  const project = path.join(tmp, 'consumer');
  let tarball = '';
  let packedFiles: string[] = [];
  let compile: Run;
  let synth: Run;
  let wrongTypes: Run;
  let node16: Run;
  let wrongValues: Run;
  let wrongConstruct: Run;
  let peers: Run;
  let oneEnv: Run;
  let esm: Run;

  beforeAll(async () => {
    // 1. Build and pack exactly what `npm pack` ships (the package.json `files`), from a staging copy so the
    //    test never touches this repo's dist/.
    mustRun(process.execPath, [TSC, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(stage, 'dist')], ROOT);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    const packed = JSON.parse(mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], stage));
    tarball = path.join(tmp, packed[0].filename);
    packedFiles = packed[0].files.map((f: { path: string }) => f.path);

    // 2. A fresh project: its own package.json, tsconfig.json (cdktf's TypeScript template) and cdktf.json.
    const linked = [...Object.keys(PKG.peerDependencies), ...Object.keys(PKG.dependencies ?? {})];
    const dependencies: Record<string, string> = { [PKG.name]: `file:${tarball}` };
    for (const dep of linked) dependencies[dep] = `file:${path.join(ROOT, 'node_modules', dep)}`;
    write(path.join(project, 'package.json'), JSON.stringify({ name: 'team-infra', version: '1.0.0', private: true, dependencies, devDependencies: { '@types/node': `file:${path.join(ROOT, 'node_modules/@types/node')}` } }, null, 2));
    write(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          alwaysStrict: true, declaration: true, lib: ['es2018'], module: 'CommonJS', noEmitOnError: true, noImplicitAny: true,
          noImplicitReturns: true, noUnusedLocals: true, noUnusedParameters: true, strict: true, target: 'ES2018', skipLibCheck: true, types: ['node'],
        },
        include: ['main.ts', 'one-env.ts', 'wrong-values.ts'],
      }),
    );
    write(path.join(project, 'tsconfig.wrong.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: ['wrong-types.ts'] }));
    write(path.join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', terraformProviders: [], terraformModules: [], context: {} }));
    const examples = readmeExamples();
    write(path.join(project, 'main.ts'), examples.main);
    write(path.join(project, 'one-env.ts'), examples.oneEnv);
    write(path.join(project, 'wrong-values.ts'), CONSUMER_WRONG_VALUES);
    write(path.join(project, 'wrong-types.ts'), CONSUMER_WRONG_TYPES);
    for (const f of ['defaults.yaml', 'prod.yaml']) write(path.join(project, 'environments', f), fs.readFileSync(path.join(ROOT, 'environments', f), 'utf8'));

    // 3. Install offline: an empty cache proves nothing comes from the registry. `--legacy-peer-deps` because
    //    npm 11's arborist crashes placing peers onto `file:` links; `npm ls` then checks the peer ranges instead.
    mustRun('npm', ['install', '--offline', '--legacy-peer-deps', '--cache', path.join(tmp, 'empty-cache'), '--ignore-scripts', '--no-audit', '--no-fund'], project);
    peers = run('npm', ['ls', '--offline', ...Object.keys(PKG.peerDependencies)], project);

    // 4. Compile (cdktf template settings: CommonJS, classic node resolution via typesVersions), then check the
    //    same code under node16 resolution (package.json exports), then the wrong code; then run it all.
    [compile, node16, wrongTypes] = await Promise.all([
      runAsync(process.execPath, [TSC, '-p', 'tsconfig.json'], project),
      runAsync(process.execPath, [TSC, '-p', 'tsconfig.json', '--noEmit', '--module', 'node16', '--moduleResolution', 'node16'], project),
      runAsync(process.execPath, [TSC, '-p', 'tsconfig.wrong.json'], project),
    ]);
    synth = run(process.execPath, ['main.js'], project);
    oneEnv = run(process.execPath, ['one-env.js'], project, 120_000, { CDKTF_OUTDIR: path.join(project, 'one-env.out') });
    wrongValues = run(process.execPath, ['wrong-values.js', 'values'], project);
    wrongConstruct = run(process.execPath, ['wrong-values.js', 'construct'], project);
    esm = run(process.execPath, ['--input-type=module', '-e', ESM_CHECK], project);
  }, 240_000);

  afterAll(() => {
    if (!process.env.KEEP_CONSUMER) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the tarball ships compiled JavaScript and .d.ts for every export, and no TypeScript sources or tests', () => {
    expect(path.basename(tarball)).toBe(`${PKG.name}-${PKG.version}.tgz`);
    for (const [subpath, target] of Object.entries<Record<string, string> | string>(PKG.exports)) {
      const files = typeof target === 'string' ? [target] : Object.values(target);
      for (const f of files) expect({ subpath, file: f, packed: packedFiles.includes(f.replace(/^\.\//, '')) }).toEqual({ subpath, file: f, packed: true });
    }
    expect(packedFiles).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'LICENSE', 'dist/lib/index.js', 'dist/lib/index.d.ts']));
    expect(packedFiles.filter((f) => (/\.ts$/.test(f) && !f.endsWith('.d.ts')) || /^test\/|\.test\.|^environments\/|\.map$/.test(f))).toEqual([]);
  });

  test('the installed cdktf, constructs and providers satisfy the peer dependency ranges', () => {
    expect(Object.keys(PKG.peerDependencies).sort()).toEqual(['@cdktf/provider-aws', '@cdktf/provider-digitalocean', 'cdktf', 'constructs']);
    expect(peers.output).not.toMatch(/invalid|missing|ELSPROBLEMS/);
    expect(peers.status).toBe(0);
  });

  test('the consumer main.ts type-checks with the cdktf template settings and with node16 resolution', () => {
    expect(compile.output).toBe('');
    expect(compile.status).toBe(0);
    expect(node16.output).toBe('');
    expect(node16.status).toBe(0);
  });

  test('passes the guardrails and synthesizes the environment four stacks and the consumer own stack', () => {
    expect(synth.status).toBe(0);
    expect(synth.output).toMatch(/^guardrails: \d+ rules over 5 stacks: 0 violation\(s\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['prod-blue', 'prod-cutover', 'prod-green', 'prod-shared', 'team-archives']);
    const stackJson = (name: string) => JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out/stacks', name, 'cdk.tf.json'), 'utf8'));
    const archives = stackJson('team-archives');
    const buckets = Object.values<{ bucket: string; object_lock_enabled?: boolean }>(archives.resource.aws_s3_bucket).map((b) => b.bucket);
    expect(buckets.sort()).toEqual(['team-access-logs', 'team-records']);
    expect(Object.keys(archives.resource)).toEqual(expect.arrayContaining(['aws_s3_bucket_object_lock_configuration', 'aws_kms_key']));
    const shared = stackJson('prod-shared');
    expect(shared.terraform.backend.s3.key).toBe('shop/prod/prod-shared.tfstate');
    expect(Object.keys(shared.resource)).toEqual(expect.arrayContaining(['aws_vpc', 'aws_s3_bucket']));
  });

  test('the README one-environment example synthesizes that environment only', () => {
    expect(oneEnv.output).toBe('');
    expect(oneEnv.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'one-env.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['prod-blue', 'prod-cutover', 'prod-green', 'prod-shared']);
  });

  test('an ES module consumer gets the same named exports', () => {
    expect(esm.output.trim()).toBe('function function function function');
  });

  test('fails to compile a construct with a missing required prop or a prop of the wrong type', () => {
    expect(wrongTypes.status).not.toBe(0);
    expect(wrongTypes.output).toMatch(/wrong-types\.ts\(5,\d+\): error TS2345: [^\n]*\n\s*Property 'accessLogs' is missing/);
    expect(wrongTypes.output).toMatch(/wrong-types\.ts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  test('fails on invalid values with a ConfigError naming the source, the key path and the reason', () => {
    expect(wrongValues.status).toBe(3);
    expect(wrongValues.output).toContain('team-values.json: cloud: must be one of aws, digitalocean (got "gcp")');
    expect(wrongValues.output).toMatch(/team-values\.json: name: .*lowercase/);
  });

  test('fails at construction time on an invalid bucket name, saying what is wrong', () => {
    expect(wrongConstruct.status).not.toBe(0);
    expect(wrongConstruct.output).toMatch(/bad\/logs: bucketName "Team_Logs" is not a valid S3 bucket name: it may contain only lowercase letters, digits, dots and hyphens \(https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/bucketnamingrules\.html\)\. Fix: change bucketName/);
    expect(wrongConstruct.output).not.toMatch(/\n\s+at /); // the user's mistake, not the library's stack frames
  });
});
