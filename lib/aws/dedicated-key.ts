import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';

/** Props for {@link addDedicatedKey}. */
export interface DedicatedKeyProps {
  /** Key description. */
  readonly description: string;
  /** Alias, including the `alias/` prefix. */
  readonly alias: string;
  /**
   * Days before a deleted key is destroyed.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
}

/**
 * Adds the key policy document `key-policy` to `scope`: this account administers the key (`kms:*` for the account
 * root, AWS's default key policy written out, so the key never depends on an implicit default); IAM policies and
 * grants in the account then give the narrow uses. `"Resource": "*"` in a key policy means the key itself.
 */
export function accountAdministrationKeyPolicy(scope: Construct, account: DataAwsCallerIdentity, partition: DataAwsPartition): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, 'key-policy', {
    statement: [
      {
        sid: 'AccountAdministration',
        principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
        actions: ['kms:*'],
        resources: ['*'],
      },
    ],
  });
}

/**
 * Adds a customer-managed KMS key for one resource (a bucket, a repository) to `scope`, under the ids
 * `account`, `partition`, `key-policy`, `key` and `alias`: rotation on, `prevent_destroy`, administered by this
 * account (services such as S3 and ECR use it on the caller's behalf through IAM and grants).
 */
export function addDedicatedKey(scope: Construct, props: DedicatedKeyProps): { key: KmsKey; alias: KmsAlias } {
  const account = new DataAwsCallerIdentity(scope, 'account');
  const partition = new DataAwsPartition(scope, 'partition');
  const policy = accountAdministrationKeyPolicy(scope, account, partition);
  const key = new KmsKey(scope, 'key', {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: props.deletionWindowInDays ?? 30,
    policy: policy.json,
    lifecycle: { preventDestroy: true },
  });
  const alias = new KmsAlias(scope, 'alias', { name: props.alias, targetKeyId: key.keyId });
  return { key, alias };
}
