import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { LogForwarderConfig, renderRsyslogConfig } from '../../lib/agents/log-forwarder';
import { CREDENTIALS_SCRIPT, DESTINATION_ENV_FILE, renderCredentialsScript, renderUserData, UserDataInput } from '../../lib/agents/user-data';
import { cloudInitSchema, rsyslogCheck, tempFile } from '../support/agent-checks';

const FORWARDER: LogForwarderConfig = {
  app: 'shop',
  environment: 'staging',
  color: 'blue',
  release: '1.5.0',
  appLogs: [{ path: '/var/log/shop/app.log', format: 'json' }],
  systemLogs: true,
  destination: { indexPrefix: 'logs-shop' },
};
const AWS: UserDataInput = { forwarder: FORWARDER, credentials: { type: 'aws-secrets-manager', secretId: 'shop-staging/log-forwarder', region: 'eu-west-1' } };
const PLAIN: UserDataInput = { forwarder: FORWARDER, credentials: { type: 'env-file' } };

interface CloudConfig {
  packages: string[];
  write_files: Array<{ path: string; content: string; permissions: string; defer?: boolean }>;
  runcmd: string[][];
}

function fileAt(doc: CloudConfig, p: string) {
  const f = doc.write_files.find((w) => w.path === p);
  expect(f).toBeDefined();
  return f!;
}

describe('renderUserData: AWS (credentials from Secrets Manager)', () => {
  const text = renderUserData(AWS);
  const doc = parse(text) as CloudConfig;

  test('is a #cloud-config literal without tokens or secrets', () => {
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(text).not.toMatch(/\$\{|TOKEN\[/);
    expect(text).not.toMatch(/LOG_STORE_PASSWORD=/);
  });

  test('installs rsyslog with its OpenSearch output and the AWS CLI', () => {
    expect(doc.packages).toEqual(['rsyslog', 'rsyslog-elasticsearch', 'awscli', 'python3']);
  });

  test('writes the rendered rsyslog config after the packages, and the credential plumbing', () => {
    const conf = fileAt(doc, '/etc/rsyslog.conf');
    expect(conf.content).toBe(renderRsyslogConfig(FORWARDER));
    expect(conf.defer).toBe(true);
    expect(fileAt(doc, CREDENTIALS_SCRIPT).permissions).toBe('0700');
    const dropIn = fileAt(doc, '/etc/systemd/system/rsyslog.service.d/10-log-forwarder.conf').content;
    expect(dropIn).toContain(`EnvironmentFile=-${DESTINATION_ENV_FILE}`);
    expect(dropIn).toContain(`ExecStartPre=-${CREDENTIALS_SCRIPT}`);
    expect(fileAt(doc, '/etc/systemd/journald.conf.d/10-log-forwarder.conf').content).toContain('ForwardToSyslog=no');
  });

  test('fetches the credentials before enabling and restarting rsyslog', () => {
    const cmds = doc.runcmd.map((c) => c.join(' '));
    const fetch = cmds.indexOf(CREDENTIALS_SCRIPT);
    expect(fetch).toBeGreaterThan(0);
    expect(cmds.indexOf('systemctl daemon-reload')).toBeGreaterThan(fetch);
    expect(cmds.slice(-2)).toEqual(['systemctl enable rsyslog.service', 'systemctl restart rsyslog.service']);
  });

  test('passes cloud-init schema, and its rsyslog.conf passes rsyslogd -N1', async () => {
    const [schema, rsyslog] = await Promise.all([cloudInitSchema(text), rsyslogCheck(fileAt(doc, '/etc/rsyslog.conf').content)]);
    expect(schema.output).toContain('Valid cloud-config');
    expect(schema.ok).toBe(true);
    expect(rsyslog.ok).toBe(true);
  });
});

describe('renderUserData: elsewhere (credentials file provided by the platform)', () => {
  const text = renderUserData({ ...PLAIN, extraPackages: ['jq'], extraCommands: [['touch', '/run/ready']] });
  const doc = parse(text) as CloudConfig;

  test('no AWS CLI, no fetch script; extra packages and commands appended', () => {
    expect(doc.packages).toEqual(['rsyslog', 'rsyslog-elasticsearch', 'jq']);
    expect(doc.write_files.map((w) => w.path)).not.toContain(CREDENTIALS_SCRIPT);
    expect(fileAt(doc, '/etc/systemd/system/rsyslog.service.d/10-log-forwarder.conf').content).not.toContain('ExecStartPre');
    expect(doc.runcmd[doc.runcmd.length - 1]).toEqual(['touch', '/run/ready']);
  });

  test('passes cloud-init schema', async () => {
    const schema = await cloudInitSchema(text);
    expect(schema.ok).toBe(true);
  });

  test('fails the schema check when broken (the check is real)', async () => {
    const schema = await cloudInitSchema(text.replace('package_update: true', 'package_update: [1]'));
    expect(schema.ok).toBe(false);
    expect(schema.output).toMatch(/package_update/);
  });

  test('fails on a package name that is not one', () => {
    expect(() => renderUserData({ ...PLAIN, extraPackages: ['rsyslog; rm -rf /'] })).toThrow(/is not a Debian package name/);
  });
});

describe('the credentials script (with a stand-in AWS CLI)', () => {
  const dir = path.dirname(tempFile('x', ''));
  const script = path.join(dir, 'log-forwarder-credentials');
  fs.writeFileSync(script, renderCredentialsScript('shop-staging/log-forwarder', 'eu-west-1'), { mode: 0o700 });
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // The stand-in for the AWS CLI prints the secret string the test puts in $FAKE_SECRET, and records its argv.
  fs.writeFileSync(path.join(bin, 'aws'), '#!/bin/sh\necho "$@" > "$FAKE_ARGS"\n[ -n "$FAKE_FAIL" ] && { echo "AccessDenied" >&2; exit 255; }\nprintf "%s\\n" "$FAKE_SECRET"\n', { mode: 0o755 });

  function run(secret: string, target: string, fail = false): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const env = { PATH: `${bin}:${process.env.PATH}`, FAKE_SECRET: secret, FAKE_ARGS: path.join(dir, 'args'), LOG_FORWARDER_ENV_FILE: target, LOG_FORWARDER_BACKOFF_SECONDS: '0', ...(fail ? { FAKE_FAIL: '1' } : {}) };
      execFile(script, [], { env, timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
    });
  }

  test('writes the destination file, root-only, from the secret', async () => {
    const target = path.join(dir, 'ok', 'destination.env');
    const result = await run(JSON.stringify({ host: 'vpc-logs.eu-west-1.es.amazonaws.com', username: 'log-forwarder', password: 'Xy7!pq#Rs' }), target);
    expect(result.code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('LOG_STORE_HOST=vpc-logs.eu-west-1.es.amazonaws.com\nLOG_STORE_USERNAME=log-forwarder\nLOG_STORE_PASSWORD=Xy7!pq#Rs\n');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'args'), 'utf8')).toContain('secretsmanager get-secret-value --region eu-west-1 --secret-id shop-staging/log-forwarder');
  });

  test('fails on a secret without a password, writing nothing', async () => {
    const target = path.join(dir, 'bad', 'destination.env');
    const result = await run(JSON.stringify({ host: 'h', username: 'u' }), target);
    expect(result.code).not.toBe(0);
    expect(result.out).toContain("lacks a usable 'password'");
    expect(fs.existsSync(target)).toBe(false);
  });

  test('fails on a password the environment file cannot carry', async () => {
    const result = await run(JSON.stringify({ host: 'h', username: 'u', password: 'with space' }), path.join(dir, 'sp', 'destination.env'));
    expect(result.code).not.toBe(0);
  });

  test('fails when the secret cannot be read, after retrying', async () => {
    const result = await run('', path.join(dir, 'denied', 'destination.env'), true);
    expect(result.code).toBe(1);
    expect(result.out).toContain('attempt 5/5');
    expect(result.out).toContain('AccessDenied');
  });
});
