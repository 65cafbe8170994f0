import { albDeletionProtection, StackView } from '../../../lib/policy';
import { stackJson, verdict } from '../../support/policy';

const lb = (config: Record<string, unknown>) => ({ type: 'aws_lb', name: 'alb', config });

describe('alb-deletion-protection', () => {
  test('passes a production ALB with deletion protection', () => {
    expect(verdict(albDeletionProtection, [lb({ enable_deletion_protection: true })], { production: true })).toBe(
      'compliant',
    );
  });
  test('fails a production ALB without deletion protection', () => {
    expect(verdict(albDeletionProtection, [lb({})], { production: true })).toBe('non-compliant');
  });
  test('does not apply outside production', () => {
    expect(verdict(albDeletionProtection, [lb({})], { production: false })).toBe('not-applicable');
  });
  test('recognises production from the provider default tags', () => {
    const tf = stackJson([lb({})], {
      provider: { aws: [{ default_tags: [{ tags: { environment: 'prod', 'environment-class': 'production' } }] }] },
    });
    expect(new StackView('prod-shared', tf).production).toBe(true);
    expect(
      new StackView(
        'staging-shared',
        stackJson([lb({})], { provider: { aws: [{ default_tags: [{ tags: { environment: 'staging' } }] }] } }),
      ).production,
    ).toBe(false);
  });
});
