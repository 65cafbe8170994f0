import { albDropInvalidHeaders } from '../../../lib/policy';
import { verdict } from '../../support/policy';

const lb = (config: Record<string, unknown>) => ({ type: 'aws_lb', name: 'alb', config });

describe('alb-drop-invalid-headers', () => {
  test('passes an ALB that drops invalid header fields', () => {
    expect(
      verdict(albDropInvalidHeaders, [lb({ load_balancer_type: 'application', drop_invalid_header_fields: true })]),
    ).toBe('compliant');
  });
  test('fails an ALB that passes invalid header fields through', () => {
    expect(verdict(albDropInvalidHeaders, [lb({})])).toBe('non-compliant');
  });
  test('does not apply to network load balancers', () => {
    expect(verdict(albDropInvalidHeaders, [lb({ load_balancer_type: 'network' })])).toBe('not-applicable');
  });
});
