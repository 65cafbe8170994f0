/** IAM policy statements that every bucket of this library carries. */

/** A bucket policy statement that denies every request not made over TLS, to the bucket and its objects. */
export function denyInsecureTransport(bucketArn: string): Record<string, unknown> {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
