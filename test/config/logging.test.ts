import { loadEnvironments } from '../../lib/config';
import { appLogTag, logPathProblem } from '../../lib/config/sections/logging';
import { configProblems as problems } from '../support/config-problems';
import { edited, envDir, withValue } from '../support/env-dir';

/** prod.yaml with `logging.<keyPath>` set to `value`, loaded; returns the problems. */
function prodWith(keyPath: Array<string | number>, value: unknown): string[] {
  return problems(envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', ...keyPath], value) }));
}

describe('logging section: the shipped values', () => {
  const configs = loadEnvironments({ dir: envDir() });
  const prod = configs.find((c) => c.name === 'prod')!;
  const staging = configs.find((c) => c.name === 'staging')!;

  test('every environment forwards the app logs and the system logs', () => {
    for (const c of configs) {
      expect(c.logging.appLogs.map((l) => [l.path, l.format])).toEqual([
        ['/var/log/shop/app.log', 'json'],
        ['/var/log/shop/access.log', 'text'],
      ]);
      expect(c.logging.systemLogs).toBe(true);
      expect(c.logging.indexPrefix).toBe('logs-shop');
    }
  });

  test('prod overrides retention, buffer and store sizing; staging keeps the defaults', () => {
    expect(prod.logging).toMatchObject({ indexRetentionDays: 90, logGroupRetentionDays: 365, bufferDiskMiB: 4096 });
    expect(prod.logging.store).toEqual({
      type: 'managed',
      engineVersion: 'OpenSearch_2.13',
      instanceType: 'r6g.large.search',
      instanceCount: 3,
      volumeSizeGiB: 100,
      dedicatedMasterCount: 3,
      dedicatedMasterType: 'm6g.large.search',
    });
    expect(staging.logging).toMatchObject({ indexRetentionDays: 14, logGroupRetentionDays: 30, bufferDiskMiB: 1024 });
    expect(staging.logging.store.instanceCount).toBe(1);
    expect(staging.logging.store.dedicatedMasterCount).toBe(0);
  });

  test('the managed log store is the default (logging.store.type)', () => {
    for (const c of configs) expect(c.logging.store.type).toBe('managed');
  });

  test('the source tag defaults to the file name without extension', () => {
    expect(appLogTag({ path: '/var/log/shop/app.log' })).toBe('app');
    expect(appLogTag({ path: '/var/log/nginx/access.log', tag: 'nginx' })).toBe('nginx');
    expect(appLogTag({ path: '/var/log/shop/*.log' })).toBe('app-log');
    expect(appLogTag({ path: '/srv/2024.log' })).toBe('app-2024');
  });

  test('path rules accept absolute files and wildcards', () => {
    expect(logPathProblem('/var/log/shop/app.log')).toBeUndefined();
    expect(logPathProblem('/var/log/shop/*.log')).toBeUndefined();
  });
});

describe('logging section: bad input names the file, the key path and the reason', () => {
  test('fails on a relative log path', () => {
    expect(prodWith(['appLogs'], [{ path: 'logs/app.log', format: 'json' }])).toEqual([
      'environments/prod.yaml: logging.appLogs[0].path: "logs/app.log" is a relative path; give the absolute path of the log file, e.g. /var/log/shop/app.log',
    ]);
  });

  test('fails on a duplicate log path, naming the first occurrence', () => {
    const logs = [
      { path: '/var/log/shop/app.log', format: 'json' },
      { path: '/var/log/shop/app.log', format: 'text', tag: 'again' },
    ];
    expect(prodWith(['appLogs'], logs)).toEqual([
      'environments/prod.yaml: logging.appLogs[1].path: "/var/log/shop/app.log" is listed twice (also logging.appLogs[0].path); each file is forwarded once',
    ]);
  });

  test('fails on an unknown format', () => {
    expect(prodWith(['appLogs'], [{ path: '/var/log/shop/app.log', format: 'xml' }])).toEqual([
      'environments/prod.yaml: logging.appLogs[0].format: must be one of json, text (got "xml")',
    ]);
  });

  test('fails on paths with "..", a trailing slash, or quotes', () => {
    const logs = [
      { path: '/var/log/../etc/passwd', format: 'text' },
      { path: '/var/log/shop/', format: 'text' },
      { path: '/var/log/sh"op.log', format: 'text' },
    ];
    const out = prodWith(['appLogs'], logs);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^environments\/prod\.yaml: logging\.appLogs\[0\]\.path: .*"\." or "\.\." segments/);
    expect(out[1]).toMatch(/^environments\/prod\.yaml: logging\.appLogs\[1\]\.path: .*names a directory/);
    expect(out[2]).toMatch(/^environments\/prod\.yaml: logging\.appLogs\[2\]\.path: .*quotes/);
  });

  test('fails on two files with the same source tag', () => {
    const logs = [
      { path: '/var/log/shop/app.log', format: 'json' },
      { path: '/var/log/other/app.log', format: 'text' },
    ];
    expect(prodWith(['appLogs'], logs)).toEqual([
      'environments/prod.yaml: logging.appLogs[1].tag: source tag "app" is already used by logging.appLogs[0]; set a distinct tag',
    ]);
  });

  test('fails on index retention out of range', () => {
    expect(prodWith(['indexRetentionDays'], 0)).toEqual([
      'environments/prod.yaml: logging.indexRetentionDays: must be between 1 and 3650 days',
    ]);
    expect(prodWith(['indexRetentionDays'], 5000)).toEqual([
      'environments/prod.yaml: logging.indexRetentionDays: must be between 1 and 3650 days',
    ]);
  });

  test('fails on a log group retention CloudWatch does not accept', () => {
    expect(prodWith(['logGroupRetentionDays'], 42)).toEqual([
      'environments/prod.yaml: logging.logGroupRetentionDays: 42 is not a CloudWatch retention period; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ]);
  });

  test('fails on a log group retention in the defaults, naming defaults.yaml', () => {
    const dir = envDir({ 'defaults.yaml': withValue('defaults.yaml', ['logging', 'logGroupRetentionDays'], 10) });
    const out = problems(dir);
    expect(out.length).toBeGreaterThan(0);
    expect(
      out.every((l) =>
        /^environments\/(defaults|dev|staging)\.yaml: logging\.logGroupRetentionDays: 10 is not a CloudWatch retention period/.test(
          l,
        ),
      ),
    ).toBe(true);
  });

  test('fails on the keys renamed for their units, naming the new key (0.x rename)', () => {
    const prod = edited('prod.yaml', /bufferDiskMiB:/, 'bufferDiskMb:').replace(/volumeSizeGiB:/, 'volumeSizeGb:');
    expect(problems(envDir({ 'prod.yaml': prod })).sort()).toEqual([
      'environments/prod.yaml: logging.bufferDiskMb: renamed to logging.bufferDiskMiB; rename the key (same value, same meaning)',
      'environments/prod.yaml: logging.store.volumeSizeGb: renamed to logging.store.volumeSizeGiB; rename the key (same value, same meaning)',
    ]);
  });

  test('fails on an unknown key and a bad store instance type', () => {
    expect(prodWith(['retention'], 3)).toEqual([
      'environments/prod.yaml: logging.retention: unknown key (allowed keys: appLogs, systemLogs, indexPrefix, indexRetentionDays, logGroupRetentionDays, bufferDiskMiB, store, alarmSubscriptions)',
    ]);
    expect(prodWith(['store', 'instanceType'], 'r6g.large')).toEqual([
      'environments/prod.yaml: logging.store.instanceType: must be an OpenSearch instance type such as r6g.large.search',
    ]);
  });
});

describe('logging.alarmSubscriptions and the log store masters', () => {
  test('fails on a production environment whose alarms notify nobody', () => {
    expect(
      problems(envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'alarmSubscriptions'], []) }), ['prod']),
    ).toEqual([
      'environments/prod.yaml: logging.alarmSubscriptions: required in production: at least one subscription ({ protocol: email, endpoint: ops@example.com }) of the alarm topic, or alarms reach nobody',
    ]);
  });
  test('fails on an even number of dedicated masters', () => {
    expect(
      problems(envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'store', 'dedicatedMasterCount'], 2) }), [
        'prod',
      ]),
    ).toEqual(['environments/prod.yaml: logging.store.dedicatedMasterCount: must be 0 (none), 3 or 5']);
  });
});

describe('logging.store.type: the managed log store, or none', () => {
  test('type none loads, with no sizing, and the rest of logging kept', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'store'], { type: 'none' }) });
    const prod = loadEnvironments({ dir, only: ['prod'] })[0];
    expect(prod.logging.store.type).toBe('none');
    expect(prod.logging.logGroupRetentionDays).toBe(365);
  });

  test('fails on an unknown store type, naming the choices', () => {
    expect(prodWith(['store', 'type'], 'external')).toEqual([
      'environments/prod.yaml: logging.store.type: must be one of managed, none (got "external")',
    ]);
  });

  test('fails on sizing keys next to type none, naming each key', () => {
    expect(prodWith(['store', 'type'], 'none')).toEqual([
      'environments/prod.yaml: logging.store.instanceType: sizes the managed store only; remove it, or set logging.store.type: managed',
      'environments/prod.yaml: logging.store.instanceCount: sizes the managed store only; remove it, or set logging.store.type: managed',
      'environments/prod.yaml: logging.store.volumeSizeGiB: sizes the managed store only; remove it, or set logging.store.type: managed',
      'environments/prod.yaml: logging.store.dedicatedMasterCount: sizes the managed store only; remove it, or set logging.store.type: managed',
      'environments/prod.yaml: logging.store.dedicatedMasterType: sizes the managed store only; remove it, or set logging.store.type: managed',
    ]);
  });

  test('fails on type none on DigitalOcean, where the store is digitalocean.opensearch', () => {
    const dir = envDir();
    const doEnv = loadEnvironments({ dir }).find((c) => c.cloud === 'digitalocean');
    if (!doEnv) throw new Error('test fixture: the shipped environments have no DigitalOcean environment');
    const file = `${doEnv.name}.yaml`;
    const out = problems(envDir({ [file]: withValue(file, ['logging', 'store'], { type: 'none' }) }), [doEnv.name]);
    expect(out).toEqual([
      `environments/${file}: logging.store.type: "none" is AWS-only; on digitalocean the log store is sized under digitalocean.opensearch`,
    ]);
  });
});
