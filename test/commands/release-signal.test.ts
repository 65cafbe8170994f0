// A real SIGINT to a real `npm run release` process (bin/release.ts in a child process): the release's own deploy
// command runs a stand-in `cdktf` (CDKTF_BIN, a script that announces the cutover deploy and then waits, as Terraform
// would while applying), forwards the signal to it, and the release records the interruption. DigitalOcean is the
// loopback stand-in of the API endpoints the release and the deploy read; the records go to s3rver.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { AddressInfo } from 'net';
import { loadEnvironments } from '../../lib/config';
import { lastReleaseRecord } from '../../lib/commands/release/record';
import { envDir, REPO } from '../support/env-dir';
import { S3RVER_CREDENTIALS, S3Server, startS3Server } from '../support/s3-server';
import { startApp } from './release-aws-world';

const TOKEN = 'dop_v1_signal-test';

/** The stand-in `cdktf`: `deploy dev-green` applies at once; `deploy dev-cutover` announces itself, then waits for a signal. */
const CDKTF_STAND_IN = `#!/usr/bin/env node
const fs = require('fs');
const [cmd, stack] = process.argv.slice(2);
const dir = process.env.STAND_IN_DIR;
if (cmd !== 'deploy') { console.error('stand-in cdktf: only deploy'); process.exit(2); }
console.log('Planning...');
if (stack === 'dev-green') { console.log('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.'); process.exit(0); }
process.on('SIGINT', () => {
  fs.writeFileSync(dir + '/cdktf-got-SIGINT', '');
  console.log('Interrupt received. Gracefully shutting down...');
  setTimeout(() => process.exit(1), 200);
});
console.log('Applying...');
fs.writeFileSync(dir + '/cdktf-applying', '');
setTimeout(() => process.exit(0), 60000);
`;

describe('release interrupted by a real SIGINT (child process; cdktf: stand-in script via CDKTF_BIN; DigitalOcean API: loopback stand-in)', () => {
  let api: http.Server;
  let apiUrl: string;
  let app: Awaited<ReturnType<typeof startApp>>;
  let records: S3Server;
  const lbs = [
    { id: 'lb-live', name: 'shop-dev-live', status: 'active', tag: 'shop-dev-blue', droplet_ids: [1] },
    { id: 'lb-preview', name: 'shop-dev-preview', status: 'active', tag: 'shop-dev-green', droplet_ids: [2] },
  ];
  beforeAll(async () => {
    api = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const body =
        url.pathname === '/v2/load_balancers'
          ? { load_balancers: lbs }
          : url.pathname === '/v2/droplets'
            ? { droplets: [{ id: url.searchParams.get('tag_name') === 'shop-dev-green' ? 2 : 1, status: 'active' }] }
            : url.pathname === '/v2/account'
              ? { account: { email: 'ops@example.com', uuid: 'u-1' } }
              : undefined;
      res.writeHead(body && req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 404, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify(body ?? { id: 'not_found' }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    app = await startApp(() => '1.6.0');
    records = await startS3Server(['shop-dev-records']);
  });
  afterAll(async () => {
    await new Promise((r) => api?.close(r));
    await app?.close();
    await records?.close();
  });

  test('exit 130; cdktf got the SIGINT; the values are set back to what the load balancer serves; the release record says interrupted at step 1', async () => {
    const dir = envDir();
    const file = path.join(dir, 'dev.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('version: 1.4.1', 'version: 1.6.0') +
        '\nrelease:\n  pauseSeconds: 0\n  bakeSeconds: 0\n',
    );
    const cwd = path.dirname(dir);
    fs.writeFileSync(
      path.join(cwd, 'outputs.json'),
      JSON.stringify({ 'dev-green': { release_version: '1.4.1' }, 'dev-cutover': { test_url: app.url } }),
    );
    const cdktf = path.join(cwd, 'cdktf-stand-in.js');
    fs.writeFileSync(cdktf, CDKTF_STAND_IN, { mode: 0o755 });

    const child = spawn(
      process.execPath,
      [
        '--require',
        path.join(REPO, 'bin', 'register.js'),
        path.join(REPO, 'bin', 'release.ts'),
        'dev',
        '--outputs',
        'outputs.json',
        '--bucket',
        'shop-dev-records',
        '--endpoint',
        records.endpoint,
        '--region',
        'us-east-1',
      ],
      {
        cwd,
        env: {
          ...process.env,
          ...S3RVER_CREDENTIALS,
          CDKTF_BIN: cdktf,
          STAND_IN_DIR: cwd,
          DIGITALOCEAN_TOKEN: TOKEN,
          DIGITALOCEAN_API_URL: apiUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 40_000;
    while (!fs.existsSync(path.join(cwd, 'cdktf-applying'))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the cutover deploy never started:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await exited;

    expect({ code, output }).toMatchObject({ code: 130 });
    expect(fs.existsSync(path.join(cwd, 'cdktf-got-SIGINT'))).toBe(true);
    expect(output).toContain('forwarded to cdktf');
    // The load balancer still follows blue (the stand-in applied nothing), so the values say blue again.
    expect(loadEnvironments({ dir, only: ['dev'] })[0].traffic).toMatchObject({ blue: 100, green: 0 });
    const last = lastReleaseRecord(cwd, 'dev')!;
    expect(last.record).toMatchObject({
      outcome: 'interrupted',
      interruptedAtStep: 1,
      signal: 'SIGINT',
      finalWeights: { blue: 100, green: 0 },
    });
    expect(last.record.deployRecords.map((d) => [d.stack, d.exitCode])).toEqual([
      ['dev-green', 0],
      ['dev-cutover', 130],
    ]);
    const cutoverRecord = JSON.parse(
      fs.readFileSync(path.join(cwd, last.record.deployRecords[1].recordDir!, 'manifest.json'), 'utf8'),
    );
    expect(cutoverRecord).toMatchObject({ stack: 'dev-cutover', outcome: 'interrupted', signal: 'SIGINT' });
  }, 60_000);
});
