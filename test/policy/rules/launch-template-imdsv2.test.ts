import { launchTemplateImdsv2 } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const lt = (config: Record<string, unknown>) => ({ type: 'aws_launch_template', name: 'lt', config });

describe('launch-template-imdsv2', () => {
  test('passes http_tokens required', () => {
    expect(
      verdict(launchTemplateImdsv2, [lt({ metadata_options: { http_tokens: 'required', http_endpoint: 'enabled' } })]),
    ).toBe('compliant');
  });
  test('fails http_tokens optional', () => {
    expect(check(launchTemplateImdsv2, [lt({ metadata_options: { http_tokens: 'optional' } })])).toEqual({
      compliance: 'non-compliant',
      detail: 'http_tokens is optional',
    });
  });
  test('fails a template without metadata_options', () => {
    expect(verdict(launchTemplateImdsv2, [lt({})])).toBe('non-compliant');
  });
  test('covers aws_instance too', () => {
    expect(
      verdict(launchTemplateImdsv2, [
        { type: 'aws_instance', name: 'i', config: { metadata_options: [{ http_tokens: 'required' }] } },
      ]),
    ).toBe('compliant');
  });
});
