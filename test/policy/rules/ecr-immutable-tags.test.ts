import { ecrImmutableTags } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const repo = (config: Record<string, unknown>) => ({
  type: 'aws_ecr_repository',
  name: 'registry',
  config: { name: 'shop', ...config },
});

describe('ecr-immutable-tags', () => {
  test('passes an IMMUTABLE repository', () => {
    expect(verdict(ecrImmutableTags, [repo({ image_tag_mutability: 'IMMUTABLE' })])).toBe('compliant');
  });
  test('fails a repository with the default MUTABLE tags', () => {
    expect(check(ecrImmutableTags, [repo({})])).toEqual({
      compliance: 'non-compliant',
      detail: 'image_tag_mutability is MUTABLE',
    });
  });
});
