/**
 * The rendered boot path, run for real: the package install script under dash (Debian, Ubuntu's /bin/sh) and bash
 * (Amazon Linux 2023's /bin/sh) with stand-in package managers on PATH (apt-get and dnf cannot install anything
 * here), and the credentials script under the real python3 against a loopback stand-in of IMDSv2 and Secrets
 * Manager that checks the IMDSv2 token and the request's SigV4 signature.
 */
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { renderCredentialsScript, renderInstallScript } from '../../lib/agents/user-data';

jest.setTimeout(30_000);

interface Run {
  readonly code: number;
  readonly out: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-boot-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in package manager: records its argv; `install` of a name listed in $MISSING fails like a missing package. */
function packageManager(name: string): string {
  const bin = fs.mkdtempSync(path.join(dir, `${name}-`));
  fs.writeFileSync(
    path.join(bin, name),
    `#!/bin/sh\necho "${name} $*" >> "$CALLS"\nfor last in "$@"; do :; done\ncase " $MISSING " in *" $last "*) [ "$1" = install ] && { echo "E: Unable to locate package $last" >&2; exit 100; };; esac\nexit 0\n`,
    { mode: 0o755 },
  );
  return bin;
}

describe.each([
  ['dash', '/usr/bin/dash'],
  ['bash', '/usr/bin/bash'],
])('the package install script under %s', (_shell, shell) => {
  const script = path.join(dir, 'install.sh');
  fs.writeFileSync(script, renderInstallScript(['awscli', 'jq']));

  async function install(manager: 'apt-get' | 'dnf', missing: string): Promise<Run & { calls: string[] }> {
    const calls = path.join(dir, `calls-${manager}-${Math.random()}`);
    fs.writeFileSync(calls, '');
    // PATH holds only the stand-in: the script must not rely on anything else the image may lack.
    const result = await run(shell, [script], {
      PATH: packageManager(manager),
      CALLS: calls,
      MISSING: missing,
      LOG_FORWARDER_PACKAGE_RETRIES: '1',
    });
    return { ...result, calls: fs.readFileSync(calls, 'utf8').trim().split('\n') };
  }

  test('Debian 12 / Ubuntu 22.04 (apt-get): installs every package one at a time', async () => {
    const r = await install('apt-get', '');
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      'apt-get update -q',
      ...['rsyslog', 'python3', 'awscli', 'jq'].map((p) => `apt-get install -y -q --no-install-recommends ${p}`),
    ]);
  });

  test('Ubuntu 24.04 (no awscli package): the missing optional package never stops the others', async () => {
    const r = await install('apt-get', 'awscli');
    expect(r.code).toBe(0);
    expect(r.calls).toContain('apt-get install -y -q --no-install-recommends jq');
    expect(r.calls).toContain('apt-get install -y -q --no-install-recommends rsyslog');
    expect(r.out).toContain('optional package awscli could not be installed with apt-get; continuing');
  });

  test('Amazon Linux 2023 (dnf, no apt-get): installs with dnf', async () => {
    const r = await install('dnf', 'awscli');
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(['rsyslog', 'python3', 'awscli', 'jq'].map((p) => `dnf install -y -q ${p}`));
  });

  test('fails (non-zero) when a required package is missing, after installing the rest', async () => {
    const r = await install('apt-get', 'rsyslog');
    expect(r.code).not.toBe(0);
    expect(r.calls).toContain('apt-get install -y -q --no-install-recommends python3');
    expect(r.out).toContain('required package(s) rsyslog could not be installed with apt-get');
  });

  test('fails with the supported images named when there is no package manager it knows', async () => {
    const r = await run(shell, [script], { PATH: fs.mkdtempSync(path.join(dir, 'none-')) });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('Debian 12, Ubuntu 22.04/24.04, Amazon Linux 2023');
  });
});

test('the install script refuses a package name that is not one', () => {
  expect(() => renderInstallScript(['rsyslog; rm -rf /'])).toThrow(/"rsyslog; rm -rf \/" is not a package name/);
});

/** SigV4 as AWS documents it, independently of the script: the signature the stand-in expects. */
function sigV4(
  req: { method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer },
  secretKey: string,
  region: string,
  service: string,
): string {
  const auth = String(req.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
  const stamp = String(req.headers['x-amz-date']);
  const day = stamp.slice(0, 8);
  const canonical = [
    req.method,
    req.path,
    '',
    signedHeaders.map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join(''),
    signedHeaders.join(';'),
    crypto.createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, crypto.createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  let key: Buffer = Buffer.from(`AWS4${secretKey}`);
  for (const part of [day, region, service, 'aws4_request'])
    key = crypto.createHmac('sha256', key).update(part).digest();
  return crypto.createHmac('sha256', key).update(toSign).digest('hex');
}

describe('the credentials script (loopback stand-in of IMDSv2 and Secrets Manager)', () => {
  const ROLE = { AccessKeyId: 'ASIAEXAMPLEKEY', SecretAccessKey: 'stand-in/secret+key', Token: 'session-token-1' };
  const IMDS_TOKEN = 'imds-token-abc';
  let secret = '';
  let denied = false;
  const seen: Array<{ signatureOk: boolean; target?: string; body: string; token?: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      if (url === '/latest/api/token') {
        if (req.method !== 'PUT' || !req.headers['x-aws-ec2-metadata-token-ttl-seconds'])
          return void res.writeHead(400).end();
        return void res.end(IMDS_TOKEN);
      }
      if (url.startsWith('/latest/meta-data/')) {
        // IMDSv2 only: no token, no answer (as on an instance with HttpTokens=required).
        if (req.headers['x-aws-ec2-metadata-token'] !== IMDS_TOKEN) return void res.writeHead(401).end();
        if (url === '/latest/meta-data/iam/security-credentials/') return void res.end('shop-staging-app\n');
        if (url === '/latest/meta-data/iam/security-credentials/shop-staging-app')
          return void res.end(JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', ...ROLE }));
        return void res.writeHead(404).end();
      }
      if (req.method === 'POST' && url === '/') {
        const expected = sigV4(
          { method: 'POST', path: '/', headers: req.headers, body },
          ROLE.SecretAccessKey,
          'eu-west-1',
          'secretsmanager',
        );
        const signatureOk =
          String(req.headers.authorization).endsWith(`Signature=${expected}`) &&
          String(req.headers.authorization).includes(`Credential=${ROLE.AccessKeyId}/`);
        seen.push({
          signatureOk,
          target: req.headers['x-amz-target'] as string,
          body: body.toString(),
          token: req.headers['x-amz-security-token'] as string,
        });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (!signatureOk) return void res.writeHead(403).end(JSON.stringify({ __type: 'InvalidSignatureException' }));
        if (denied)
          return void res
            .writeHead(400)
            .end(JSON.stringify({ __type: 'AccessDeniedException', Message: 'not allowed' }));
        return void res.end(
          JSON.stringify({
            ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
            Name: 'shop-staging/log-forwarder',
            SecretString: secret,
          }),
        );
      }
      res.writeHead(404).end();
    });
  });
  const script = path.join(dir, 'log-forwarder-credentials');
  fs.writeFileSync(script, renderCredentialsScript('shop-staging/log-forwarder', 'eu-west-1'), { mode: 0o700 });
  let base = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function fetchCredentials(target: string): Promise<Run> {
    // PATH without any AWS CLI: the script needs python3 only.
    return run('/usr/bin/python3', [script], {
      PATH: '/nonexistent',
      LOG_FORWARDER_ENV_FILE: target,
      LOG_FORWARDER_BACKOFF_SECONDS: '0',
      LOG_FORWARDER_IMDS_ENDPOINT: base,
      LOG_FORWARDER_SECRETSMANAGER_ENDPOINT: base,
    });
  }

  test('writes the destination file, root-only, from a SigV4-signed GetSecretValue with the role from IMDSv2', async () => {
    secret = JSON.stringify({
      host: 'vpc-logs.eu-west-1.es.amazonaws.com',
      username: 'log-forwarder',
      password: 'Xy7!pq#Rs',
    });
    const target = path.join(dir, 'ok', 'destination.env');
    const result = await fetchCredentials(target);
    expect(result.out).toContain('wrote');
    expect(result.code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe(
      'LOG_STORE_HOST=vpc-logs.eu-west-1.es.amazonaws.com\nLOG_STORE_USERNAME=log-forwarder\nLOG_STORE_PASSWORD=Xy7!pq#Rs\n',
    );
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    const call = seen[seen.length - 1];
    expect(call).toEqual({
      signatureOk: true,
      target: 'secretsmanager.GetSecretValue',
      body: '{"SecretId": "shop-staging/log-forwarder"}',
      token: ROLE.Token,
    });
  });

  test('fails on a secret without a password, writing nothing', async () => {
    secret = JSON.stringify({ host: 'h', username: 'u' });
    const target = path.join(dir, 'bad', 'destination.env');
    const result = await fetchCredentials(target);
    expect(result.code).not.toBe(0);
    expect(result.out).toContain("lacks a usable 'password'");
    expect(fs.existsSync(target)).toBe(false);
  });

  test('fails on a password the environment file cannot carry', async () => {
    secret = JSON.stringify({ host: 'h', username: 'u', password: 'with space' });
    const result = await fetchCredentials(path.join(dir, 'sp', 'destination.env'));
    expect(result.code).not.toBe(0);
  });

  test('fails when the secret cannot be read, after retrying', async () => {
    denied = true;
    const result = await fetchCredentials(path.join(dir, 'denied', 'destination.env'));
    denied = false;
    expect(result.code).toBe(1);
    expect(result.out).toContain('attempt 5/5');
    expect(result.out).toContain('AccessDeniedException');
  });
});
