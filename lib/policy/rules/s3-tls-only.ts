import { defineRule } from '../rule';
import { bucketCompanions } from '../s3-companions';
import { SynthResource } from '../stack-view';

/** Whether a bucket policy document denies requests with `aws:SecureTransport = false`. */
export function deniesInsecureTransport(policy: unknown): boolean {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch {
      // A Terraform expression (jsonencode(...)): fall back to the text.
      return /"?Effect"?\s*[:=]\s*"Deny"/.test(policy) && /aws:SecureTransport"?\s*[:=]\s*"?false/.test(policy);
    }
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((s: Record<string, unknown>) => {
    if (s?.Effect !== 'Deny') return false;
    const bool = ((s.Condition ?? {}) as Record<string, Record<string, unknown>>).Bool ?? {};
    const v = bool['aws:SecureTransport'];
    return v === false || v === 'false' || (Array.isArray(v) && v.map(String).includes('false'));
  });
}

/** Every S3 bucket denies plain-HTTP access in its bucket policy. No checkov check covers this. */
export const s3TlsOnly = defineRule({
  id: 's3-tls-only',
  explanation: 'S3 bucket policy does not deny requests over plain HTTP',
  fix: 'add an aws_s3_bucket_policy with a Deny statement on s3:* for the bucket and its objects when aws:SecureTransport is "false"',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket: SynthResource, stack) {
    const policies = bucketCompanions(bucket, stack, 'aws_s3_bucket_policy');
    return policies.some((p) => deniesInsecureTransport(p.config.policy)) ? 'compliant' : 'non-compliant';
  },
});
