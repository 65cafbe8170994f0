// `npm run release` on DigitalOcean: the readers call the DigitalOcean API (GET /v2/load_balancers, GET /v2/droplets)
// of a loopback stand-in that serves those two endpoints; the deploy port is a stand-in that sets the load balancers'
// droplet tags from the values file, as `cdktf deploy dev-cutover` would. The smoke is real (a loopback app), the
// record goes to a real S3-compatible server (s3rver).
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { AddressInfo } from 'net';
import { ExitCode } from '../../lib/cli/exit-codes';
import { loadEnvironments } from '../../lib/config';
import { digitaloceanReleaseCloud } from '../../lib/commands/release/cloud';
import { release, ReleasePorts } from '../../lib/commands/release/engine';
import { smoke } from '../../lib/commands/smoke';
import { envDir } from '../support/env-dir';
import { S3RVER_CREDENTIALS, S3Server, startS3Server } from '../support/s3-server';
import { startApp } from './release-aws-world';

const TOKEN = 'dop_v1_test-token';

interface LoadBalancer {
  id: string;
  name: string;
  status: string;
  tag: string;
  droplet_ids: number[];
}

/** A loopback stand-in of the two DigitalOcean API endpoints the release reads. */
async function startDigitalOceanApi() {
  const state = {
    droplets: [
      { id: 1, status: 'active', tags: ['shop-dev', 'shop-dev-blue'] },
      { id: 2, status: 'active', tags: ['shop-dev', 'shop-dev-green'] },
    ],
    loadBalancers: [
      { id: 'lb-live', name: 'shop-dev-live', status: 'active', tag: 'shop-dev-blue', droplet_ids: [1] },
      { id: 'lb-preview', name: 'shop-dev-preview', status: 'active', tag: 'shop-dev-green', droplet_ids: [2] },
    ] as LoadBalancer[],
    requests: [] as string[],
  };
  const server = http.createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url!, 'http://stand-in');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(401, { id: 'unauthorized', message: 'Unable to authenticate you' });
    if (req.method === 'GET' && url.pathname === '/v2/load_balancers')
      return send(200, { load_balancers: state.loadBalancers, meta: { total: state.loadBalancers.length } });
    if (req.method === 'GET' && url.pathname === '/v2/droplets') {
      const tag = url.searchParams.get('tag_name');
      const droplets = state.droplets.filter((d) => !tag || d.tags.includes(tag));
      return send(200, { droplets, meta: { total: droplets.length } });
    }
    send(404, { id: 'not_found', message: 'The resource you were accessing could not be found.' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('release on DigitalOcean (DigitalOcean API: loopback stand-in of GET /v2/load_balancers and /v2/droplets; deploy port: stand-in setting the load balancer tags)', () => {
  let api: Awaited<ReturnType<typeof startDigitalOceanApi>>;
  let app: Awaited<ReturnType<typeof startApp>>;
  let records: S3Server;
  beforeAll(async () => {
    api = await startDigitalOceanApi();
    app = await startApp(() => '1.6.0');
    records = await startS3Server(['shop-dev-records']);
  });
  afterAll(async () => {
    await api?.close();
    await app?.close();
    await records?.close();
  });

  function project(extra = '', liveUrl = app.url) {
    // Every test starts from blue live, green on the preview load balancer (what the shipped dev.yaml says).
    api.state.loadBalancers[0] = {
      id: 'lb-live',
      name: 'shop-dev-live',
      status: 'active',
      tag: 'shop-dev-blue',
      droplet_ids: [1],
    };
    api.state.loadBalancers[1] = {
      id: 'lb-preview',
      name: 'shop-dev-preview',
      status: 'active',
      tag: 'shop-dev-green',
      droplet_ids: [2],
    };
    const dir = envDir();
    const file = path.join(dir, 'dev.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('version: 1.4.1', 'version: 1.6.0') + extra);
    const cwd = path.dirname(dir);
    fs.writeFileSync(
      path.join(cwd, 'outputs.json'),
      JSON.stringify({
        'dev-green': { release_version: '1.4.1' },
        'dev-cutover': { test_url: app.url, live_url: liveUrl },
      }),
    );
    const deployed: string[] = [];
    let clock = Date.now();
    const ports: Partial<ReleasePorts> = {
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
      cloud: (config, outputs) => digitaloceanReleaseCloud(config, outputs, { apiUrl: api.url, token: TOKEN }),
      async deployStack(stack) {
        deployed.push(stack);
        if (stack === 'dev-cutover') {
          const { traffic } = loadEnvironments({ dir, only: ['dev'] })[0];
          const live = traffic.green === 100 ? 'green' : 'blue';
          const idle = live === 'green' ? 'blue' : 'green';
          const ids = (color: string) =>
            api.state.droplets.filter((d) => d.tags.includes(`shop-dev-${color}`)).map((d) => d.id);
          Object.assign(api.state.loadBalancers[0], { tag: `shop-dev-${live}`, droplet_ids: ids(live) });
          Object.assign(api.state.loadBalancers[1], { tag: `shop-dev-${idle}`, droplet_ids: ids(idle) });
        }
        return { exitCode: 0, outcome: 'succeeded' };
      },
      callerIdentity: async () => ({ principal: 'ops@example.com', source: 'digitalocean:GET /v2/account (stand-in)' }),
    };
    return { cwd, deployed, ports };
  }
  const options = (p: ReturnType<typeof project>) => ({
    environment: 'dev',
    cwd: p.cwd,
    stackOutputsFile: path.join(p.cwd, 'outputs.json'),
    bucket: 'shop-dev-records',
    region: 'us-east-1',
    endpoint: records.endpoint,
    env: { ...process.env, ...S3RVER_CREDENTIALS },
    ports: p.ports,
    stdout: () => undefined,
    stderr: () => undefined,
  });

  test('moves 100% in one step once the droplets are active and the preview load balancer serves them; the live load balancer then follows green', async () => {
    const p = project();
    const result = await release(options(p));
    expect(result.reason).toMatch(/green 1\.6\.0 serves 100%/);
    expect(result.exitCode).toBe(ExitCode.OK);
    expect(p.deployed).toEqual(['dev-green', 'dev-cutover']);
    expect(api.state.loadBalancers[0].tag).toBe('shop-dev-green');
    expect(result.record!.steps).toEqual([100]);
    expect(result.record!.phases.find((x) => x.phase === 'wait')!.detail).toBe(
      '1/1 droplets tagged shop-dev-green active; preview load balancer active, follows shop-dev-green, serves 1/1',
    );
    expect(api.state.requests).toContain('GET /v2/droplets?tag_name=shop-dev-green&per_page=200');
    expect(
      records.requests.some(
        (r) =>
          r.method === 'PUT' && r.path.endsWith('/manifest.json') && r.path.includes('/deployments/dev/dev-release/'),
      ),
    ).toBe(true);
  });

  test('a live smoke gate (release.gates.smokeLive) that fails after the switch rolls back: the live load balancer follows blue again (exit 4)', async () => {
    const p = project('\nrelease:\n  gates: { smokeLive: true }\n', 'http://127.0.0.1:9'); // discard port: nothing listens
    const result = await release({ ...options(p), ports: { ...p.ports, smoke: (o) => smoke({ ...o, attempts: 1 }) } });
    expect(result.exitCode).toBe(ExitCode.ROLLED_BACK);
    expect(result.reason).toMatch(/gate live smoke: http:\/\/127\.0\.0\.1:9\/health: connection refused/);
    expect(p.deployed).toEqual(['dev-green', 'dev-cutover', 'dev-cutover']);
    expect(api.state.loadBalancers[0].tag).toBe('shop-dev-blue');
    expect(result.record!.stepRecords[0].gates).toEqual([
      expect.objectContaining({ gate: 'live smoke', passed: false }),
    ]);
  });

  test('a preview load balancer that never serves the new droplets stops before traffic (exit 5)', async () => {
    const p = project('\nrelease:\n  waitTimeoutSeconds: 30\n');
    api.state.loadBalancers[1] = { ...api.state.loadBalancers[1], status: 'new', droplet_ids: [] };
    const result = await release(options(p));
    expect(result.exitCode).toBe(ExitCode.STOPPED_BEFORE_TRAFFIC);
    expect(result.reason).toContain('preview load balancer new, follows shop-dev-green, serves 0/1');
    expect(p.deployed).toEqual(['dev-green']);
    expect(api.state.loadBalancers[0].tag).toBe('shop-dev-blue');
  });
});
