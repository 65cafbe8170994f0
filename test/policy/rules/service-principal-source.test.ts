import { servicePrincipalSource } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const role = (statement: object) => ({
  type: 'aws_iam_role',
  name: 'r',
  config: { assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) },
});
const flowLogs = { Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' };

describe('service-principal-source', () => {
  test('passes a service trust with aws:SourceAccount, and an EC2 instance role', () => {
    expect(
      verdict(servicePrincipalSource, [
        role({ ...flowLogs, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }),
      ]),
    ).toBe('compliant');
    expect(
      verdict(servicePrincipalSource, [
        role({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      ]),
    ).toBe('compliant');
  });
  test('fails a flow-log trust without a source condition', () => {
    expect(check(servicePrincipalSource, [role(flowLogs)])).toEqual({
      compliance: 'non-compliant',
      detail: 'vpc-flow-logs.amazonaws.com without aws:SourceAccount or aws:SourceArn',
    });
  });
  test('fails a log delivery bucket policy statement with only an unrelated condition', () => {
    const policy = {
      type: 'aws_s3_bucket_policy',
      name: 'p',
      config: {
        policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'true' } },
            },
          ],
        }),
      },
    };
    expect(verdict(servicePrincipalSource, [policy])).toBe('non-compliant');
  });
  test('reads a jsonencode(...) resource policy as text', () => {
    const hcl = (cond: string) => ({
      type: 'aws_cloudwatch_log_resource_policy',
      name: 'l',
      config: {
        policy_document: `\${jsonencode({"Statement" = [{"Principal" = {"Service" = "es.amazonaws.com"}${cond}}]})}`,
      },
    });
    expect(verdict(servicePrincipalSource, [hcl('')])).toBe('non-compliant');
    expect(
      verdict(servicePrincipalSource, [hcl(', "Condition" = {"StringEquals" = {"aws:SourceAccount" = "1"}}')]),
    ).toBe('compliant');
  });
});
