import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { renderLogStoreBootstrap } from '../../lib/agents/log-store-bootstrap';
import { LOG_OUTPUTS } from '../../stacks/contract';
import { applyLogStoreBootstrap, logStoreBootstrapMain } from '../../lib/commands/log-store-bootstrap';

const HOST = 'vpc-shop-test-logs.eu-west-1.es.amazonaws.com';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-bootstrap-'));
const file = (n: string) => path.join(dir, n);
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
    `/CN=${HOST}`,
    '-addext',
    `subjectAltName=DNS:${HOST}`,
    '-keyout',
    file('key.pem'),
    '-out',
    file('ca.pem'),
  ],
  { stdio: 'ignore' },
);

interface Seen {
  method: string;
  path: string;
  host: string;
  auth: string;
  xsrf?: string;
  body: Record<string, unknown>;
}

/** A loopback HTTPS server standing in for the store's REST API; `refuse` makes one path answer 403. */
async function store(refuse?: string): Promise<{ seen: Seen[]; port: number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = https.createServer(
    { key: fs.readFileSync(file('key.pem')), cert: fs.readFileSync(file('ca.pem')) },
    (req, res) => {
      let text = '';
      req.setEncoding('utf8').on('data', (c: string) => (text += c));
      req.on('end', () => {
        seen.push({
          method: req.method!,
          path: req.url!,
          host: req.headers.host!,
          auth: req.headers.authorization!,
          xsrf: req.headers['osd-xsrf'] as string | undefined,
          body: JSON.parse(text) as Record<string, unknown>,
        });
        res.statusCode = req.url === refuse ? 403 : 200;
        res.end(
          req.url === refuse
            ? '{"error":"no permissions for [cluster:admin/opendistro/ism/policy/write]"}'
            : '{"acknowledged":true}',
        );
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    seen,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const requests = renderLogStoreBootstrap({ indexPrefix: 'logs-shop', retentionDays: 30, dashboardsIndexPattern: true });
const outputsFile = file('outputs.json');
fs.writeFileSync(
  outputsFile,
  JSON.stringify({
    'test-shared': { [LOG_OUTPUTS.endpoint]: HOST, [LOG_OUTPUTS.bootstrap]: JSON.stringify(requests) },
  }),
);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('applyLogStoreBootstrap against a loopback HTTPS store', () => {
  test('sends every request in order, as admin, with the real host name, the forwarder password substituted', async () => {
    const s = await store();
    try {
      const lines: string[] = [];
      const statuses = await applyLogStoreBootstrap({
        host: HOST,
        connect: `127.0.0.1:${s.port}`,
        caFile: file('ca.pem'),
        requests,
        admin: { username: 'admin', password: 'Adm1n!pw' },
        forwarderPassword: 'Fwd#pw9',
        log: (l) => lines.push(l),
      });
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expect(s.seen.map((x) => `${x.method} ${x.path}`)).toEqual(requests.map((r) => `${r.method} ${r.path}`));
      expect(s.seen[5]).toMatchObject({
        method: 'POST',
        path: '/_dashboards/api/saved_objects/index-pattern/logs-shop?overwrite=true',
        xsrf: 'true',
      });
      for (const x of s.seen) {
        expect(x.host).toBe(HOST);
        expect(x.auth).toBe(`Basic ${Buffer.from('admin:Adm1n!pw').toString('base64')}`);
      }
      expect(s.seen[3].body.password).toBe('Fwd#pw9');
      expect(JSON.stringify(s.seen)).not.toContain('${LOG_STORE_PASSWORD}');
      expect(lines[0]).toMatch(/^\[1\/6\] PUT \/_plugins\/_ism\/policies\/logs-shop-retention: 200/);
    } finally {
      await s.close();
    }
  });

  test('fails on a refused request and sends nothing after it', async () => {
    const s = await store(requests[0].path);
    try {
      await expect(
        applyLogStoreBootstrap({
          host: HOST,
          connect: `127.0.0.1:${s.port}`,
          caFile: file('ca.pem'),
          requests,
          admin: { username: 'admin', password: 'x' },
          forwarderPassword: 'y',
        }),
      ).rejects.toThrow(
        /\[1\/6\] PUT \/_plugins\/_ism\/policies\/logs-shop-retention: the store answered 403: .*no permissions/,
      );
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  test('fails on a certificate that does not match the trusted CA', async () => {
    const s = await store();
    try {
      await expect(
        applyLogStoreBootstrap({
          host: HOST,
          connect: `127.0.0.1:${s.port}`,
          requests,
          admin: { username: 'admin', password: 'x' },
          forwarderPassword: 'y',
        }),
      ).rejects.toThrow(/\[1\/6\] PUT .*(self.signed|certificate)/i);
      expect(s.seen).toHaveLength(0);
    } finally {
      await s.close();
    }
  });
});

describe('log-store-bootstrap CLI', () => {
  function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    return logStoreBootstrapMain(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env }).then(
      (code) => ({ code, out: out.join(''), err: err.join('') }),
    );
  }

  test('--help explains usage and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('npm run log-store-bootstrap -- <env>');
  });

  test('applies the outputs file through --connect', async () => {
    const s = await store();
    try {
      const r = await run(
        ['test', '--outputs', outputsFile, '--connect', `127.0.0.1:${s.port}`, '--ca-file', file('ca.pem')],
        {
          LOG_STORE_ADMIN_PASSWORD: 'a',
          LOG_STORE_FORWARDER_PASSWORD: 'f',
        },
      );
      expect(r.err).toContain('done');
      expect(r.code).toBe(0);
      expect(s.seen).toHaveLength(6);
    } finally {
      await s.close();
    }
  });

  test('--dry-run prints the requests without the password', async () => {
    const r = await run(['test', '--outputs', outputsFile, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`PUT https://${HOST}/_index_template/logs-shop`);
    expect(r.out).toContain('${LOG_STORE_PASSWORD}');
  });

  test('fails without the passwords (exit 2)', async () => {
    const r = await run(['test', '--outputs', outputsFile]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('set LOG_STORE_ADMIN_PASSWORD and LOG_STORE_FORWARDER_PASSWORD');
  });

  test('fails on outputs without a log store (exit 2)', async () => {
    const empty = file('empty.json');
    fs.writeFileSync(empty, JSON.stringify({ 'test-shared': { vpc_id: 'vpc-1' } }));
    const r = await run(['test', '--outputs', empty], {
      LOG_STORE_ADMIN_PASSWORD: 'a',
      LOG_STORE_FORWARDER_PASSWORD: 'f',
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no outputs ${LOG_OUTPUTS.endpoint} and ${LOG_OUTPUTS.bootstrap}`);
  });

  test('fails on a bad --connect and an unknown flag (exit 2)', async () => {
    expect((await run(['test', '--connect', 'localhost'])).err).toContain('--connect must be host:port');
    expect((await run(['test', '--bogus'])).code).toBe(2);
  });

  test('fails when the store is unreachable (exit 1)', async () => {
    const s = await store();
    const port = s.port;
    await s.close();
    const r = await run(['test', '--outputs', outputsFile, '--connect', `127.0.0.1:${port}`], {
      LOG_STORE_ADMIN_PASSWORD: 'a',
      LOG_STORE_FORWARDER_PASSWORD: 'f',
    });
    expect(r.code).toBe(1); // the shared table: a refused or unreachable store is a failed outcome (4 is ROLLED_BACK)
    expect(r.err).toMatch(/ECONNREFUSED.*port forward/);
  });
});

describe('applyLogStoreBootstrap: the append-only data stream request', () => {
  const streamRequests = renderLogStoreBootstrap({ indexPrefix: 'logs-shop', retentionDays: 30, dataStream: true });

  /** A loopback store whose data stream answers 400 with `error` (OpenSearch's answer for an existing stream). */
  async function storeWithStream(
    error: string,
  ): Promise<{ paths: string[]; port: number; close: () => Promise<void> }> {
    const paths: string[] = [];
    const server = https.createServer(
      { key: fs.readFileSync(file('key.pem')), cert: fs.readFileSync(file('ca.pem')) },
      (req, res) => {
        req.resume().on('end', () => {
          paths.push(req.url!);
          const stream = req.url === '/_data_stream/logs-shop';
          res.statusCode = stream ? 400 : 200;
          res.end(
            stream
              ? JSON.stringify({
                  error: { type: error, reason: 'data_stream [logs-shop] already exists' },
                  status: 400,
                })
              : '{"acknowledged":true}',
          );
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      paths,
      port: (server.address() as AddressInfo).port,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  test('an existing data stream is kept and the bootstrap goes on (applying it again is harmless)', async () => {
    const s = await storeWithStream('resource_already_exists_exception');
    try {
      const lines: string[] = [];
      const statuses = await applyLogStoreBootstrap({
        host: HOST,
        connect: `127.0.0.1:${s.port}`,
        caFile: file('ca.pem'),
        requests: streamRequests,
        admin: { username: 'admin', password: 'x' },
        forwarderPassword: 'y',
        log: (l) => lines.push(l),
      });
      expect(s.paths).toEqual(streamRequests.map((r) => r.path));
      expect(statuses).toHaveLength(streamRequests.length);
      expect(lines.find((l) => l.includes('/_data_stream/logs-shop'))).toMatch(
        /: 400 already exists, kept \(Data stream logs-shop/,
      );
    } finally {
      await s.close();
    }
  });

  test('fails on any other refusal of the data stream', async () => {
    const s = await storeWithStream('illegal_argument_exception');
    try {
      await expect(
        applyLogStoreBootstrap({
          host: HOST,
          connect: `127.0.0.1:${s.port}`,
          caFile: file('ca.pem'),
          requests: streamRequests,
          admin: { username: 'admin', password: 'x' },
          forwarderPassword: 'y',
        }),
      ).rejects.toThrow(/PUT \/_data_stream\/logs-shop: the store answered 400/);
      expect(s.paths[s.paths.length - 1]).toBe('/_data_stream/logs-shop');
    } finally {
      await s.close();
    }
  });
});
