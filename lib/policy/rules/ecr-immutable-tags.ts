import { defineRule, nonCompliant } from '../rule';

/** Release registries refuse to move a tag: a release is what was tested, byte for byte. */
export const ecrImmutableTags = defineRule({
  id: 'ecr-immutable-tags',
  checkovId: 'CKV_AWS_51',
  explanation: 'ECR repository lets a pushed tag be moved to another image',
  fix: 'set image_tag_mutability = "IMMUTABLE" on the repository (and deploy by digest)',
  resourceTypes: ['aws_ecr_repository'],
  evaluate(repo) {
    const mutability = String(repo.config.image_tag_mutability ?? 'MUTABLE');
    return mutability.startsWith('IMMUTABLE') ? 'compliant' : nonCompliant(`image_tag_mutability is ${mutability}`);
  },
});
