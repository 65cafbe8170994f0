import { s3PublicAccessBlock } from '../../../lib/policy';
import { bucket, BUCKET_REF, check, verdict } from '../../support/policy';

const pab = (flags: Record<string, unknown>, ref = BUCKET_REF) => ({
  type: 'aws_s3_bucket_public_access_block',
  name: 'pab',
  config: { bucket: ref, ...flags },
});
const ALL = {
  block_public_acls: true,
  block_public_policy: true,
  ignore_public_acls: true,
  restrict_public_buckets: true,
};

describe('s3-public-access-block', () => {
  test('passes a bucket referenced by a block with all four flags', () => {
    expect(verdict(s3PublicAccessBlock, [bucket(), pab(ALL)])).toBe('compliant');
  });
  test('passes a block that names the bucket literally', () => {
    expect(verdict(s3PublicAccessBlock, [bucket(), pab(ALL, 'shop-prod-data')])).toBe('compliant');
  });
  test('fails a bucket without a public access block', () => {
    expect(check(s3PublicAccessBlock, [bucket()])).toEqual({
      compliance: 'non-compliant',
      detail: 'no aws_s3_bucket_public_access_block references it',
    });
  });
  test('fails a block with one flag off, naming it', () => {
    const out = check(s3PublicAccessBlock, [bucket(), pab({ ...ALL, restrict_public_buckets: false })]);
    expect(out).toEqual({ compliance: 'non-compliant', detail: 'restrict_public_buckets not true' });
  });
  test('fails when the block belongs to another bucket', () => {
    expect(verdict(s3PublicAccessBlock, [bucket(), pab(ALL, '${aws_s3_bucket.b2.id}')])).toBe('non-compliant');
  });
});
