import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { KEY_DESTRUCTION_ACTIONS } from '../policy/key-policy';

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
  /**
   * Guard the key of data that must outlive every administrator (object-locked archives): nobody may disable it,
   * schedule its deletion or change its policy except the principal named here (see {@link KEY_DESTRUCTION_ACTIONS}).
   * `null` guards the key with no exception (nobody at all); `undefined` leaves the account administering it.
   * @default undefined - account administration only (`kms:*` for the account root)
   */
  readonly breakGlassRoleArn?: string | null;
}

/**
 * Adds the key policy document `key-policy` to `scope`: this account administers the key (`kms:*` for the account
 * root, AWS's default key policy written out, so the key never depends on an implicit default); IAM policies and
 * grants in the account then give the narrow uses. `"Resource": "*"` in a key policy means the key itself.
 */
export function accountAdministrationKeyPolicy(
  scope: Construct,
  account: DataAwsCallerIdentity,
  partition: DataAwsPartition,
): DataAwsIamPolicyDocument {
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
 * What the account may do with a guarded key (delegated to IAM policies): administer, tag, grant and use it, but
 * none of {@link KEY_DESTRUCTION_ACTIONS} (listed, not `NotAction`, so no wildcard can ever include them).
 */
export const GUARDED_KEY_ADMINISTRATION_ACTIONS = [
  'kms:Describe*',
  'kms:Get*',
  'kms:List*',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:CancelKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:CreateGrant',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
] as const;

/**
 * Adds the key policy document `key-policy` to `scope` for a key that protects object-locked data: this account
 * administers the key except for {@link KEY_DESTRUCTION_ACTIONS} (so no IAM policy can grant them: see
 * {@link GUARDED_KEY_ADMINISTRATION_ACTIONS}), and an explicit
 * deny refuses those actions to every principal, the account root and IAM administrators included, except the
 * break-glass role (when one is named). Deleting or disabling the key would make every locked object unreadable,
 * which object lock alone does not prevent.
 */
export function guardedKeyPolicy(
  scope: Construct,
  account: DataAwsCallerIdentity,
  partition: DataAwsPartition,
  breakGlassRoleArn: string | null,
): DataAwsIamPolicyDocument {
  const root = `arn:${partition.partition}:iam::${account.accountId}:root`;
  const destruction = [...KEY_DESTRUCTION_ACTIONS];
  return new DataAwsIamPolicyDocument(scope, 'key-policy', {
    statement: [
      {
        sid: 'AccountAdministrationExceptDestruction',
        principals: [{ type: 'AWS', identifiers: [root] }],
        actions: [...GUARDED_KEY_ADMINISTRATION_ACTIONS],
        resources: ['*'],
      },
      ...(breakGlassRoleArn
        ? [
            {
              sid: 'BreakGlassDestruction',
              principals: [{ type: 'AWS', identifiers: [breakGlassRoleArn] }],
              actions: destruction,
              resources: ['*'],
            },
          ]
        : []),
      {
        sid: 'DenyDestructionExceptBreakGlass',
        effect: 'Deny',
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        actions: destruction,
        resources: ['*'],
        ...(breakGlassRoleArn
          ? { condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: [breakGlassRoleArn] }] }
          : {}),
      },
    ],
  });
}

/**
 * Adds a customer-managed KMS key for one resource (a bucket, a repository) to `scope`, under the ids
 * `account`, `partition`, `key-policy`, `key` and `alias`: rotation on, administered by this
 * account (services such as S3 and ECR use it on the caller's behalf through IAM and grants). The caller marks
 * the key stateful (`protectStateful`, with its own `preventDestroy` prop).
 */
export function addDedicatedKey(scope: Construct, props: DedicatedKeyProps): { key: KmsKey; alias: KmsAlias } {
  const account = new DataAwsCallerIdentity(scope, 'account');
  const partition = new DataAwsPartition(scope, 'partition');
  const guarded = props.breakGlassRoleArn !== undefined;
  const policy = guarded
    ? guardedKeyPolicy(scope, account, partition, props.breakGlassRoleArn ?? null)
    : accountAdministrationKeyPolicy(scope, account, partition);
  const key = new KmsKey(scope, 'key', {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: props.deletionWindowInDays ?? 30,
    policy: policy.json,
    // A guarded policy does not let the deployer change it again (only the break-glass role may): KMS's lockout
    // safety check would refuse it, so it is bypassed on purpose. Later policy changes are applied by that role.
    ...(guarded ? { bypassPolicyLockoutSafetyCheck: true } : {}),
  });
  const alias = new KmsAlias(scope, 'alias', { name: props.alias, targetKeyId: key.keyId });
  return { key, alias };
}
