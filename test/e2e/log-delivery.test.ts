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
import { renderRsyslogConfig } from '../../lib/agents/log-forwarder';
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

describe('log delivery: rsyslogd -> OpenSearch _bulk over TLS, across a store outage and an agent restart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-logs-'));
  const file = (name: string) => path.join(dir, name);
  const asRoot = process.getuid?.() === 0;
  let collector: BulkCollector;
  let agent: ChildProcess | undefined;
  let agentLog = '';

  const appLog = file('app.log');
  const accessLog = file('access.log');
  const socket = file('log.sock');
  const conf = file('rsyslog.conf');

  async function startAgent(): Promise<void> {
    fs.rmSync(socket, { force: true });
    const child = spawn('rsyslogd', ['-n', '-i', file('rsyslogd.pid'), '-f', conf], {
      env: { PATH: process.env.PATH, LOG_STORE_HOST: 'localhost', LOG_STORE_USERNAME: AUTH.username, LOG_STORE_PASSWORD: AUTH.password },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Unprivileged: as nobody when the suite runs as root.
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    child.stdout?.on('data', (d: Buffer) => (agentLog += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (agentLog += d.toString()));
    agent = child;
    if (!(await waitFor(() => fs.existsSync(socket), 5000))) throw new Error(`rsyslogd did not start:\n${agentLog}`);
  }

  async function stopAgent(): Promise<void> {
    const child = agent;
    agent = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  function writeApp(from: number, to: number): void {
    for (let i = from; i <= to; i++) {
      fs.appendFileSync(appLog, `${JSON.stringify({ level: i % 2 ? 'info' : 'error', seq: i, msg: `app event ${i}` })}\n`);
      fs.appendFileSync(accessLog, `GET /item/${i} 200 seq=${i}\n`);
    }
  }

  function writeSystem(from: number, to: number): void {
    for (let i = from; i <= to; i++) execFileSync('logger', ['-u', socket, '-t', 'e2e-system', '-p', 'auth.warning', `system event seq=${i}`]);
  }

  /** The sequence numbers received from a source, in arrival order. */
  function seqs(source: string): number[] {
    return collector.from(source).map((r) => {
      const m = /seq[=":]+(\d+)/.exec(String(r.doc.message));
      return m ? Number(m[1]) : -1;
    });
  }
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', file('key.pem'), '-out', file('ca.pem')], { stdio: 'ignore' });
    collector = new BulkCollector({ key: fs.readFileSync(file('key.pem'), 'utf8'), cert: fs.readFileSync(file('ca.pem'), 'utf8') }, AUTH);
    await collector.start();
    fs.mkdirSync(file('work'));
    fs.writeFileSync(appLog, '');
    fs.writeFileSync(accessLog, '');
    fs.writeFileSync(
      conf,
      renderRsyslogConfig({
        app: 'shop',
        environment: 'e2e',
        color: 'blue',
        release: '2.0.1',
        appLogs: [
          { path: appLog, format: 'json' },
          { path: accessLog, format: 'text' },
        ],
        systemLogs: true,
        systemLogSource: { type: 'socket', path: socket },
        destination: { indexPrefix: 'logs-e2e', port: collector.port, caFile: file('ca.pem') },
        paths: { workDirectory: file('work'), errorFile: file('rejected.json'), localLogDirectory: dir },
        retryIntervalSeconds: 1,
      }),
    );
    if (asRoot) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
    fs.chmodSync(dir, 0o755);
    await startAgent();
  });

  afterAll(async () => {
    await stopAgent();
    await collector?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('runs unprivileged', () => {
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${agent!.pid}/status`, 'utf8'))![1]);
    expect(uid).not.toBe(0);
  });

  test('app and system lines arrive as structured, tagged documents', async () => {
    writeApp(1, 5);
    writeSystem(1, 5);
    const arrived = await waitFor(() => collector.from('app').length >= 5 && collector.from('access').length >= 5 && collector.from('e2e-system').length >= 5, 8000);
    if (!arrived) throw new Error(`lines did not arrive; rsyslogd said:\n${agentLog}`);
    expect(collector.unauthorized).toBe(0);

    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
    const app = collector.from('app')[1];
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

    const access = collector.from('access')[0];
    expect(access.doc).toMatchObject({ log_type: 'app', source: 'access', file: accessLog, message: 'GET /item/1 200 seq=1', color: 'blue' });
    expect(access.doc.fields).toBeUndefined();

    const system = collector.from('e2e-system')[0];
    expect(system.doc).toMatchObject({ log_type: 'system', severity: 'warning', facility: 'auth', message: 'system event seq=1', environment: 'e2e', release: '2.0.1' });
  });

  test('nothing is lost or duplicated across a collector outage; order holds per source', async () => {
    await collector.stop();
    writeApp(6, 10);
    writeSystem(6, 10);
    // The agent tries, fails, suspends the action and keeps the lines in its on-disk queue.
    const suspended = await waitFor(() => /suspending/.test(agentLog), 5000);
    expect(suspended).toBe(true);
    const spooled = fs.readdirSync(file('work')).filter((f) => f.startsWith('fwd-log-store'));
    expect(spooled.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(collector.from('app').length).toBe(5); // still down: nothing new can have arrived
    await collector.start();

    const done = await waitFor(() => collector.from('app').length >= 10 && collector.from('access').length >= 10 && collector.from('e2e-system').length >= 10, 10_000);
    if (!done) throw new Error(`not everything arrived (app ${seqs('app')}, access ${seqs('access')}, system ${seqs('e2e-system')}); rsyslogd said:\n${agentLog}`);
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here
    expect(seqs('app')).toEqual(range(1, 10));
    expect(seqs('access')).toEqual(range(1, 10));
    expect(seqs('e2e-system')).toEqual(range(1, 10));
  });

  test('lines written while the agent is stopped are shipped after it starts, exactly once', async () => {
    await stopAgent();
    writeApp(11, 15); // picked up from the file position the agent saved
    await startAgent();
    writeSystem(11, 15);
    const done = await waitFor(() => collector.from('app').length >= 15 && collector.from('access').length >= 15 && collector.from('e2e-system').length >= 15, 8000);
    if (!done) throw new Error(`not everything arrived (app ${seqs('app')}, access ${seqs('access')}, system ${seqs('e2e-system')}); rsyslogd said:\n${agentLog}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(seqs('app')).toEqual(range(1, 15));
    expect(seqs('access')).toEqual(range(1, 15));
    expect(seqs('e2e-system')).toEqual(range(1, 15));
    const ids = collector.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(fs.existsSync(file('rejected.json'))).toBe(false);
  });
});
