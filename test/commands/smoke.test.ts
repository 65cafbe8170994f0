import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { smoke, smokeMain, smokeUrl, SMOKE_HELP } from '../../lib/commands/smoke';

/** A real HTTP server on 127.0.0.1 whose answer to each request is decided by `handler` (request count passed). */
async function serve(
  handler: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => handler(++count, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function cli(argv: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await smokeMain(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env, cwd: os.tmpdir() });
  return { code, out, err };
}

const FAST = ['--timeout', '0.3', '--delay', '0.02'];

describe('smoke against a real server on loopback', () => {
  test('a healthy release passes on the first attempt', async () => {
    const server = await serve((_n, req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end('ok 1.5.0'));
    try {
      const { code, out } = await cli([server.url, '--attempts', '3', ...FAST]);
      expect(code).toBe(0);
      expect(out).toMatch(
        new RegExp(
          `^attempt 1/3: GET ${server.url}/health -> HTTP 200 OK \\(\\d+ ms\\)\\nhealthy: ${server.url}/health passed on attempt 1\\n$`,
        ),
      );
      expect(server.requests()).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('a failing release is retried and reported unhealthy with a non-zero exit', async () => {
    const server = await serve((_n, _req, res) => res.writeHead(503).end('down'));
    try {
      const started = Date.now();
      const { code, out } = await cli([server.url, '--attempts', '3', ...FAST]);
      expect(code).toBe(1);
      expect(out.match(/^attempt \d\/3: .* -> HTTP 503 Service Unavailable/gm)).toHaveLength(3);
      expect(out).toContain('retrying in 0.02s');
      expect(out).toContain('retrying in 0.04s'); // backoff doubles
      expect(out).toMatch(/UNHEALTHY: .*\/health failed 3 attempt\(s\); last: HTTP 503 Service Unavailable\n$/);
      expect(server.requests()).toBe(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    } finally {
      await server.close();
    }
  });

  test('a release that comes up during the retries passes', async () => {
    const server = await serve((n, _req, res) => res.writeHead(n < 3 ? 502 : 200).end());
    try {
      const result = await smoke({ url: server.url, attempts: 5, timeoutSeconds: 0.3, delaySeconds: 0.02 });
      expect(result.healthy).toBe(true);
      expect(result.attempts.map((a) => a.status)).toEqual([502, 502, 200]);
      expect(result.attempts[2].problem).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  test('a slow release times out on every attempt', async () => {
    const server = await serve((_n, _req, res) => {
      const t = setTimeout(() => res.writeHead(200).end('late'), 2000);
      res.on('close', () => clearTimeout(t));
    });
    try {
      const started = Date.now();
      const result = await smoke({ url: server.url, attempts: 2, timeoutSeconds: 0.2, delaySeconds: 0.02 });
      expect(result.healthy).toBe(false);
      expect(result.attempts.map((a) => a.problem)).toEqual(['timed out after 0.2s', 'timed out after 0.2s']);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await server.close();
    }
  });

  test('a release that never comes up is reported as connection refused', async () => {
    const port = await closedPort();
    const { code, out } = await cli([`http://127.0.0.1:${port}`, '--attempts', '2', ...FAST]);
    expect(code).toBe(1);
    expect(out.match(/-> connection refused \(nothing listening\)/g)).toHaveLength(2);
  });

  test('--expect requires the body to contain a text, e.g. the release version', async () => {
    const server = await serve((_n, _req, res) => res.writeHead(200).end('{"version":"1.4.1"}'));
    try {
      const { code, out } = await cli([
        server.url,
        '--path',
        '/version',
        '--expect',
        '1.5.0',
        '--attempts',
        '1',
        ...FAST,
      ]);
      expect(code).toBe(1);
      expect(out).toContain(`GET ${server.url}/version -> HTTP 200, but the body does not contain "1.5.0"`);
      expect(
        (await cli([server.url, '--path', '/version', '--expect', '1.4.1', '--attempts', '1', ...FAST])).code,
      ).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('smoke --env: the URL from the cutover stack outputs', () => {
  function outputsFile(outputs: Record<string, unknown>): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-outputs-')), 'outputs.json');
    fs.writeFileSync(file, JSON.stringify({ 'prod-cutover': outputs }));
    return file;
  }

  test('checks test_url by default and live_url with --live', async () => {
    const idle = await serve((_n, _req, res) => res.writeHead(200).end('idle'));
    const live = await serve((_n, _req, res) => res.writeHead(503).end());
    try {
      const file = outputsFile({ test_url: idle.url, live_url: live.url, live_color: 'green' });
      const test = await cli(['--env', 'prod', '--outputs', file, '--attempts', '1', ...FAST]);
      expect(test.code).toBe(0);
      expect(test.out).toContain(`GET ${idle.url}/health -> HTTP 200 OK`);
      const liveRun = await cli(['--env', 'prod', '--live', '--outputs', file, '--attempts', '1', ...FAST]);
      expect(liveRun.code).toBe(1);
      expect(liveRun.out).toContain(`GET ${live.url}/health -> HTTP 503`);
    } finally {
      await idle.close();
      await live.close();
    }
  });

  test('fails when the strategy has no test listener', async () => {
    const { code, err } = await cli([
      '--env',
      'prod',
      '--outputs',
      outputsFile({ live_url: 'https://shop.example.com' }),
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(
      /no output "test_url"; the strategy has no test listener \(hard-cutover, rolling\): check the live URL with --live/,
    );
  });

  test('fails with exit 3 when cdktf output cannot run', async () => {
    const { code, err } = await cli(['--env', 'prod'], {
      ...process.env,
      CDKTF_BIN: path.join(os.tmpdir(), 'no-such-cdktf'),
    });
    expect(code).toBe(3);
    expect(err).toMatch(
      /cannot read the outputs of prod-cutover: .*no-such-cdktf: not found \(set CDKTF_BIN or install cdktf-cli\)/,
    );
    expect(err).not.toMatch(/deploy prod-cutover first/); // the cause is a missing cdktf, not a missing deploy
  });

  test('names an environment that does not exist instead of blaming a missing deploy (exit 2)', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-envs-'));
    fs.mkdirSync(path.join(project, 'environments'));
    fs.writeFileSync(path.join(project, 'environments', 'prod.yaml'), 'name: prod\n');
    let err = '';
    const code = await smokeMain(['--env', 'nosuch'], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      cwd: project,
      env: { ...process.env, CDKTF_BIN: '/bin/false' },
    });
    expect(code).toBe(2);
    expect(err).toBe('smoke: environment "nosuch" does not exist: no environments/nosuch.yaml (environments: prod)\n');
  });

  test('fails on a URL and --env together', async () => {
    expect(await cli(['https://x.example.com', '--env', 'prod'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('give either a URL or --env, not both'),
    });
    expect(await cli(['https://x.example.com', '--live'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--live and --outputs need --env <env>'),
    });
  });
});

describe('smoke arguments', () => {
  test('joins base URL and path', () => {
    expect(smokeUrl('https://shop.example.com:8443').href).toBe('https://shop.example.com:8443/health');
    expect(smokeUrl('https://shop.example.com/app/', '/ready?deep=1').href).toBe(
      'https://shop.example.com/app/ready?deep=1',
    );
  });

  test('--help explains the command', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    // Run from a directory without this project's package.json: the help names the package's command.
    expect(out).toBe(SMOKE_HELP.replace(/npm run smoke --/g, 'npx cdktf-bluegreen smoke'));
  });

  test.each([
    [['not a url'], /"not a url" is not a URL/],
    [['ftp://example.com'], /is not an http\(s\) URL/],
    [['http://127.0.0.1', '--attempts', '0'], /--attempts must be a whole number >= 1, got "0"/],
    [['http://127.0.0.1', '--timeout', 'soon'], /--timeout must be a number of seconds above 0, got "soon"/],
    [['http://127.0.0.1', '--path', 'health'], /--path must start with "\/", got "health"/],
    [['http://127.0.0.1', '--retries', '3'], /unknown option --retries/],
    [[], /which URL\?/],
  ])('fails on %j with exit 2', async (argv, message) => {
    const { code, err } = await cli(argv as string[]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
