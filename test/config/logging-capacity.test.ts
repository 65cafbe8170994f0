/**
 * The capacity checks of the `logging` section, caught in the values with file and key before any construct
 * would throw: the log store's data nodes per availability zone, and the forwarder's user data budget (rendered
 * and measured the way the color stacks render it).
 */
import { createHash } from 'crypto';
import { USER_DATA_LIMIT_BYTES, userDataBytesFromValues } from '../../lib/agents/user-data';
import { loadEnvironments } from '../../lib/config';
import { configProblems } from '../support/config-problems';
import { envDir, withValue } from '../support/env-dir';

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');
/** `n` app logs with long, distinct paths that gzip cannot fold together. */
const longLogs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    path: `/srv/${hex(`a${i}`)}/${hex(`b${i}`)}/${hex(`c${i}`)}.log`,
    format: i % 2 ? 'json' : 'text',
    tag: `svc-${i}`,
  }));

describe('logging.store.instanceCount: data nodes per availability zone', () => {
  test("fails 4 nodes over prod's 3 zones, naming file, key, the zone count and the fix", () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'store', 'instanceCount'], 4) });
    expect(configProblems(dir)).toEqual([
      'environments/prod.yaml: logging.store.instanceCount: 4 data nodes do not split evenly over the 3 availability zones they spread over (min(instanceCount, network.azCount, 3)); use a multiple of 3 (3 or 6)',
    ]);
  });

  test('passes 6 nodes over 3 zones, and 1 node (no zone awareness)', () => {
    for (const count of [6, 1]) {
      const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'store', 'instanceCount'], count) });
      expect(loadEnvironments({ dir, only: ['prod'] })[0].logging.store.instanceCount).toBe(count);
    }
  });

  test('fails 3 nodes over 2 zones (staging: azCount 2)', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['logging', 'store'], { instanceCount: 3 }) });
    expect(configProblems(dir, ['staging'])).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml: logging\.store\.instanceCount: 3 data nodes do not split evenly over the 2 availability zones .*use a multiple of 2 \(2 or 4\)$/,
      ),
    ]);
  });
});

describe('logging.appLogs: the user data budget', () => {
  test('the shipped environments fit with room to spare', () => {
    for (const config of loadEnvironments({ dir: envDir() })) {
      const limit = USER_DATA_LIMIT_BYTES[config.cloud as keyof typeof USER_DATA_LIMIT_BYTES];
      for (const color of ['blue', 'green'] as const)
        expect(userDataBytesFromValues(config, color)).toBeLessThan(limit * 0.75);
    }
  });

  test('20 files with long paths fit on AWS', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'appLogs'], longLogs(20)) });
    const [prod] = loadEnvironments({ dir, only: ['prod'] });
    expect(userDataBytesFromValues(prod, 'blue')).toBeLessThanOrEqual(16384);
  });

  test('fails 50 files with long paths on AWS, with file, key, size, limit and the fix', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['logging', 'appLogs'], longLogs(50)) });
    expect(configProblems(dir, ['prod'])).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: logging\.appLogs: the blue servers' user data would be \d{5} bytes, over the 16384 the cloud accepts \(50 log files\): forward fewer files, e\.g\. one wildcard pattern/,
      ),
    ]);
  });
});
