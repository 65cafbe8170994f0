import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { ReleaseRegistry, ReleaseRegistryProps } from '../../lib/aws/release-registry';
import { byId, synthJson } from '../support/aws-fixture';

type Statement = { Sid: string; Action: string | string[]; Resource: unknown };

function fixture(props: Partial<ReleaseRegistryProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const registry = new ReleaseRegistry(stack, 'registry', { repositoryName: 'shop', ...props });
  return { stack, registry };
}

describe('ReleaseRegistry with defaults', () => {
  const { stack, registry } = fixture();
  registry.grantPull('pull', { name: 'shop-test-pull' });
  const json = synthJson(stack);
  const repoId = Object.keys(byId(json, 'aws_ecr_repository'))[0];
  const repo = byId(json, 'aws_ecr_repository')[repoId];
  const keyId = Object.keys(byId(json, 'aws_kms_key'))[0];
  const lifecycle = Object.values(byId(json, 'aws_ecr_lifecycle_policy'))[0];
  const rules = (JSON.parse(lifecycle.policy as string) as { rules: Array<Record<string, any>> }).rules;

  test('is one repository named after the app, with immutable tags and scan on push', () => {
    expect(Object.keys(byId(json, 'aws_ecr_repository'))).toHaveLength(1);
    expect(repo).toMatchObject({
      name: 'shop',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  test('is encrypted with its own rotating KMS key', () => {
    expect(repo.encryption_configuration).toEqual([
      { encryption_type: 'KMS', kms_key: `\${aws_kms_key.${keyId}.arn}` },
    ]);
    expect(byId(json, 'aws_kms_key')[keyId]).toMatchObject({ enable_key_rotation: true });
  });

  test('is never force-deleted and is protected from destroy', () => {
    expect(repo).toMatchObject({ force_delete: false, lifecycle: { prevent_destroy: true } });
  });

  test('expires untagged images after 7 days and keeps the newest 200 (the catch-all rule last)', () => {
    expect(lifecycle.repository).toBe(`\${aws_ecr_repository.${repoId}.name}`);
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatchObject({
      rulePriority: 1,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    });
    expect(rules[1]).toMatchObject({
      rulePriority: 2,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 200 },
    });
  });

  test('grantPull allows pulling from this repository only, and no push', () => {
    const doc = JSON.parse(Object.values(byId(json, 'aws_iam_policy'))[0].policy as string) as {
      Statement: Statement[];
    };
    const pull = doc.Statement.find((s) => s.Sid === 'PullImages')!;
    expect(pull.Resource).toBe(`\${aws_ecr_repository.${repoId}.arn}`);
    const actions = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => /Put|Upload|Delete|\*/.test(a))).toEqual([]);
    expect(doc.Statement.find((s) => s.Sid === 'RegistryLogin')).toMatchObject({
      Action: 'ecr:GetAuthorizationToken',
      Resource: '*',
    });
  });
});

describe('ReleaseRegistry with explicit values', () => {
  const { stack } = fixture({ keepImages: 30, untaggedExpiryDays: 2 });
  const json = synthJson(stack);

  test('uses the given image count and untagged expiry', () => {
    const rules = (
      JSON.parse(Object.values(byId(json, 'aws_ecr_lifecycle_policy'))[0].policy as string) as {
        rules: Array<Record<string, any>>;
      }
    ).rules;
    expect(rules.map((r) => r.selection.countNumber)).toEqual([2, 30]);
  });
});

describe('ReleaseRegistry validation', () => {
  test('fails on an invalid repository name', () => {
    expect(() => fixture({ repositoryName: 'Shop App' })).toThrow(
      /repositoryName "Shop App" is not a valid ECR repository name/,
    );
  });

  test('fails on keepImages below 1', () => {
    expect(() => fixture({ keepImages: 0 })).toThrow(/keepImages must be a whole number >= 1, got 0/);
  });

  test('fails on a fractional untagged expiry', () => {
    expect(() => fixture({ untaggedExpiryDays: 0.5 })).toThrow(
      /untaggedExpiryDays must be a whole number >= 1, got 0.5/,
    );
  });
});
