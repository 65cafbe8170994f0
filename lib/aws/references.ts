/**
 * Typed references between AWS constructs. A construct that uses a key, a certificate or a policy takes the object
 * (anything with its `arn`), not an ARN string: a provider resource (`KmsKey`, `AcmCertificate`, `IamPolicy`), a
 * construct of this library ({@link LogEncryptionKey}, {@link TlsCertificate}), or `{ arn }` read from elsewhere (an
 * SSM parameter another stack publishes).
 */

/** A KMS key, by its ARN: a `KmsKey`, a `DataAwsKmsKey`, a {@link LogEncryptionKey}, or `{ arn }` (an alias ARN works too). */
export interface IKmsKeyRef {
  /** ARN of the key (or of an alias of it). */
  readonly arn: string;
}

/** An ACM certificate, by its ARN: a {@link TlsCertificate}, an `AcmCertificate`, or `{ arn }` another stack published. */
export interface ICertificateRef {
  /** ARN of the certificate. */
  readonly arn: string;
}

/** A managed IAM policy, by its ARN: what a `grant…` method returns, or `{ arn }` another stack published. */
export interface IManagedPolicyRef {
  /** ARN of the policy. */
  readonly arn: string;
}

/**
 * Props of every `grant…` method. A grant creates a managed IAM policy rather than attaching to a role, because the
 * grantee usually lives in another stack (a color's fleet role): that stack attaches the policy by its ARN (see
 * `ColorFleetProps.managedPolicies`).
 */
export interface GrantPolicyProps {
  /** IAM policy name, e.g. `shop-prod-app-files`. */
  readonly name: string;
}
