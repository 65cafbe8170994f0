import { parse } from 'yaml';
import {
  DEFAULT_FORWARDER_PATHS,
  LogForwarderConfig,
  renderRsyslogConfig,
  renderShipperScript,
} from '../../lib/agents/log-forwarder';
import {
  CREDENTIALS_SCRIPT,
  DESTINATION_ENV_FILE,
  INSTALL_SCRIPT,
  renderInstallScript,
  renderUserData,
  UserDataInput,
} from '../../lib/agents/user-data';
import { cloudInitSchema, rsyslogCheck } from '../support/agent-checks';

const FORWARDER: LogForwarderConfig = {
  app: 'shop',
  environment: 'staging',
  color: 'blue',
  release: '1.5.0',
  appLogs: [{ path: '/var/log/shop/app.log', format: 'json' }],
  systemLogs: true,
  destination: { indexPrefix: 'logs-shop' },
};
const AWS: UserDataInput = {
  forwarder: FORWARDER,
  credentials: { type: 'aws-secrets-manager', secretId: 'shop-staging/log-forwarder', region: 'eu-west-1' },
};
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

  test('installs rsyslog and python3 with its own script (no cloud-init packages list, no AWS CLI), then the shipper', () => {
    expect(doc.packages).toBeUndefined();
    expect(doc.runcmd[0]).toEqual(['sh', INSTALL_SCRIPT]);
    expect(fileAt(doc, INSTALL_SCRIPT).content).toBe(renderInstallScript());
    expect(fileAt(doc, INSTALL_SCRIPT).content).not.toContain('awscli');
    expect(fileAt(doc, DEFAULT_FORWARDER_PATHS.shipper).content).toBe(renderShipperScript());
    expect(text).not.toMatch(/\baws secretsmanager\b/);
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
    const [schema, rsyslog] = await Promise.all([
      cloudInitSchema(text),
      rsyslogCheck(fileAt(doc, '/etc/rsyslog.conf').content),
    ]);
    expect(schema.output).toContain('Valid cloud-config');
    expect(schema.ok).toBe(true);
    expect(rsyslog.ok).toBe(true);
  });
});

describe('renderUserData: elsewhere (credentials file provided by the platform)', () => {
  const text = renderUserData({ ...PLAIN, extraPackages: ['jq'], extraCommands: [['touch', '/run/ready']] });
  const doc = parse(text) as CloudConfig;

  test('no fetch script; extra packages (optional) and commands appended', () => {
    expect(fileAt(doc, INSTALL_SCRIPT).content).toBe(renderInstallScript(['jq']));
    expect(doc.write_files.map((w) => w.path)).not.toContain(CREDENTIALS_SCRIPT);
    expect(fileAt(doc, '/etc/systemd/system/rsyslog.service.d/10-log-forwarder.conf').content).not.toContain(
      'ExecStartPre',
    );
    expect(doc.runcmd[doc.runcmd.length - 1]).toEqual(['touch', '/run/ready']);
  });

  test('passes cloud-init schema', async () => {
    const schema = await cloudInitSchema(text);
    expect(schema.ok).toBe(true);
  });

  test('fails the schema check when broken (the check is real)', async () => {
    const schema = await cloudInitSchema(text.replace('runcmd:', 'package_update: [1]\nruncmd:'));
    expect(schema.ok).toBe(false);
    expect(schema.output).toMatch(/package_update/);
  });

  test('fails on a package name that is not one', () => {
    expect(() => renderUserData({ ...PLAIN, extraPackages: ['rsyslog; rm -rf /'] })).toThrow(/is not a package name/);
  });
});
