// The package as another team gets it, by the README's own steps: `npm pack` the library, then run the README's
// quick start AS WRITTEN in an empty directory: its shell blocks (npm init, the pinned npm installs, tsc, `npx cdktf
// synth`) and its files (tsconfig.json, cdktf.json, environments/staging.yaml, main.ts), read from the blocks marked
// `<!-- consumer-step: ... -->`. The packed tarball takes the place of the registry package only where the README says
// so (its "before publication" note: it sits at ../cdktf-bluegreen/cdktf-bluegreen-0.1.0.tgz, built by npm pack in a
// clone). The other packages come from the npm registry, cache first (npm_config_prefer_offline). Then the same
// project checks what a consumer meets next: wrong types, wrong values, a wrong construct, ES modules.
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
 * The environment of a consumer's shell: without the npm_* variables of an enclosing `npm test` (so nested npm acts
 * as a fresh one), CDKTF_* or SYNTH_ENVS (so the app synthesizes what it says, where it says); npm prefers its
 * cache, Terraform reads an empty CLI configuration and sends no checkpoint.
 */
function consumerEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const rc = path.join(tmp, 'terraform.rc');
  if (!fs.existsSync(rc)) fs.writeFileSync(rc, '');
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_|CDKTF_|SYNTH_ENVS$)/i.test(k)),
  );
  return {
    ...inherited,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    CI: 'true',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: rc,
    ...extra,
  };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
  };
}

/** {@link run}, without blocking: the checks after the quick start run side by side. */
function runAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({
        status,
        stdout,
        output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? String(error) : ''}`,
      });
    });
  });
}

function mustRun(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = run(cmd, args, cwd, env);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.output}`);
  return r.stdout;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** One step of the README's quick start: a shell block, or a file's content. */
interface ConsumerStep {
  readonly kind: 'shell' | 'file';
  /** The file to write (relative to the project), for a file step. */
  readonly file?: string;
  /** The README's "before publication" note on this block: the package spec, and the tarball that takes its place. */
  readonly unpublished?: { readonly spec: string; readonly tarball: string };
  readonly text: string;
  /** README line of the block. */
  readonly line: number;
}

/** The README's quick start: every fenced block preceded by a `<!-- consumer-step: ... -->` marker, in order. */
function consumerSteps(readme: string): ConsumerStep[] {
  const steps: ConsumerStep[] = [];
  for (const m of readme.matchAll(
    /<!-- consumer-step: (shell|file (\S+))(?:; before publication: (\S+) is (\S+))? -->\n```\w*\n([\s\S]*?)```/g,
  )) {
    steps.push({
      kind: m[1] === 'shell' ? 'shell' : 'file',
      file: m[2],
      unpublished: m[3] ? { spec: m[3], tarball: m[4] } : undefined,
      text: m[5],
      line: readme.slice(0, m.index).split('\n').length,
    });
  }
  const markers = readme.match(/<!-- consumer-step:/g)?.length ?? 0;
  if (markers !== steps.length)
    throw new Error(`README.md: ${markers} consumer-step markers but ${steps.length} are followed by a fenced block`);
  return steps;
}

/** What running the steps did: each step's outcome and wall time. */
interface StepRun {
  readonly step: ConsumerStep;
  readonly status: number | null;
  readonly output: string;
  readonly seconds: number;
}

/**
 * Runs the steps as written in `project`, starting empty: a shell block runs in bash (`-e`: the first failing
 * command stops it), with the README's own "before publication" substitution applied to that block only; a file
 * block is written. Stops at the first failing step.
 */
function runSteps(steps: readonly ConsumerStep[], project: string, env: NodeJS.ProcessEnv): StepRun[] {
  const out: StepRun[] = [];
  for (const step of steps) {
    const started = Date.now();
    if (step.kind === 'file') {
      write(path.join(project, step.file!), step.text);
      out.push({ step, status: 0, output: '', seconds: 0 });
      continue;
    }
    const script = step.unpublished ? step.text.split(step.unpublished.spec).join(step.unpublished.tarball) : step.text;
    const r = run('bash', ['-e', '-c', script], project, env, 300_000);
    out.push({ step, status: r.status, output: r.output, seconds: (Date.now() - started) / 1000 });
    if (r.status !== 0) break;
  }
  return out;
}

/**
 * The README's one-environment example (the block calling `createEnvironmentStacks`), besides the quick start.
 */
function oneEnvExample(): string {
  const blocks = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
    (m) => m[1],
  );
  const oneEnv = blocks.find((b) => b.includes('createEnvironmentStacks('));
  if (!oneEnv) throw new Error('README.md must have a ```ts example calling createEnvironmentStacks');
  return oneEnv;
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

describe('a consumer follows the README quick start as written, in an empty directory, with the packed library', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bluegreen-consumer-'));
  const stage = path.join(tmp, 'stage');
  const project = path.join(tmp, 'team-infra');
  const env = consumerEnv(tmp);
  let steps: ConsumerStep[] = [];
  let ran: StepRun[] = [];
  let tarball = '';
  let packedFiles: string[] = [];
  let peers: Run;
  let node16: Run;
  let wrongTypes: Run;
  let wrongValues: Run;
  let wrongConstruct: Run;
  let oneEnv: Run;
  let esm: Run;
  let badValues: Run;

  beforeAll(async () => {
    steps = consumerSteps(readme);
    const unpublished = steps.find((s) => s.unpublished)?.unpublished;
    if (!unpublished)
      throw new Error('README.md: no consumer-step says where the packed package goes before publication');

    // 1. `npm pack`, exactly what the package.json `files` ship, from a staging copy (this repo's dist/ untouched),
    //    into the place the README's note names: ../cdktf-bluegreen/ next to the project.
    mustRun(
      process.execPath,
      [TSC, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(stage, 'dist')],
      ROOT,
    );
    // Every file the package.json `files` list names outside dist/ (the loader, its bundler, the bin), as they are.
    const shipped = (PKG.files as string[]).filter((f) => !f.startsWith('dist/'));
    for (const f of ['package.json', 'README.md', 'LICENSE', ...shipped]) {
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    }
    const packDir = path.resolve(project, path.dirname(unpublished.tarball));
    fs.mkdirSync(packDir, { recursive: true });
    const packed = JSON.parse(
      mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], stage, consumerEnv(tmp)),
    );
    tarball = path.join(packDir, packed[0].filename);
    packedFiles = packed[0].files.map((f: { path: string }) => f.path);

    // 2. The README's steps, as written, in an empty directory.
    fs.mkdirSync(project);
    ran = runSteps(steps, project, env);
    if (ran.length !== steps.length || ran.some((r) => r.status !== 0)) return; // reported by the first test

    // 3. What a consumer meets next, in the same project.
    const tsc = path.join(project, 'node_modules/typescript/bin/tsc');
    write(
      path.join(project, 'tsconfig.wrong.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['wrong-types.ts'] }),
    );
    write(path.join(project, 'wrong-types.ts'), CONSUMER_WRONG_TYPES);
    write(path.join(project, 'wrong-values.ts'), CONSUMER_WRONG_VALUES);
    write(path.join(project, 'one-env/one-env.ts'), oneEnvExample());
    for (const f of fs.readdirSync(path.join(ROOT, 'environments')))
      write(path.join(project, 'one-env/environments', f), fs.readFileSync(path.join(ROOT, 'environments', f), 'utf8'));
    // the README's main.ts as is (no try/catch) over a values file with an unquoted version
    const staging = fs.readFileSync(path.join(project, 'environments/staging.yaml'), 'utf8');
    write(
      path.join(project, 'bad-values/environments/staging.yaml'),
      staging.replace('version: "1.5.0"', 'version: 1.5'),
    );
    fs.copyFileSync(path.join(project, 'main.ts'), path.join(project, 'bad-values/main.ts'));
    // Side by side: each only reads the project (the loader's cache entries are written atomically).
    const register = ['--require', 'cdktf-bluegreen/register'];
    [peers, node16, wrongTypes, wrongValues, wrongConstruct, oneEnv, esm, badValues] = await Promise.all([
      runAsync('npm', ['ls', '--offline', ...Object.keys(PKG.peerDependencies)], project, env),
      runAsync(
        process.execPath,
        [tsc, '-p', 'tsconfig.json', '--module', 'node16', '--moduleResolution', 'node16'],
        project,
        env,
      ),
      runAsync(process.execPath, [tsc, '-p', 'tsconfig.wrong.json'], project, env),
      runAsync(process.execPath, [...register, 'wrong-values.ts', 'values'], project, env),
      runAsync(process.execPath, [...register, 'wrong-values.ts', 'construct'], project, env),
      runAsync(
        process.execPath,
        [...register, 'one-env.ts'],
        path.join(project, 'one-env'),
        consumerEnv(tmp, { CDKTF_OUTDIR: path.join(project, 'one-env.out') }),
      ),
      runAsync(process.execPath, ['--input-type=module', '-e', ESM_CHECK], project, env),
      runAsync(process.execPath, [...register, 'main.ts'], path.join(project, 'bad-values'), env),
    ]);
  }, 600_000);

  afterAll(() => {
    if (process.env.KEEP_CONSUMER)
      process.stderr.write(
        `consumer project kept in ${project}; steps: ${ran.map((r) => `README line ${r.step.line} ${r.seconds}s`).join(', ')}\n`,
      );
    else fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the README has the quick start as marked steps: installs, tsconfig.json, cdktf.json, values, main.ts, synth', () => {
    expect(steps.map((s) => s.file ?? s.kind)).toEqual([
      'shell',
      'tsconfig.json',
      'cdktf.json',
      'environments/staging.yaml',
      'main.ts',
      'shell',
    ]);
    expect(steps[steps.length - 1].text).toMatch(/^npx cdktf synth$/m);
  });

  test('every step of the README runs as written, the packed package in place of the registry one', () => {
    expect(ran.map((r) => ({ line: r.step.line, status: r.status, output: r.status === 0 ? '' : r.output }))).toEqual(
      steps.map((s) => ({ line: s.line, status: 0, output: '' })),
    );
  });

  test('npm pack writes the tarball the README names, next to the project, shipping JavaScript, .d.ts and the loader', () => {
    const unpublished = steps.find((s) => s.unpublished)!.unpublished!;
    expect(tarball).toBe(path.resolve(project, unpublished.tarball));
    expect(unpublished.spec).toBe(`${PKG.name}@${PKG.version}`);
    for (const [subpath, target] of Object.entries<Record<string, string> | string>(PKG.exports)) {
      const files = typeof target === 'string' ? [target] : Object.values(target);
      for (const f of files)
        expect({ subpath, file: f, packed: packedFiles.includes(f.replace(/^\.\//, '')) }).toEqual({
          subpath,
          file: f,
          packed: true,
        });
    }
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'README.md',
        'CHANGELOG.md',
        'LICENSE',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'bin/register.js',
      ]),
    );
    expect(
      packedFiles.filter(
        (f) => (/\.ts$/.test(f) && !f.endsWith('.d.ts')) || /^test\/|\.test\.|^environments\/|\.map$/.test(f),
      ),
    ).toEqual([]);
  });

  test('installs what the README pins: the packed package, TypeScript 5, cdktf 0.21; no @swc/core (the loader uses typescript)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    expect(manifest.dependencies[PKG.name]).toMatch(/^file:.*cdktf-bluegreen-0\.1\.0\.tgz$/);
    expect(manifest.devDependencies.typescript).toMatch(/^5\./);
    const installed = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(installed('typescript')).toMatch(/^5\./);
    expect(installed('cdktf')).toMatch(/^0\.21\./);
    expect(fs.existsSync(path.join(project, 'node_modules/@swc/core'))).toBe(false);
  });

  test('the installed cdktf, constructs and providers satisfy the peer dependency ranges', () => {
    expect(Object.keys(PKG.peerDependencies).sort()).toEqual([
      '@cdktf/provider-aws',
      '@cdktf/provider-digitalocean',
      'cdktf',
      'constructs',
    ]);
    expect(peers.output).not.toMatch(/invalid|missing|ELSPROBLEMS/);
    expect(peers.status).toBe(0);
  });

  test('npx cdktf synth (the README app: node --require cdktf-bluegreen/register main.ts) passes the guardrails and writes the stacks', () => {
    const synth = ran.find((r) => /npx cdktf synth/.test(r.step.text))!;
    expect(synth.output).toMatch(/guardrails: \d+ rules over 5 stacks: 0 violation\(s\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      'staging-blue',
      'staging-cutover',
      'staging-green',
      'staging-shared',
      'team-archives',
    ]);
    const stackJson = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out/stacks', name, 'cdk.tf.json'), 'utf8'));
    const archives = stackJson('team-archives');
    expect(
      Object.values<{ bucket: string }>(archives.resource.aws_s3_bucket)
        .map((b) => b.bucket)
        .sort(),
    ).toEqual(['team-access-logs', 'team-records']);
    expect(stackJson('staging-shared').terraform.backend.s3.key).toBe('shop/staging/staging-shared.tfstate');
    // the loader ran main.ts from its bundle, cached in the project's node_modules (bin/app-bundle.js)
    const bundles = path.join(project, 'node_modules/.cache/cdktf-bluegreen-app');
    const entries = fs
      .readdirSync(bundles)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(bundles, f), 'utf8')));
    expect(entries).toContainEqual(expect.objectContaining({ entry: path.join(project, 'main.ts'), usable: true }));
  });

  test('the consumer main.ts also type-checks with node16 resolution (package.json exports)', () => {
    expect(node16.output).toBe('');
    expect(node16.status).toBe(0);
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
    expect(wrongTypes.output).toMatch(
      /wrong-types\.ts\(5,\d+\): error TS2345: [^\n]*\n\s*Property 'accessLogs' is missing/,
    );
    expect(wrongTypes.output).toMatch(
      /wrong-types\.ts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });

  test('fails on invalid values with a ConfigError naming the source, the key path and the reason', () => {
    expect(wrongValues.status).toBe(3);
    expect(wrongValues.output).toContain('team-values.json: cloud: must be one of aws, digitalocean (got "gcp")');
    expect(wrongValues.output).toMatch(/team-values\.json: name: .*lowercase/);
  });

  test('a values mistake under the README main.ts (which does not catch it) is its message, not a stack trace', () => {
    expect(badValues.status).toBe(1);
    expect(badValues.output).toBe(
      'invalid environment values (1 problem):\n  environments/staging.yaml: colors.blue.release.version: expected string, got number 1.5; quote it: version: "1.5"\nNothing was synthesized.\n',
    );
  });

  test('fails at construction time on an invalid bucket name, saying what is wrong', () => {
    expect(wrongConstruct.status).not.toBe(0);
    expect(wrongConstruct.output).toMatch(
      /bad\/logs: bucketName "Team_Logs" is not a valid S3 bucket name: it may contain only lowercase letters, digits, dots and hyphens \(https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/bucketnamingrules\.html\)\. Fix: change bucketName/,
    );
    expect(wrongConstruct.output).not.toMatch(/\n\s+at /); // the user's mistake, not the library's stack frames
  });
});
