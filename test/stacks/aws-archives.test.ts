// The archives and release registry as wired into an AWS environment's stacks (issue 6).
import { followPublished, resources, synthEnvironments, TfJson } from '../support/synth';

describe('prod: archive buckets and registry in prod-shared, release parameters in the color stacks', () => {
  const stacks = synthEnvironments(undefined, ['prod']);
  const stack = (name: string): TfJson => stacks.get(name)!;
  const shared = stack('prod-shared');

  test('prod-shared holds two object-locked archive buckets in COMPLIANCE mode (from prod.yaml)', () => {
    const names = resources(shared, 'aws_s3_bucket')
      .filter((b) => b.object_lock_enabled === true)
      .map((b) => b.bucket)
      .sort();
    expect(names).toEqual(['shop-prod-app-files', 'shop-prod-deployment-records']);
    const retention = resources(shared, 'aws_s3_bucket_object_lock_configuration').map(
      (l) => (l.rule as { default_retention: unknown }).default_retention,
    );
    expect(retention).toEqual(
      expect.arrayContaining([
        { mode: 'COMPLIANCE', days: 2555 },
        { mode: 'COMPLIANCE', days: 90 },
      ]),
    );
  });

  test('prod-shared holds the immutable ECR repository of the app and environment, shop/prod', () => {
    expect(resources(shared, 'aws_ecr_repository')).toEqual([
      expect.objectContaining({ name: 'shop/prod', image_tag_mutability: 'IMMUTABLE' }),
    ]);
  });

  test('prod-shared outputs the records bucket, app-files bucket, region and registry URL the commands read', () => {
    const out = shared.output!;
    expect(out.deployment_records_bucket.value).toMatch(
      /^\$\{aws_s3_bucket\.deployment-records_bucket_[0-9A-F]+\.bucket\}$/,
    );
    expect(out.app_files_bucket.value).toMatch(/^\$\{aws_s3_bucket\.app-files_bucket_[0-9A-F]+\.bucket\}$/);
    expect(out.archive_region.value).toBe('eu-west-1');
    expect(out.release_registry_url.value).toMatch(/aws_ecr_repository\..*\.repository_url/);
  });

  test.each(['blue', 'green'] as const)('prod-%s holds its own release parameter and nothing stateful', (color) => {
    const s = stack(`prod-${color}`);
    const params = resources(s, 'aws_ssm_parameter');
    expect(params.map((p) => p.name)).toEqual([`/shop/prod/${color}/release`]);
    expect(JSON.parse(params[0].value as string).version).toBe(color === 'green' ? '1.5.0' : '1.4.1');
    expect(resources(s, 'aws_s3_bucket')).toEqual([]);
    expect(resources(s, 'aws_ecr_repository')).toEqual([]);
  });

  test('the fleets get the app-files access, registry pull and release read policies', () => {
    const attachments = resources(stack('prod-green'), 'aws_iam_role_policy_attachment').map((a) =>
      followPublished(stacks, a.policy_arn),
    );
    expect(attachments.some((a) => /app-files_fleet-access/.test(a))).toBe(true);
    expect(attachments.some((a) => /registry_fleet-pull/.test(a))).toBe(true);
    expect(attachments.some((a) => /aws_iam_policy\.release_release-read_/.test(a))).toBe(true);
  });
});
