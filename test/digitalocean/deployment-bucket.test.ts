import { DeploymentBucket, DeploymentBucketProps } from '../../lib/digitalocean/deployment-bucket';
import { onlyResource } from '../support/construct-synth';

const synth = (props: DeploymentBucketProps) =>
  onlyResource('digitalocean_spaces_bucket', (scope) => new DeploymentBucket(scope, 'deployments', props));

describe('DeploymentBucket', () => {
  const bucket = synth({ bucketName: 'shop-dev-deployments', region: 'fra1' });

  test('private, in the given region', () => {
    expect(bucket).toMatchObject({ name: 'shop-dev-deployments', region: 'fra1', acl: 'private' });
  });

  test('versioning on', () => {
    expect(bucket.versioning).toEqual({ enabled: true });
  });

  test('lifecycle: old versions expire after 90 days, stale uploads after 7', () => {
    expect(bucket.lifecycle_rule).toEqual([
      {
        id: 'expire-old-versions',
        enabled: true,
        noncurrent_version_expiration: { days: 90 },
        abort_incomplete_multipart_upload_days: 7,
      },
    ]);
  });

  test('cannot be destroyed: force_destroy off and prevent_destroy', () => {
    expect(bucket.force_destroy).toBe(false);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('retention of old versions follows the props', () => {
    expect(
      synth({ bucketName: 'shop-dev-deployments', region: 'fra1', noncurrentVersionExpirationDays: 400 })
        .lifecycle_rule[0].noncurrent_version_expiration,
    ).toEqual({ days: 400 });
  });

  test.each(['Shop-Dev', 'shop.dev.records', 'ab', '-shop'])('fails on bucket name %p', (bucketName) => {
    expect(() => synth({ bucketName, region: 'fra1' })).toThrow(/must be 3–63 lowercase letters, digits and dashes/);
  });

  test('fails on a retention below one day', () => {
    expect(() =>
      synth({ bucketName: 'shop-dev-deployments', region: 'fra1', noncurrentVersionExpirationDays: 0 }),
    ).toThrow(/noncurrentVersionExpirationDays must be a whole number ≥ 1 \(got 0\)/);
  });
});
