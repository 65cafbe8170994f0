import * as path from 'path';
import { ConfigError, formatIssue, loadEnvironments } from '../../lib/config';
import { envDir, withValue } from '../support/env-dir';

/** Loads `dir` and returns the formatted problem lines (fails the test if loading succeeds). */
function problems(dir: string): string[] {
  try {
    loadEnvironments({ dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) =>
      formatIssue(i)
        .split(path.dirname(dir) + path.sep)
        .join(''),
    );
  }
  throw new Error('expected the values to be rejected');
}

describe('archive values: the shipped environments', () => {
  const configs = new Map(loadEnvironments({ dir: envDir() }).map((c) => [c.name, c]));

  test('prod locks records in COMPLIANCE mode for seven years (set explicitly in prod.yaml)', () => {
    expect(configs.get('prod')!.archive).toMatchObject({
      objectLockMode: 'COMPLIANCE',
      retentionDays: 2555,
      appFilesRetentionDays: 90,
    });
  });

  test('staging and dev get GOVERNANCE from defaults.yaml', () => {
    expect(configs.get('staging')!.archive.objectLockMode).toBe('GOVERNANCE');
    expect(configs.get('dev')!.archive.objectLockMode).toBe('GOVERNANCE');
    expect(configs.get('staging')!.archive.retentionDays).toBe(90);
  });

  test('the section is optional: without it every key has its schema default', () => {
    const dir = envDir({
      'defaults.yaml': withValue('defaults.yaml', ['archive'], undefined),
      'prod.yaml': withValue('prod.yaml', ['archive'], undefined),
    });
    const prod = loadEnvironments({ dir, only: ['prod'] })[0];
    expect(prod.archive).toEqual({
      objectLockMode: 'GOVERNANCE',
      retentionDays: 90,
      appFilesRetentionDays: 30,
      glacierAfterDays: 90,
      deepArchiveAfterDays: 365,
      noncurrentVersionExpirationDays: 365,
      abortIncompleteUploadDays: 7,
      registryKeepImages: 200,
      registryUntaggedDays: 7,
    });
  });
});

describe('archive values: bad input', () => {
  test('fails on an unknown object-lock mode, naming the file and key', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['archive', 'objectLockMode'], 'LEGAL_HOLD') });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: archive.objectLockMode: must be one of GOVERNANCE, COMPLIANCE (got "LEGAL_HOLD")',
    ]);
  });

  test('fails on a retention of zero days', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['archive'], { retentionDays: 0 }) });
    expect(problems(dir)).toEqual(['environments/staging.yaml: archive.retentionDays: must be at least 1 day']);
  });

  test('fails when Deep Archive comes less than 90 days after Glacier IR', () => {
    const dir = envDir({
      'staging.yaml': withValue('staging.yaml', ['archive'], { glacierAfterDays: 200, deepArchiveAfterDays: 250 }),
    });
    expect(problems(dir)).toEqual([
      'environments/staging.yaml: archive.deepArchiveAfterDays: must be at least 90 days after archive.glacierAfterDays (200), i.e. >= 290; got 250',
    ]);
  });

  test('fails on an unknown key, listing the allowed ones', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['archive', 'retention'], 30) });
    expect(problems(dir)).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: archive\.retention: unknown key \(allowed keys: objectLockMode, retentionDays, /,
      ),
    ]);
  });
});
