import { s3AccessLogging } from '../../../lib/policy';
import { bucket, BUCKET_REF, verdict } from '../../support/policy';

describe('s3-access-logging', () => {
  test('passes a bucket with an aws_s3_bucket_logging target', () => {
    const logging = {
      type: 'aws_s3_bucket_logging',
      name: 'l',
      config: { bucket: BUCKET_REF, target_bucket: '${aws_s3_bucket.logs.id}', target_prefix: 's3/' },
    };
    expect(verdict(s3AccessLogging, [bucket(), logging])).toBe('compliant');
  });
  test('fails a bucket without server access logging', () => {
    expect(verdict(s3AccessLogging, [bucket()])).toBe('non-compliant');
  });
});
