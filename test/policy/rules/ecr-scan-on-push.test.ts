import { ecrScanOnPush } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const repo = (config: Record<string, unknown>) => ({
  type: 'aws_ecr_repository',
  name: 'registry',
  config: { name: 'shop', ...config },
});

describe('ecr-scan-on-push', () => {
  test('passes scan_on_push', () => {
    expect(verdict(ecrScanOnPush, [repo({ image_scanning_configuration: { scan_on_push: true } })])).toBe('compliant');
  });
  test('fails a repository without scanning', () => {
    expect(verdict(ecrScanOnPush, [repo({})])).toBe('non-compliant');
    expect(verdict(ecrScanOnPush, [repo({ image_scanning_configuration: [{ scan_on_push: false }] })])).toBe(
      'non-compliant',
    );
  });
});
