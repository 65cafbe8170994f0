import { s3ArchiveObjectLock } from '../../../lib/policy';
import { BUCKET_REF, check, verdict } from '../../support/policy';

const archive = (config: Record<string, unknown> = {}) => ({
  type: 'aws_s3_bucket',
  name: 'b',
  config: { bucket: 'shop-prod-archive', ...config },
});
const lock = {
  type: 'aws_s3_bucket_object_lock_configuration',
  name: 'lock',
  config: { bucket: BUCKET_REF, rule: { default_retention: { mode: 'COMPLIANCE', days: 365 } } },
};

describe('s3-archive-object-lock', () => {
  test('passes an archive bucket with object lock and a default retention', () => {
    expect(verdict(s3ArchiveObjectLock, [archive({ object_lock_enabled: true }), lock])).toBe('compliant');
  });
  test('fails an archive bucket created without object lock', () => {
    expect(check(s3ArchiveObjectLock, [archive(), lock])).toEqual({
      compliance: 'non-compliant',
      detail: 'object_lock_enabled is not true',
    });
  });
  test('fails an archive bucket with object lock but no default retention', () => {
    expect(verdict(s3ArchiveObjectLock, [archive({ object_lock_enabled: true })])).toBe('non-compliant');
  });
  test('recognises archive buckets by the purpose tag', () => {
    const tagged = {
      type: 'aws_s3_bucket',
      name: 'b',
      config: { bucket: 'shop-prod-records', tags: { purpose: 'archive' } },
    };
    expect(verdict(s3ArchiveObjectLock, [tagged])).toBe('non-compliant');
  });
  test('fails a bucket created with object lock but without a default retention', () => {
    const locked = {
      type: 'aws_s3_bucket',
      name: 'b',
      config: { bucket: 'shop-prod-deployment-records', object_lock_enabled: true },
    };
    expect(check(s3ArchiveObjectLock, [locked]).detail).toBe(
      'no aws_s3_bucket_object_lock_configuration with a default retention',
    );
    expect(verdict(s3ArchiveObjectLock, [locked, lock])).toBe('compliant');
  });
  test('does not apply to other buckets', () => {
    expect(
      verdict(s3ArchiveObjectLock, [{ type: 'aws_s3_bucket', name: 'b', config: { bucket: 'shop-prod-access-logs' } }]),
    ).toBe('not-applicable');
  });
});
