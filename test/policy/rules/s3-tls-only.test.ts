import { deniesInsecureTransport, s3TlsOnly } from '../../../lib/policy';
import { bucket, BUCKET_REF, verdict } from '../../support/policy';

const statement = (effect: string, secure: string) => ({
  Effect: effect,
  Principal: '*',
  Action: 's3:*',
  Resource: ['${aws_s3_bucket.b.arn}', '${aws_s3_bucket.b.arn}/*'],
  Condition: { Bool: { 'aws:SecureTransport': secure } },
});
const policy = (...statements: object[]) => ({
  type: 'aws_s3_bucket_policy',
  name: 'p',
  config: { bucket: BUCKET_REF, policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
});

describe('s3-tls-only', () => {
  test('passes a policy denying aws:SecureTransport false', () => {
    expect(verdict(s3TlsOnly, [bucket(), policy(statement('Deny', 'false'))])).toBe('compliant');
  });
  test('fails a policy that only allows', () => {
    expect(verdict(s3TlsOnly, [bucket(), policy(statement('Allow', 'true'))])).toBe('non-compliant');
  });
  test('fails a bucket without a policy', () => {
    expect(verdict(s3TlsOnly, [bucket()])).toBe('non-compliant');
  });
  test('reads a jsonencode() expression by its text', () => {
    expect(
      deniesInsecureTransport(
        '${jsonencode({"Statement" = [{"Effect" = "Deny", "Condition" = {"Bool" = {"aws:SecureTransport" = "false"}}}]})}',
      ),
    ).toBe(true);
  });
});
