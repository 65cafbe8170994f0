import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { AWS_NAME_RULES, logKeyAliasName, validateAwsName } from './aws-names';
import { protectStateful } from './stateful';

/** Props for {@link LogEncryptionKey}. */
export interface LogEncryptionKeyProps {
  /** Name prefix for the alias, e.g. `shop-prod` (alias becomes `alias/shop-prod-logs`). */
  readonly name: string;
  /** Region the CloudWatch Logs service principal acts in, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * Days before a deleted key is destroyed.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Terraform's `prevent_destroy` on the key (and `skip_destroy` on log groups): a plan that would delete
   * them fails. `false` is the opt-out for disposable environments (the guardrail finding is then suppressed with
   * that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A customer-managed KMS key for CloudWatch log groups: rotation on, usable only by this account's
 * administrators and by CloudWatch Logs for log groups of this account and region.
 */
export class LogEncryptionKey extends Construct {
  /** The KMS key; pass `key.arn` as `kmsKeyId` of a log group. */
  public readonly key: KmsKey;
  /** ARN of {@link key}: pass this construct wherever an `IKmsKeyRef` is asked for. */
  public readonly arn: string;
  /** The key's alias. */
  public readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: LogEncryptionKeyProps) {
    super(scope, id);
    const aliasName = logKeyAliasName(props.name);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.kmsAlias, aliasName);
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const root = `arn:${partition.partition}:iam::${account.accountId}:root`;
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: [
        {
          sid: 'AccountAdministration',
          principals: [{ type: 'AWS', identifiers: [root] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          sid: 'CloudWatchLogsOfThisAccount',
          principals: [{ type: 'Service', identifiers: [`logs.${props.region}.amazonaws.com`] }],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          condition: [
            {
              test: 'ArnLike',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: [`arn:${partition.partition}:logs:${props.region}:${account.accountId}:log-group:*`],
            },
          ],
        },
      ],
    });
    this.key = new KmsKey(this, 'key', {
      description: `CloudWatch Logs encryption for ${props.name}`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: policy.json,
    });
    this.arn = this.key.arn;
    protectStateful([this.key], props.preventDestroy);
    this.alias = new KmsAlias(this, 'alias', { name: aliasName, targetKeyId: this.key.keyId });
  }
}
