import { s3KmsEncryption } from '../../../lib/policy';
import { bucket, BUCKET_REF, check, verdict } from '../../support/policy';

const sse = (algorithm: string) => ({
  type: 'aws_s3_bucket_server_side_encryption_configuration',
  name: 'sse',
  config: {
    bucket: BUCKET_REF,
    rule: [
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: algorithm,
          kms_master_key_id: '${aws_kms_key.k.arn}',
        },
      },
    ],
  },
});

describe('s3-kms-encryption', () => {
  test('passes aws:kms default encryption', () => {
    expect(verdict(s3KmsEncryption, [bucket(), sse('aws:kms')])).toBe('compliant');
  });
  test('fails SSE-S3 (AES256), naming the algorithm', () => {
    expect(check(s3KmsEncryption, [bucket(), sse('AES256')])).toEqual({
      compliance: 'non-compliant',
      detail: 'sse_algorithm is AES256',
    });
  });
  test('fails a bucket without an encryption configuration', () => {
    expect(verdict(s3KmsEncryption, [bucket()])).toBe('non-compliant');
  });
});
