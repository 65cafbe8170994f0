// npm run deploy against a real S3-compatible server (s3rver on loopback, behind a recording/fault-injecting
// proxy), with cdktf replaced by a stand-in script for the deploy step only.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadEnvironments } from '../../lib/config';
import { deploy, DeployOptions, DeployResult, deployMain, NO_PLAN_ARCHIVED } from '../../lib/commands/deploy';
import { Manifest } from '../../lib/commands/deployment-record';
import { spawn } from 'child_process';
import { CallerIdentityLookup, IdentityError } from '../../lib/commands/caller-identity';
import { collector, deployProject, DeployProject, PLAN_SECRET } from '../support/deploy-project';
import { Fault, S3Server, S3RVER_CREDENTIALS, startS3Server } from '../support/s3-server';

const BUCKET = 'shop-prod-deployment-records';
const DO_BUCKET = 'shop-dev-deployments';
const DAY = 86400000;
const DEPLOYER = 'arn:aws:sts::123456789012:assumed-role/deploy/gh-run-42';
/** Test double of the cloud's identity service (STS cannot run here): answers like GetCallerIdentity. */
const stsDouble: CallerIdentityLookup = async (cloud) => ({
  principal: cloud === 'aws' ? DEPLOYER : 'ops@example.com',
  account: '123456789012',
  source: 'test double of STS',
});

let s3: S3Server;
let client: S3Client;
beforeAll(async () => {
  s3 = await startS3Server([BUCKET, DO_BUCKET]);
  client = new S3Client({
    region: 'eu-west-1',
    endpoint: s3.directEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterAll(async () => {
  client.destroy();
  await s3.close();
});

async function keys(prefix: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((c) => c.Key!).sort();
}
async function object(key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const prefixOf = (result: DeployResult) => result.uploadedTo!.replace(`s3://${BUCKET}/`, '');

interface Run {
  result: DeployResult;
  stdout: string;
  stderr: string;
}

async function run(
  project: DeployProject,
  options: Partial<DeployOptions> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  const out = collector();
  const err = collector();
  const result = await deploy({
    stack: 'prod-green',
    cdktfArgs: ['--auto-approve'],
    cwd: project.root,
    stdin: 'ignore',
    attempts: 3,
    baseDelayMs: 20,
    stdout: out.write,
    stderr: err.write,
    callerIdentity: stsDouble,
    ...options,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...S3RVER_CREDENTIALS,
      CDKTF_BIN: project.cdktfBin,
      STANDIN_CALLS: project.callsFile,
      STANDIN_BUCKET: BUCKET,
      STANDIN_ENDPOINT: s3.endpoint,
      DEPLOY_USER: 'alice',
      ...env,
    },
  });
  return { result, stdout: out.text(), stderr: err.text() };
}

describe('a successful deploy', () => {
  let project: DeployProject;
  let r: Run;
  let prefix: string;
  let manifest: Manifest;
  const requestsBefore = () => s3.requests.length;
  let firstRequest = 0;
  beforeAll(async () => {
    project = deployProject();
    firstRequest = requestsBefore();
    r = await run(project);
    prefix = prefixOf(r.result);
    manifest = JSON.parse((await object(`${prefix}manifest.json`)).toString()) as Manifest;
  });
  afterAll(() => project.remove());
  const puts = () => s3.requests.slice(firstRequest).filter((q) => q.method === 'PUT');

  test('exits 0 and writes the record under deployments/<env>/<stack>/<UTC time>-<git sha>/', () => {
    expect(r.result.exitCode).toBe(0);
    expect(prefix).toMatch(
      new RegExp(`^deployments/prod/prod-green/\\d{8}T\\d{6}\\.\\d{3}Z-${project.commit.slice(0, 12)}/$`),
    );
  });

  test('the record holds the stack JSON, the values, the log and the manifest, and no plan file', async () => {
    expect(await keys(prefix)).toEqual(
      ['deploy.log', 'manifest.json', 'stack.json', 'values.json'].map((f) => prefix + f),
    );
    expect(JSON.parse((await object(`${prefix}stack.json`)).toString())).toMatchObject({ stack: 'prod-green' });
    expect(manifest.plan).toBe(NO_PLAN_ARCHIVED);
    expect(r.stdout).toContain(`plan: ${NO_PLAN_ARCHIVED}`);
  });

  test('no uploaded byte and no byte of the local record holds the secret the saved plan files carry', async () => {
    const saved = fs.readFileSync(path.join(project.root, 'cdktf.out/stacks/prod-green/plan.tfplan'));
    expect(saved.includes(PLAN_SECRET)).toBe(true); // the test means something: the binary plan embeds it
    for (const key of await keys(prefix))
      expect({ key, leaks: (await object(key)).includes(PLAN_SECRET) }).toEqual({ key, leaks: false });
    for (const name of fs.readdirSync(r.result.recordDir!)) {
      expect({ name, leaks: fs.readFileSync(path.join(r.result.recordDir!, name)).includes(PLAN_SECRET) }).toEqual({
        name,
        leaks: false,
      });
    }
  });

  test('the recorded user is the identity the cloud returned, not the self-declared DEPLOY_USER', () => {
    expect(manifest.user).toBe(DEPLOYER);
    expect(manifest.deployer).toEqual({ principal: DEPLOYER, account: '123456789012', source: 'test double of STS' });
    expect(manifest.requestedBy).toBe('alice');
  });

  test('values.json is the environment after the defaults overlay, as the project loader produces it', async () => {
    const [prod] = loadEnvironments({ dir: path.join(project.root, 'environments'), only: ['prod'] });
    expect(JSON.parse((await object(`${prefix}values.json`)).toString())).toEqual(JSON.parse(JSON.stringify(prod)));
  });

  test('the manifest lists every file with its SHA-256, and the commit, user and outcome', async () => {
    expect(manifest).toMatchObject({
      format: 'cdktf-bluegreen/deployment-record@1',
      record: prefix,
      environment: 'prod',
      stack: 'prod-green',
      outcome: 'succeeded',
      exitCode: 0,
      user: DEPLOYER,
      git: { commit: project.commit, dirty: false },
      command: ['cdktf', 'deploy', 'prod-green', '--auto-approve'],
    });
    expect(manifest.files.map((f) => f.name)).toEqual(['deploy.log', 'stack.json', 'values.json']);
    for (const file of manifest.files) {
      const body = await object(prefix + file.name);
      expect({ name: file.name, sha256: sha256(body), bytes: body.length }).toEqual(file);
    }
  });

  test('the manifest is uploaded last', () => {
    const recordPuts = puts().filter((q) => q.path.includes(prefix));
    expect(recordPuts).toHaveLength(4);
    expect(recordPuts[recordPuts.length - 1].path).toBe(`/${BUCKET}/${prefix}manifest.json`);
  });

  test('every upload carries its SHA-256 checksum, SSE-KMS and COMPLIANCE retention until finish + 2555 days (prod.yaml)', async () => {
    const until = Date.parse(manifest.finishedAt) + 2555 * DAY;
    for (const q of puts().filter((p) => p.path.includes(prefix))) {
      const body = await object(q.path.replace(`/${BUCKET}/`, ''));
      expect(q.headers['x-amz-checksum-sha256']).toBe(createHash('sha256').update(body).digest('base64'));
      expect(q.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(q.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
      expect(Date.parse(q.headers['x-amz-object-lock-retain-until-date'] as string)).toBe(until);
    }
    expect(manifest.objectLock).toEqual({ mode: 'COMPLIANCE', retainUntil: new Date(until).toISOString() });
  });

  test('runs cdktf deploy with the given arguments, after reading the shared stack outputs', () => {
    expect(project.calls()).toEqual([
      ['output', 'prod-shared', '--outputs-file', expect.stringMatching(/outputs\.json$/)],
      ['deploy', 'prod-green', '--auto-approve'],
    ]);
  });

  test('streams cdktf output and prints a progress line per phase', () => {
    expect(r.stdout).toContain('prod-green  Apply complete! Resources: 1 added');
    const progress = r.stdout
      .split('\n')
      .filter((l) => /^\[\d\/4\]|^\s+» /.test(l))
      .map((l) => l.replace(/ \(.*$/, '').trim());
    expect(progress).toEqual([
      '[1/4] archive target',
      '[2/4] cdktf deploy prod-green --auto-approve',
      '» synth',
      '» init',
      '» plan',
      '» apply',
      '» done',
      '[3/4] record ' + r.result.recordDir,
      '[4/4] upload',
    ]);
  });

  test('keeps the full log on disk, prints its path, and the uploaded log is that file', async () => {
    expect(r.stdout).toContain(`log: ${r.result.logFile}`);
    const local = fs.readFileSync(r.result.logFile!);
    expect(local.toString()).toContain('aws_instance.web: Creating...');
    expect((await object(`${prefix}deploy.log`)).equals(local)).toBe(true);
  });
});

describe('a failed deploy', () => {
  let project: DeployProject;
  let r: Run;
  let manifest: Manifest;
  beforeAll(async () => {
    project = deployProject({ plan: false });
    r = await run(project, {}, { STANDIN_EXIT: '3' });
    manifest = JSON.parse((await object(`${prefixOf(r.result)}manifest.json`)).toString()) as Manifest;
  });
  afterAll(() => project.remove());

  test("exits with cdktf's exit code", () => {
    expect(r.result.exitCode).toBe(3);
    expect(r.stderr).toContain('Error: creating EC2 Instance: UnauthorizedOperation');
  });

  test('still archives a complete record whose manifest says failed', async () => {
    expect(manifest).toMatchObject({ outcome: 'failed', exitCode: 3 });
    expect(manifest.files.map((f) => f.name)).toEqual(['deploy.log', 'stack.json', 'values.json']);
    const log = (await object(`${prefixOf(r.result)}deploy.log`)).toString();
    expect(log).toContain('UnauthorizedOperation (stand-in failure)');
    expect(log).toContain('cdktf exited 3: deploy failed');
  });
});

describe('a deploy that cdktf stops before Terraform plans', () => {
  let project: DeployProject;
  let r: Run;
  beforeAll(async () => {
    project = deployProject({ plan: false });
    r = await run(project, { stack: 'staging-green' }, { STANDIN_USAGE_ERROR: 'staging-shared' });
  });
  afterAll(() => project.remove());

  test("exits with cdktf's exit code and says nothing was deployed", () => {
    expect(r.result).toMatchObject({
      exitCode: 1,
      outcome: 'failed',
      error: 'cdktf exited 1 before Terraform planned',
    });
    expect(r.stderr).toContain(
      'Usage Error: The following dependencies are not included in the stacks to run: staging-shared',
    );
    expect(r.stderr).toContain(
      'cdktf stopped before Terraform planned (last phase: synth); nothing was deployed and no record is archived.',
    );
  });

  test('archives no record (nothing in the cloud changed), keeps the log locally', async () => {
    expect(r.result.uploadedTo).toBeUndefined();
    expect(await keys('deployments/staging/')).toEqual([]);
    expect(fs.readFileSync(r.result.logFile!, 'utf8')).toContain('cdktf exited 1: deploy failed');
    expect(fs.existsSync(path.join(r.result.recordDir!, 'manifest.json'))).toBe(false);
  });
});

describe('an upload that fails midway', () => {
  const midway: Fault = { match: (m, p) => m === 'PUT' && p.endsWith('/stack.json'), mode: 'reset', times: 1 };
  let project: DeployProject;
  let r: Run;
  let prefix: string;
  beforeAll(async () => {
    project = deployProject();
    s3.faults.push(midway);
    s3.faults.push({ match: (m, p) => m === 'PUT' && p.endsWith('/values.json'), mode: 503, times: 1 });
    // A 512 KiB stack JSON: large enough to arrive in many chunks, so the dropped connection is really midway.
    r = await run(project, {}, { STANDIN_STACK_KIB: '512' });
    prefix = prefixOf(r.result);
  });
  afterAll(() => project.remove());

  test('is retried with backoff, and the deploy still exits 0', () => {
    expect(r.result.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /retry 1\/2 in \d+ ms: cannot upload s3:\/\/.*\/stack\.json: .*(socket hang up|ECONNRESET|EPIPE)/,
    );
    expect(r.stdout).toMatch(/retry 1\/2 in \d+ ms: cannot upload s3:\/\/.*\/values\.json: /);
    expect(s3.faults.every((f) => f.times === 0)).toBe(true);
  });

  test('the connection was dropped partway through the body', () => {
    expect(midway.bytesBeforeReset).toBeGreaterThan(0);
    expect(midway.bytesBeforeReset).toBeLessThan(512 * 1024);
  });

  test('the retried objects arrive intact', async () => {
    const manifest = JSON.parse((await object(`${prefix}manifest.json`)).toString()) as Manifest;
    for (const name of ['stack.json', 'values.json']) {
      expect(sha256(await object(prefix + name))).toBe(manifest.files.find((f) => f.name === name)!.sha256);
      expect(s3.requests.filter((q) => q.method === 'PUT' && q.path === `/${BUCKET}/${prefix}${name}`)).toHaveLength(2);
    }
  });
});

describe('a DigitalOcean environment', () => {
  let project: DeployProject;
  let r: Run;
  let first = 0;
  beforeAll(async () => {
    project = deployProject({ plan: false });
    first = s3.requests.length;
    r = await run(project, { stack: 'dev-blue' }, { STANDIN_OUTPUT_STYLE: 'digitalocean', STANDIN_BUCKET: DO_BUCKET });
  });
  afterAll(() => project.remove());

  test('archives to its Spaces bucket, named by the DigitalOcean shared stack outputs', () => {
    expect(r.result.exitCode).toBe(0);
    expect(r.result.uploadedTo).toMatch(new RegExp(`^s3://${DO_BUCKET}/deployments/dev/dev-blue/`));
  });

  test('sends neither object-lock nor SSE-KMS headers (Spaces has neither), but still checksums', () => {
    const puts = s3.requests.slice(first).filter((q) => q.method === 'PUT');
    expect(puts.length).toBe(4);
    for (const q of puts) {
      expect(q.headers['x-amz-object-lock-mode']).toBeUndefined();
      expect(q.headers['x-amz-server-side-encryption']).toBeUndefined();
      expect(q.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });
});

describe('when the archive is not usable', () => {
  let project: DeployProject;
  beforeAll(() => {
    project = deployProject();
  });
  afterAll(() => project.remove());

  test('fails before deploying when the bucket does not exist, keeping the log', async () => {
    const r = await run(project, { bucket: 'no-such-bucket', endpoint: s3.endpoint, region: 'eu-west-1' });
    expect(r.result.exitCode).toBe(3);
    expect(r.stderr).toContain('bucket no-such-bucket does not exist');
    expect(r.stderr).toContain(`Nothing was deployed. Log kept at ${r.result.logFile}`);
    expect(project.calls().filter((c) => c[0] === 'deploy')).toEqual([]);
    expect(fs.readFileSync(r.result.logFile!, 'utf8')).toContain('does not exist');
  });

  test('fails before deploying when no credentials can be found', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    });
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
      delete process.env[k];
    try {
      const r = await run(project, {}, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
      expect(r.result.exitCode).toBe(3);
      expect(r.stderr).toMatch(
        /no credentials found\. Set AWS_PROFILE \(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      );
      expect(project.calls().filter((c) => c[0] === 'deploy')).toEqual([]);
    } finally {
      process.env = saved;
    }
  });

  test('fails before deploying when the shared stack has no outputs and no flags are given', async () => {
    const r = await run(project, {}, { STANDIN_NO_OUTPUTS: '1' });
    expect(r.result.exitCode).toBe(3); // outputs unreadable: PREREQUISITE in the shared exit-code table (was 2)
    expect(r.stderr).toContain(
      'cannot read the outputs of prod-shared (Error: no state for prod-shared); pass --bucket and --region (or --endpoint)',
    );
  });

  test('a first deploy of <env>-shared, which creates the bucket, archives its record once the outputs exist', async () => {
    const before = project.calls().length;
    const r = await run(project, { stack: 'prod-shared' }, { STANDIN_NO_OUTPUTS: '1' });
    expect(r.stdout).toMatch(/not available yet \(cannot read the outputs of prod-shared .*\); prod-shared creates it/);
    expect(r.result.exitCode).toBe(0);
    expect(
      project
        .calls()
        .slice(before)
        .map((c) => c.slice(0, 2)),
    ).toEqual([
      ['output', 'prod-shared'],
      ['deploy', 'prod-shared'],
      ['output', 'prod-shared'],
    ]);
    expect(r.result.uploadedTo).toMatch(new RegExp(`^s3://${BUCKET}/deployments/prod/prod-shared/`));
    expect(await keys(prefixOf(r.result))).toContain(`${prefixOf(r.result)}manifest.json`);
  });

  test('keeps the whole record locally when a write is denied after the deploy, and push uploads it later', async () => {
    s3.faults.push({
      match: (m, p) => m === 'PUT' && p.includes('/deployments/prod/prod-green/'),
      mode: 403,
      times: 1,
    });
    const r = await run(project);
    expect(r.result.exitCode).toBe(3);
    expect(r.result.outcome).toBe('succeeded');
    expect(r.stderr).toMatch(
      /the record was NOT archived: cannot upload s3:\/\/.*: access denied \(.*\)\. The caller needs s3:PutObject/,
    );
    expect(r.stderr).toContain(`The record is kept at ${r.result.recordDir}`);
    expect(fs.readdirSync(r.result.recordDir!).sort()).toEqual([
      'archive.log',
      'deploy.log',
      'manifest.json',
      'stack.json',
      'values.json',
    ]);

    const { archiveMain } = await import('../../lib/commands/archive');
    const out = collector();
    const code = await archiveMain(['push', r.result.recordDir!, '--endpoint', s3.endpoint, '--bucket', BUCKET], {
      env: { ...S3RVER_CREDENTIALS },
      stdout: out.write,
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(r.result.recordDir!, 'manifest.json'), 'utf8')) as Manifest;
    expect(out.text()).toBe(`uploaded s3://${BUCKET}/${manifest.record}\n`);
    expect(await keys(manifest.record)).toHaveLength(4);
  });
});

describe('records are trustworthy', () => {
  let project: DeployProject;
  beforeAll(() => {
    project = deployProject({ plan: false });
  });
  afterAll(() => project.remove());

  test.each([
    [
      ['--retention-days', '30'],
      "retention of 30 days is below 2555, the environment's archive.retentionDays, for prod-green",
    ],
    [
      ['--lock-mode', 'GOVERNANCE'],
      "lock mode GOVERNANCE is weaker than COMPLIANCE, the environment's archive.objectLockMode, for prod-green",
    ],
    [['--lock-mode', 'none'], 'lock mode none is weaker than COMPLIANCE'],
  ])('refuses %p below the environment, deploying nothing', async (flags, message) => {
    const err = collector();
    const code = await deployMain(['prod-green', ...flags, '--bucket', BUCKET, '--endpoint', s3.endpoint], {
      callerIdentity: stsDouble,
      cwd: project.root,
      env: {
        PATH: process.env.PATH,
        ...S3RVER_CREDENTIALS,
        CDKTF_BIN: project.cdktfBin,
        STANDIN_CALLS: project.callsFile,
      },
      stdout: () => undefined,
      stderr: err.write,
    });
    expect(code).toBe(2);
    expect(err.text()).toContain(message);
    expect(project.calls()).toEqual([]);
  });

  test('a longer retention than the environment is sent as asked', async () => {
    const first = s3.requests.length;
    const r = await run(project, { retentionDays: 3000 });
    expect(r.result.exitCode).toBe(0);
    const manifest = JSON.parse((await object(`${prefixOf(r.result)}manifest.json`)).toString()) as Manifest;
    const put = s3.requests.slice(first).find((q) => q.method === 'PUT' && q.path.endsWith('/manifest.json'))!;
    expect(Date.parse(put.headers['x-amz-object-lock-retain-until-date'] as string)).toBe(
      Date.parse(manifest.finishedAt) + 3000 * DAY,
    );
  });

  test('refuses to deploy when the cloud does not say who the caller is', async () => {
    const before = project.calls().length;
    const r = await run(project, {
      callerIdentity: async () => {
        throw new IdentityError(
          'STS GetCallerIdentity failed (ExpiredToken: the security token included in the request is expired)',
        );
      },
    });
    expect(r.result.exitCode).toBe(3);
    expect(r.stderr).toContain('deploy: cannot establish who is deploying: STS GetCallerIdentity failed (ExpiredToken');
    expect(r.stderr).toContain('Nothing was deployed.');
    expect(
      project
        .calls()
        .slice(before)
        .filter((c) => c[0] === 'deploy'),
    ).toEqual([]);
  });

  describe('archive push of a local record', () => {
    let dir: string;
    let original: string;
    beforeAll(async () => {
      s3.faults.push({
        match: (m, p) => m === 'PUT' && p.includes('/deployments/prod/prod-green/'),
        mode: 403,
        times: 1,
      });
      const r = await run(project);
      expect(r.result.exitCode).toBe(3);
      dir = r.result.recordDir!;
      original = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    });
    afterEach(() => fs.writeFileSync(path.join(dir, 'manifest.json'), original));

    const push = async (edit: (m: Manifest) => Manifest) => {
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(edit(JSON.parse(original) as Manifest)));
      const { archiveMain } = await import('../../lib/commands/archive');
      const err = collector();
      const first = s3.requests.length;
      const code = await archiveMain(['push', dir, '--endpoint', s3.endpoint, '--bucket', BUCKET], {
        cwd: project.root,
        env: { ...S3RVER_CREDENTIALS },
        stdout: () => undefined,
        stderr: err.write,
      });
      return { code, stderr: err.text(), puts: s3.requests.slice(first).filter((q) => q.method === 'PUT') };
    };

    test.each([
      [
        'a file name that climbs out of the record',
        (m: Manifest) => ({ ...m, files: [...m.files, { name: '../../../../.ssh/id_rsa', sha256: 'x', bytes: 1 }] }),
      ],
      ['an absolute file name', (m: Manifest) => ({ ...m, files: [{ ...m.files[0], name: '/etc/passwd' }] })],
      ['a file name with a separator', (m: Manifest) => ({ ...m, files: [{ ...m.files[0], name: 'sub/deploy.log' }] })],
    ])('refuses %s, uploading nothing', async (_, edit) => {
      const r = await push(edit);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not a plain file name inside the record directory .*; refusing to upload it/);
      expect(r.puts).toEqual([]);
    });

    test('refuses a record prefix of another environment or stack than the manifest names', async () => {
      const r = await push((m) => ({
        ...m,
        record: m.record.replace('deployments/prod/prod-green/', 'deployments/staging/staging-green/'),
      }));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'does not match deployments/prod/prod-green/<time>-<sha>/ for its environment and stack; refusing to upload it',
      );
      const other = await push((m) => ({ ...m, stack: 'staging-green' }));
      expect(other.stderr).toContain('stack "staging-green" is not a stack of environment prod');
      expect([...r.puts, ...other.puts]).toEqual([]);
    });

    test('refuses a retention below the environment, uploading nothing', async () => {
      const r = await push((m) => ({
        ...m,
        objectLock: { mode: 'COMPLIANCE', retainUntil: new Date(Date.parse(m.finishedAt) + DAY).toISOString() },
      }));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("retention of 1 days is below 2555, the environment's archive.retentionDays");
      const governance = await push((m) => ({ ...m, objectLock: { ...m.objectLock!, mode: 'GOVERNANCE' } }));
      expect(governance.stderr).toContain('lock mode GOVERNANCE is weaker than COMPLIANCE');
      const none = await push((m) => ({ ...m, objectLock: null }));
      expect(none.stderr).toContain('lock mode none is weaker than COMPLIANCE');
      expect([...r.puts, ...governance.puts, ...none.puts]).toEqual([]);
    });

    test('uploads the record as written', async () => {
      const r = await push((m) => m);
      expect(r.code).toBe(0);
      expect(r.puts).toHaveLength(4);
    });
  });
});

describe('an interrupted deploy (the CLI in its own process, sent a real signal)', () => {
  const REPO_ROOT = path.resolve(__dirname, '../..');

  /** Starts the deploy CLI, waits until cdktf is mid-apply, sends `signal` to the deploy process, waits for it to exit. */
  async function interrupt(signal: 'SIGINT' | 'SIGTERM') {
    const project = deployProject({ plan: false });
    // Asynchronous on purpose: s3rver runs in this process, so a synchronous spawn would starve it.
    const child = spawn(
      process.execPath,
      [
        '--require',
        path.join(REPO_ROOT, 'bin/register.js'),
        path.join(REPO_ROOT, 'test/support/deploy-cli-sts-double.ts'),
        'prod-green',
        '--auto-approve',
      ],
      {
        cwd: project.root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...S3RVER_CREDENTIALS,
          CDKTF_BIN: project.cdktfBin,
          STANDIN_CALLS: project.callsFile,
          STANDIN_BUCKET: BUCKET,
          STANDIN_ENDPOINT: s3.endpoint,
          STANDIN_WAIT_FOR_SIGNAL: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, sig) => resolve({ code, signal: sig })),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`deploy never reached apply:\n${stdout}\n${stderr}`)), 20000);
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        if (stdout.includes('Still creating')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill(signal);
    const end = await exited;
    return { project, end, stdout, stderr };
  }

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: forwarded to cdktf, which stops gracefully; a record marked interrupted with the log is archived; exit %i',
    async (signal, exitCode) => {
      const { project, end, stdout, stderr } = await interrupt(signal);
      try {
        expect({ code: end.code, signal: end.signal }).toEqual({ code: exitCode, signal: null });
        expect(project.calls()).toContainEqual(['signal', signal]); // cdktf got the signal
        expect(stderr).toContain(
          `deploy: ${signal} received; forwarded to cdktf, waiting for Terraform to stop gracefully`,
        );
        const url = /record (s3:\/\/\S+) \(/.exec(stdout)?.[1];
        expect(url).toBeDefined();
        const prefix = url!.replace(`s3://${BUCKET}/`, '');
        const manifest = JSON.parse((await object(`${prefix}manifest.json`)).toString()) as Manifest;
        expect(manifest).toMatchObject({ outcome: 'interrupted', signal, exitCode: 1, user: DEPLOYER });
        const log = (await object(`${prefix}deploy.log`)).toString();
        expect(log).toContain('Gracefully shutting down...');
        expect(log).toContain('aws_instance.web: Creation complete after 3s; state saved'); // waited for the graceful stop
        expect(log).toContain(`deploy interrupted by ${signal}`);
      } finally {
        project.remove();
      }
    },
    60000,
  );
});

describe('the CLI', () => {
  test('--help explains the record and the CDKTF_BIN replacement', async () => {
    const out = collector();
    expect(await deployMain(['--help'], { stdout: out.write })).toBe(0);
    expect(out.text()).toContain('deployments/<env>/<stack>/<UTC time>-<git sha>/');
    expect(out.text()).toContain('CDKTF_BIN');
  });

  test("passes every argument it does not know to cdktf deploy, including cdktf's own --outputs-file", async () => {
    const project = deployProject({ plan: false });
    const out = collector();
    const env = {
      PATH: process.env.PATH,
      ...S3RVER_CREDENTIALS,
      CDKTF_BIN: project.cdktfBin,
      STANDIN_CALLS: project.callsFile,
    };
    const code = await deployMain(
      [
        'prod-green',
        '--auto-approve',
        '--outputs-file',
        'out.json',
        '--bucket',
        BUCKET,
        '--endpoint',
        s3.endpoint,
        '--region',
        'eu-west-1',
        '--',
        '--var',
        'x=1',
      ],
      {
        callerIdentity: stsDouble,
        cwd: project.root,
        env,
        stdin: 'ignore',
        stdout: out.write,
        stderr: out.write,
      },
    );
    expect(code).toBe(0);
    expect(project.calls()).toEqual([
      ['deploy', 'prod-green', '--auto-approve', '--outputs-file', 'out.json', '--var', 'x=1'],
    ]);
    project.remove();
  });

  test('fails on a stack name without a role, deploying nothing', async () => {
    const err = collector();
    expect(await deployMain(['prod'], { stderr: err.write })).toBe(2);
    expect(err.text()).toContain('"prod" is not a stack name: expected <env>-<role>');
  });

  test('fails on an environment without a values file', async () => {
    const project = deployProject({ plan: false });
    const err = collector();
    expect(await deployMain(['qa-green'], { cwd: project.root, stderr: err.write })).toBe(2);
    expect(err.text()).toMatch(/SYNTH_ENVS names "qa"|names "qa", which has no qa\.yaml/);
    project.remove();
  });

  test('fails on an unknown lock mode', async () => {
    const err = collector();
    expect(await deployMain(['prod-green', '--lock-mode', 'FOREVER'], { stderr: err.write })).toBe(2);
    expect(err.text()).toContain('--lock-mode must be GOVERNANCE, COMPLIANCE or none, got "FOREVER"');
  });
});
