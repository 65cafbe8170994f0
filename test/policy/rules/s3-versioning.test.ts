import { s3Versioning } from '../../../lib/policy';
import { bucket, BUCKET_REF, verdict } from '../../support/policy';

const versioning = (status: string) => ({
  type: 'aws_s3_bucket_versioning',
  name: 'v',
  config: { bucket: BUCKET_REF, versioning_configuration: { status } },
});

describe('s3-versioning', () => {
  test('passes a bucket with versioning Enabled', () => {
    expect(verdict(s3Versioning, [bucket(), versioning('Enabled')])).toBe('compliant');
  });
  test('fails a bucket with versioning Suspended', () => {
    expect(verdict(s3Versioning, [bucket(), versioning('Suspended')])).toBe('non-compliant');
  });
  test('fails a bucket without a versioning resource', () => {
    expect(verdict(s3Versioning, [bucket()])).toBe('non-compliant');
  });
});
