import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import { BulkCollector } from '../support/bulk-collector';
import {
  DEFAULT_FORWARDER_PATHS,
  forwarderConfigFromValues,
  LogForwarderConfig,
  renderRsyslogConfig,
  renderShipperScript,
} from '../../lib/agents/log-forwarder';
import { loadEnvironments } from '../../lib/config';
import { envDir } from '../support/env-dir';
import { rsyslogCheck, tempFile } from '../support/agent-checks';

const BASE: LogForwarderConfig = {
  app: 'shop',
  environment: 'prod',
  color: 'green',
  release: '1.5.0',
  appLogs: [
    { path: '/var/log/shop/app.log', format: 'json' },
    { path: '/var/log/shop/access.log', format: 'text', tag: 'http' },
  ],
  systemLogs: true,
  destination: { indexPrefix: 'logs-shop' },
  bufferDiskMiB: 4096,
};

/** The text of one rsyslog ruleset block, by name. */
function ruleset(config: string, name: string): string {
  const start = config.indexOf(`ruleset(name="${name}") {`);
  expect(start).toBeGreaterThanOrEqual(0);
  return config.slice(start, config.indexOf('\n}\n', start) + 2);
}

describe('renderRsyslogConfig: the production shape', () => {
  const config = renderRsyslogConfig(BASE);

  test('tails each app log with its own ruleset; JSON lines are parsed into fields, text lines are not', () => {
    expect(config).toContain(
      'input(type="imfile" file="/var/log/shop/app.log" tag="app:" ruleset="fwd-app-app" addMetadata="on"',
    );
    expect(config).toContain(
      'input(type="imfile" file="/var/log/shop/access.log" tag="http:" ruleset="fwd-app-http" addMetadata="on"',
    );
    expect(ruleset(config, 'fwd-app-app')).toContain('action(type="mmjsonparse" cookie="" container="$!fields")');
    expect(ruleset(config, 'fwd-app-app')).toContain('set $!doc!fields = $!fields;');
    expect(ruleset(config, 'fwd-app-http')).not.toContain('mmjsonparse');
    expect(ruleset(config, 'fwd-app-http')).toContain('set $!doc!source = "http";');
  });

  test('reads system logs from the journal and keeps a local copy', () => {
    expect(config).toContain('module(load="imjournal" stateFile="imjournal.state"');
    expect(config).not.toContain('imuxsock');
    const system = ruleset(config, 'fwd-system');
    expect(system).toContain('action(type="omfile" file="/var/log/syslog")');
    expect(system).toContain('call fwd-ship');
  });

  test('tags every document with app, environment, color, release and host', () => {
    const ship = ruleset(config, 'fwd-ship');
    expect(ship).toContain('set $!doc!app = "shop";');
    expect(ship).toContain('set $!doc!environment = "prod";');
    expect(ship).toContain('set $!doc!color = "green";');
    expect(ship).toContain('set $!doc!release = "1.5.0";');
    expect(ship).toContain('set $!doc!host = $hostname;');
    expect(ship).toContain('set $!doc!@timestamp = exec_template("fwd-timestamp");');
  });

  test('ships through the shipper (omprog, confirmed transactions); host and credentials come from the environment', () => {
    expect(config).toContain(
      `binary="/usr/bin/python3 ${DEFAULT_FORWARDER_PATHS.shipper} 443 - ${DEFAULT_FORWARDER_PATHS.errorFile} ${DEFAULT_FORWARDER_PATHS.statsFile} 60 -"`,
    );
    expect(config).toContain('confirmMessages="on" useTransactions="on"');
    expect(config).not.toMatch(/LOG_STORE_PASSWORD|omelasticsearch/);
    const shipper = renderShipperScript();
    expect(shipper).toContain('os.environ.get("LOG_STORE_PASSWORD"');
    expect(shipper).toContain('ssl.create_default_context(cafile=CA_FILE)'); // verified TLS, system trust store by default
    expect(shipper).not.toMatch(/CERT_NONE|check_hostname\s*=\s*False/);
  });

  test('uses _bulk with create and a per-event id, into daily indices', () => {
    expect(renderShipperScript()).toContain('json.dumps({"create": {"_index": e["index"], "_id": e["id"]}})');
    expect(config).toContain(
      'template(name="fwd-event" type="string" string="{\\"index\\":\\"%$.index%\\",\\"id\\":\\"%uuid%\\",\\"doc\\":%$!doc%}\\n")',
    );
    expect(config).toMatch(
      /template\(name="fwd-index" type="string" string="logs-shop-%timereported:::date-year,date-utc%\.%timereported:::date-month,date-utc%\.%timereported:::date-day,date-utc%"\)/,
    );
  });

  test('with a data stream, every event goes to the stream (no dated index names)', () => {
    const stream = renderRsyslogConfig({ ...BASE, destination: { indexPrefix: 'logs-shop', dataStream: 'logs-shop' } });
    expect(stream).toContain('template(name="fwd-index" type="string" string="logs-shop")');
    expect(stream).not.toContain('date-year');
    expect(() =>
      renderRsyslogConfig({ ...BASE, destination: { indexPrefix: 'logs-shop', dataStream: 'Logs*' } }),
    ).toThrow(/dataStream "Logs\*" must be lowercase/);
  });

  test('buffers on disk, retries forever and saves the queue on shutdown', () => {
    expect(config).toContain('queue.type="Disk" queue.filename="fwd-log-store"');
    expect(config).toContain('queue.maxDiskSpace="4096m" queue.saveOnShutdown="on"');
    expect(config).toContain('action.resumeRetryCount="-1" action.resumeInterval="10"');
    expect(config).toContain('confirmTimeout="86400000"'); // the shipper may back off for long: rsyslog waits
    expect(config).toContain(`global(workDirectory="${DEFAULT_FORWARDER_PATHS.workDirectory}"`);
  });

  test('is a pure function of its input', () => {
    expect(renderRsyslogConfig(BASE)).toBe(config);
    expect(renderRsyslogConfig({ ...BASE, color: 'blue' })).not.toBe(config);
  });
});

describe('renderRsyslogConfig: variants', () => {
  test('system logs off: still a local copy, nothing shipped from the system ruleset', () => {
    const system = ruleset(renderRsyslogConfig({ ...BASE, systemLogs: false }), 'fwd-system');
    expect(system).toContain('action(type="omfile"');
    expect(system).not.toContain('call fwd-ship');
  });

  test('a socket source, a literal host, a CA file and test paths', () => {
    const config = renderRsyslogConfig({
      ...BASE,
      destination: { indexPrefix: 'logs', host: 'logs.example.internal', port: 9200, caFile: '/tmp/ca.pem' },
      systemLogSource: { type: 'socket', path: '/tmp/x/log.sock' },
      paths: { workDirectory: '/tmp/x/work' },
    });
    expect(config).toContain('input(type="imuxsock" socket="/tmp/x/log.sock" ruleset="fwd-system"');
    expect(config).not.toContain('imjournal');
    expect(config).toContain(
      ' 9200 /tmp/ca.pem /var/log/log-forwarder-rejected.json /var/log/log-forwarder-stats.json 60 logs.example.internal"',
    );
    expect(config).toContain('global(workDirectory="/tmp/x/work"');
  });

  test('fails on a relative app log path', () => {
    expect(() => renderRsyslogConfig({ ...BASE, appLogs: [{ path: 'app.log', format: 'text' }] })).toThrow(
      /log forwarder: app log "app.log" is a relative path/,
    );
  });

  test('fails on a duplicate app log path', () => {
    const log = { path: '/var/log/a.log', format: 'text' } as const;
    expect(() => renderRsyslogConfig({ ...BASE, appLogs: [log, { ...log, tag: 'b' }] })).toThrow(
      /"\/var\/log\/a.log" is listed twice/,
    );
  });

  test('fails on values that would break out of a config string', () => {
    expect(() => renderRsyslogConfig({ ...BASE, release: '1.0"; x' })).toThrow(/release "1.0"; x" must be a version/);
    expect(() => renderRsyslogConfig({ ...BASE, destination: { indexPrefix: 'logs', host: 'https://x:1' } })).toThrow(
      /plain DNS name/,
    );
    expect(() => renderRsyslogConfig({ ...BASE, bufferDiskMiB: 1 })).toThrow(
      /bufferDiskMiB 1 must be a whole number of at least 16/,
    );
  });
});

describe('renderRsyslogConfig: rsyslogd -N1 accepts every variant', () => {
  const ca = tempFile('ca.pem', '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  const variants: Array<[string, LogForwarderConfig]> = [
    ['production shape (journal)', BASE],
    ['system logs off', { ...BASE, systemLogs: false }],
    ['no app logs', { ...BASE, appLogs: [] }],
    ['text logs only', { ...BASE, appLogs: [{ path: '/var/log/shop/*.log', format: 'text' }] }],
    [
      'socket source, literal host, CA file',
      {
        ...BASE,
        destination: { indexPrefix: 'logs', host: '127.0.0.1', port: 9200, caFile: ca },
        systemLogSource: { type: 'socket', path: '/tmp/bg-log.sock' },
      },
    ],
    ['append-only data stream', { ...BASE, destination: { indexPrefix: 'logs-shop', dataStream: 'logs-shop' } }],
  ];

  test.each(variants)('%s', async (_name, input) => {
    const result = await rsyslogCheck(renderRsyslogConfig(input));
    expect(result.output).toContain('End of config validation run');
    expect(result.ok).toBe(true);
  });

  test('fails on a broken config (the check is real)', async () => {
    const broken = renderRsyslogConfig(BASE).replace('queue.saveOnShutdown="on"', 'queue.saveOnShutdowm="on"');
    const result = await rsyslogCheck(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/queue\.saveOnShutdowm' not known/);
  });
});

describe('forwarderConfigFromValues', () => {
  const prod = loadEnvironments({ dir: envDir(), only: ['prod'] })[0];

  test("takes app, environment, the color's release, files, buffer and index prefix from the values", () => {
    expect(forwarderConfigFromValues(prod, 'blue')).toEqual({
      app: 'shop',
      environment: 'prod',
      color: 'blue',
      release: prod.colors.blue.release.version,
      appLogs: [
        { path: '/var/log/shop/app.log', format: 'json', tag: undefined },
        { path: '/var/log/shop/access.log', format: 'text', tag: undefined },
      ],
      systemLogs: true,
      destination: { indexPrefix: 'logs-shop', dataStream: 'logs-shop' },
      bufferDiskMiB: 4096,
    });
    expect(forwarderConfigFromValues(prod, 'green').release).toBe(prod.colors.green.release.version);
  });
});

describe('the shipper against a loopback _bulk server (real python3 shipper, test HTTPS collector)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-shipper-'));
  const file = (name: string) => path.join(dir, name);
  const auth = { username: 'log-forwarder', password: 'test-password-1' };
  let collector: BulkCollector;

  beforeAll(async () => {
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
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
    expect(made.status).toBe(0);
    fs.writeFileSync(file('ship.py'), renderShipperScript());
    collector = new BulkCollector(
      { key: fs.readFileSync(file('key.pem'), 'utf8'), cert: fs.readFileSync(file('ca.pem'), 'utf8') },
      auth,
    );
    await collector.start();
  });
  afterAll(async () => {
    await collector?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the shipper as omprog would: one transaction per batch of event lines; resolves with its exit. */
  function ship(batches: Array<Array<Record<string, unknown>>>): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        'python3',
        [
          file('ship.py'),
          String(collector.port),
          file('ca.pem'),
          file('rejected.json'),
          file('stats.json'),
          '2',
          'localhost',
        ],
        {
          env: { ...process.env, LOG_STORE_USERNAME: auth.username, LOG_STORE_PASSWORD: auth.password },
        },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
      const lines = batches.flatMap((b) => [
        'BEGIN TRANSACTION',
        ...b.map((e) => JSON.stringify(e)),
        'COMMIT TRANSACTION',
      ]);
      child.stdin.end(lines.join('\n') + '\n');
    });
  }

  test('every document goes out as a bulk create with its event id into the data stream; a batch sent again stores nothing twice', async () => {
    const event = (n: number) => ({
      index: 'logs-shop',
      id: randomUUID(),
      doc: { '@timestamp': '2026-11-29T12:00:00Z', message: `line ${n}`, source: 'app' },
    });
    const first = [event(1), event(2), event(3)];
    const result = await ship([first, [event(4)], first]); // the first batch again, as after a lost confirmation
    expect(result.code).toBe(0);
    expect(collector.received.map((r) => r.op)).toEqual([
      'create',
      'create',
      'create',
      'create',
      'create',
      'create',
      'create',
    ]);
    expect(new Set(collector.received.map((r) => r.index))).toEqual(new Set(['logs-shop']));
    const ids = collector.received.slice(0, 4).map((r) => r.id);
    expect(new Set(ids).size).toBe(4);
    expect(collector.received.slice(4).map((r) => r.id)).toEqual(first.map((e) => e.id)); // the re-send: refused as 409 duplicates
    const stats = JSON.parse(fs.readFileSync(file('stats.json'), 'utf8')) as Record<string, number>;
    expect(stats).toMatchObject({ documents_total: 7, invalid_documents_total: 0 });
    expect(fs.existsSync(file('rejected.json'))).toBe(false);
  });

  test('the rendered config gives each event its own id (rsyslog %uuid%), and the shipper never sends index, update or delete', () => {
    expect(
      renderRsyslogConfig({ ...BASE, destination: { indexPrefix: 'logs-shop', dataStream: 'logs-shop' } }),
    ).toContain('\\"id\\":\\"%uuid%\\"');
    const shipper = renderShipperScript();
    expect(shipper).toContain('json.dumps({"create": {"_index": e["index"], "_id": e["id"]}})');
    expect(shipper).not.toMatch(/"(index|update|delete)":\s*\{/);
  });
});
