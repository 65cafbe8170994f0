/**
 * Delivery end to end: the real rsyslogd, run unprivileged with the rendered forwarder configuration (paths
 * pointed into a temporary directory), ships application and system lines over HTTPS with basic auth to a
 * loopback collector that speaks the OpenSearch `_bulk` API. Then the collector goes away, more lines are
 * written (they wait in the agent's on-disk queue), the collector comes back, and every line must arrive
 * exactly once and in order per source; then the agent is restarted with lines written while it was down.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderRsyslogConfig, renderShipperScript } from '../../lib/agents/log-forwarder';
import { BulkCollector } from '../support/bulk-collector';

jest.setTimeout(25_000);

const AUTH = { username: 'log-forwarder', password: `e2e-${process.pid}-Pw!x` };
const NOBODY = 65534;

/** Polls `check` every 100 ms until it holds or `ms` pass; returns whether it held. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** One unprivileged rsyslogd with the rendered forwarder config, two app logs and a syslog socket, in a temp dir. */
function forwarderLab(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = (name: string) => path.join(dir, name);
  const asRoot = process.getuid?.() === 0;
  const lab = {
    dir,
    file,
    collector: undefined as unknown as BulkCollector,
    agent: undefined as ChildProcess | undefined,
    agentLog: '',
    appLog: file('app.log'),
    accessLog: file('access.log'),
    socket: file('log.sock'),
    conf: file('rsyslog.conf'),
    errorFile: file('rejected.json'),
    statsFile: file('stats.json'),
    shipperLog: file('log-forwarder.log'),
    asRoot,

    async setUp(): Promise<void> {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost',
          '-keyout',
          file('key.pem'),
          '-out',
          file('ca.pem'),
        ],
        { stdio: 'ignore' },
      );
      lab.collector = new BulkCollector(
        { key: fs.readFileSync(file('key.pem'), 'utf8'), cert: fs.readFileSync(file('ca.pem'), 'utf8') },
        AUTH,
      );
      await lab.collector.start();
      fs.mkdirSync(file('work'));
      fs.writeFileSync(lab.appLog, '');
      fs.writeFileSync(lab.accessLog, '');
      fs.writeFileSync(file('ship.py'), renderShipperScript());
      fs.writeFileSync(
        lab.conf,
        renderRsyslogConfig({
          app: 'shop',
          environment: 'e2e',
          color: 'blue',
          release: '2.0.1',
          appLogs: [
            { path: lab.appLog, format: 'json' },
            { path: lab.accessLog, format: 'text' },
          ],
          systemLogs: true,
          systemLogSource: { type: 'socket', path: lab.socket },
          destination: { indexPrefix: 'logs-e2e', port: lab.collector.port, caFile: file('ca.pem') },
          paths: {
            workDirectory: file('work'),
            errorFile: lab.errorFile,
            statsFile: lab.statsFile,
            shipper: file('ship.py'),
            localLogDirectory: dir,
          },
          retryMaxIntervalSeconds: 2,
        }),
      );
      if (asRoot) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
      fs.chmodSync(dir, 0o755);
      await lab.startAgent();
    },

    async tearDown(): Promise<void> {
      await lab.stopAgent();
      await lab.collector?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },

    async startAgent(): Promise<void> {
      fs.rmSync(lab.socket, { force: true });
      const child = spawn('rsyslogd', ['-n', '-i', file('rsyslogd.pid'), '-f', lab.conf], {
        env: {
          PATH: process.env.PATH,
          LOG_STORE_HOST: 'localhost',
          LOG_STORE_USERNAME: AUTH.username,
          LOG_STORE_PASSWORD: AUTH.password,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Unprivileged: as nobody when the suite runs as root.
        ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      });
      child.stdout?.on('data', (d: Buffer) => (lab.agentLog += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (lab.agentLog += d.toString()));
      lab.agent = child;
      if (!(await waitFor(() => fs.existsSync(lab.socket), 5000)))
        throw new Error(`rsyslogd did not start:\n${lab.agentLog}`);
    },

    async stopAgent(): Promise<void> {
      const child = lab.agent;
      lab.agent = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },

    writeApp(from: number, to: number, extra: (i: number) => Record<string, unknown> = () => ({})): void {
      for (let i = from; i <= to; i++) {
        fs.appendFileSync(
          lab.appLog,
          `${JSON.stringify({ level: i % 2 ? 'info' : 'error', seq: i, msg: `app event ${i}`, ...extra(i) })}\n`,
        );
        fs.appendFileSync(lab.accessLog, `GET /item/${i} 200 seq=${i}\n`);
      }
    },

    writeSystem(from: number, to: number): void {
      for (let i = from; i <= to; i++)
        execFileSync('logger', ['-u', lab.socket, '-t', 'e2e-system', '-p', 'auth.warning', `system event seq=${i}`]);
    },

    /** The sequence numbers received from a source, in arrival order. */
    seqs(source: string): number[] {
      return lab.collector.from(source).map((r) => {
        const m = /seq[=":]+(\d+)/.exec(String(r.doc.message));
        return m ? Number(m[1]) : -1;
      });
    },
  };
  return lab;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('log delivery: rsyslogd -> OpenSearch _bulk over TLS, across a store outage and an agent restart', () => {
  const lab = forwarderLab('bg-logs-');
  const { file, appLog, accessLog } = lab;
  const seqs = (source: string) => lab.seqs(source);
  const writeApp = (from: number, to: number) => lab.writeApp(from, to);
  const writeSystem = (from: number, to: number) => lab.writeSystem(from, to);

  beforeAll(() => lab.setUp());
  afterAll(() => lab.tearDown());

  test('runs unprivileged', () => {
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${lab.agent!.pid}/status`, 'utf8'))![1]);
    expect(uid).not.toBe(0);
  });

  test('app and system lines arrive as structured, tagged documents', async () => {
    writeApp(1, 5);
    writeSystem(1, 5);
    const arrived = await waitFor(
      () =>
        lab.collector.from('app').length >= 5 &&
        lab.collector.from('access').length >= 5 &&
        lab.collector.from('e2e-system').length >= 5,
      8000,
    );
    if (!arrived) throw new Error(`lines did not arrive; rsyslogd said:\n${lab.agentLog}`);
    expect(lab.collector.unauthorized).toBe(0);

    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
    const app = lab.collector.from('app')[1];
    expect(app.op).toBe('create');
    expect(app.id).toMatch(/^[0-9A-F]{32}$/);
    expect(app.index).toMatch(new RegExp(`^logs-e2e-(${today}|\\d{4}\\.\\d{2}\\.\\d{2})$`));
    expect(app.doc).toMatchObject({
      app: 'shop',
      environment: 'e2e',
      color: 'blue',
      release: '2.0.1',
      host: os.hostname(),
      log_type: 'app',
      source: 'app',
      file: appLog,
      fields: { level: 'error', seq: 2, msg: 'app event 2' },
    });
    expect(Date.parse(String(app.doc['@timestamp']))).toBeGreaterThan(Date.now() - 60_000);

    const access = lab.collector.from('access')[0];
    expect(access.doc).toMatchObject({
      log_type: 'app',
      source: 'access',
      file: accessLog,
      message: 'GET /item/1 200 seq=1',
      color: 'blue',
    });
    expect(access.doc.fields).toBeUndefined();

    const system = lab.collector.from('e2e-system')[0];
    expect(system.doc).toMatchObject({
      log_type: 'system',
      severity: 'warning',
      facility: 'auth',
      message: 'system event seq=1',
      environment: 'e2e',
      release: '2.0.1',
    });
  });

  test('nothing is lost or duplicated across a collector outage; order holds per source', async () => {
    await lab.collector.stop();
    writeApp(6, 10);
    writeSystem(6, 10);
    // The shipper tries, fails, backs off and retries; the lines wait in the agent's on-disk queue.
    const retrying = await waitFor(
      () =>
        fs.existsSync(lab.shipperLog) && /store unreachable .*retrying/.test(fs.readFileSync(lab.shipperLog, 'utf8')),
      5000,
    );
    expect(retrying).toBe(true);
    const spooled = fs.readdirSync(file('work')).filter((f) => f.startsWith('fwd-log-store'));
    expect(spooled.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(lab.collector.from('app').length).toBe(5); // still down: nothing new can have arrived
    await lab.collector.start();

    const done = await waitFor(
      () =>
        lab.collector.from('app').length >= 10 &&
        lab.collector.from('access').length >= 10 &&
        lab.collector.from('e2e-system').length >= 10,
      10_000,
    );
    if (!done)
      throw new Error(
        `not everything arrived (app ${seqs('app')}, access ${seqs('access')}, system ${seqs('e2e-system')}); rsyslogd said:\n${lab.agentLog}`,
      );
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here
    expect(seqs('app')).toEqual(range(1, 10));
    expect(seqs('access')).toEqual(range(1, 10));
    expect(seqs('e2e-system')).toEqual(range(1, 10));
  });

  test('lines written while the agent is stopped are shipped after it starts, exactly once', async () => {
    await lab.stopAgent();
    writeApp(11, 15); // picked up from the file position the agent saved
    await lab.startAgent();
    writeSystem(11, 15);
    const done = await waitFor(
      () =>
        lab.collector.from('app').length >= 15 &&
        lab.collector.from('access').length >= 15 &&
        lab.collector.from('e2e-system').length >= 15,
      8000,
    );
    if (!done)
      throw new Error(
        `not everything arrived (app ${seqs('app')}, access ${seqs('access')}, system ${seqs('e2e-system')}); rsyslogd said:\n${lab.agentLog}`,
      );
    await new Promise((r) => setTimeout(r, 300));
    expect(seqs('app')).toEqual(range(1, 15));
    expect(seqs('access')).toEqual(range(1, 15));
    expect(seqs('e2e-system')).toEqual(range(1, 15));
    const ids = lab.collector.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(fs.existsSync(file('rejected.json'))).toBe(false);
  });
});

describe('log delivery under push-back: rsyslogd against a store that refuses, then accepts (loopback _bulk collector)', () => {
  const lab = forwarderLab('bg-logs-pushback-');
  let next = 1;

  beforeAll(() => lab.setUp());
  afterAll(() => lab.tearDown());

  /** Writes five lines to each source, waits until the store indexed them all, and checks exactly once, in order. */
  async function deliverFive(): Promise<void> {
    const from = next;
    const to = next + 4;
    next += 5;
    lab.writeApp(from, to);
    lab.writeSystem(from, to);
    const sources = ['app', 'access', 'e2e-system'];
    const done = await waitFor(() => sources.every((s) => lab.collector.from(s).length >= to), 8000);
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here
    const got = Object.fromEntries(sources.map((s) => [s, lab.seqs(s)]));
    if (!done)
      throw new Error(
        `not everything arrived: ${JSON.stringify(got)}; refused ${lab.collector.refused.length}; rsyslogd said:\n${lab.agentLog}`,
      );
    for (const s of sources) expect(got[s]).toEqual(range(1, to));
  }

  test.each([
    ['HTTP 429 (es_rejected_execution_exception)', 'http-429'],
    ['HTTP 503 (cluster not ready)', 'http-503'],
    ['a per-item 403 (index read-only block, cluster_block_exception)', 'item-403'],
    ['a per-item 429 (write queue full)', 'item-429'],
  ] as const)('loses nothing and duplicates nothing when the store answers %s twice', async (_name, kind) => {
    const refusedBefore = lab.collector.refused.length;
    lab.collector.pushBack(kind, kind);
    await deliverFive();
    expect(lab.collector.pushBackLeft).toBe(0);
    expect(lab.collector.refused.length).toBeGreaterThan(refusedBefore); // the push-back really hit lines
    expect(fs.existsSync(lab.errorFile)).toBe(false);
  });

  test('an invalid document (per-item 400 mapping error) lands in the error file, and nothing else does', async () => {
    const poison = next + 2;
    lab.collector.invalidWhen((doc) => (doc.fields as { seq?: unknown } | undefined)?.seq === poison);
    const from = next;
    next += 5;
    lab.writeApp(from, from + 4);
    const done = await waitFor(
      () =>
        lab.collector.from('access').length >= from + 4 &&
        lab.collector.from('app').length >= from + 3 &&
        fs.existsSync(lab.errorFile),
      8000,
    );
    if (!done) throw new Error(`not everything arrived; rsyslogd said:\n${lab.agentLog}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(lab.seqs('app')).toEqual(range(1, from + 4).filter((i) => i !== poison));
    expect(lab.seqs('access')).toEqual(range(1, from + 4));
    const rejected = fs.readFileSync(lab.errorFile, 'utf8').trim().split('\n');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain(`app event ${poison}`);
    expect(rejected[0]).toContain('mapper_parsing_exception');
    // ... and is counted in the forwarder's metric.
    expect(JSON.parse(fs.readFileSync(lab.statsFile, 'utf8'))).toMatchObject({ invalid_documents_total: 1 });
  });
});
