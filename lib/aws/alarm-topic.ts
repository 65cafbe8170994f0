import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { checkProp } from '../construct-errors';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { protectStateful } from './stateful';

/** Protocols an alarm subscription may use (the ones that reach a person or a pager without extra resources). */
export const ALARM_SUBSCRIPTION_PROTOCOLS = ['email', 'https', 'sqs', 'lambda'] as const;

/** One receiver of the alarms. */
export interface AlarmSubscription {
  /** `email`, `https`, `sqs` or `lambda`. */
  readonly protocol: (typeof ALARM_SUBSCRIPTION_PROTOCOLS)[number];
  /** The address: an e-mail address, an HTTPS URL, or a queue or function ARN. */
  readonly endpoint: string;
}

/** Props for {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Name prefix, e.g. `shop-prod`; the topic is `<name>-alarms`, its key alias `alias/<name>-alarms`. */
  readonly name: string;
  /** The AWS region of the alarms (`region` of the values), for the publishing condition. */
  readonly region: string;
  /**
   * Who is told when an alarm fires or recovers.
   * @default [] - subscribe later (the topic still records every notification attempt)
   */
  readonly subscriptions?: readonly AlarmSubscription[];
  /**
   * Terraform's `prevent_destroy` on the key (its loss would make queued notifications unreadable).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The environment's alarm topic: an SNS topic encrypted with its own rotating KMS key, that only CloudWatch alarms
 * of this account and region may publish to (`aws:SourceAccount`, `aws:SourceArn`), with the subscriptions of the
 * values. Every alarm of the environment notifies it (see `LogMetrics`).
 */
export class AlarmTopic extends Construct {
  /** The topic; pass `topic.arn` as an alarm action. */
  public readonly topic: SnsTopic;
  /** The topic's KMS key. */
  public readonly key: KmsKey;
  /** The subscriptions, in the order given. */
  public readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const topicName = `${props.name}-alarms`;
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.kmsAlias, `alias/${topicName}`);
    for (const [i, s] of (props.subscriptions ?? []).entries()) {
      checkProp(this, s.protocol as string, (protocol) =>
        (ALARM_SUBSCRIPTION_PROTOCOLS as readonly string[]).includes(protocol)
          ? undefined
          : `subscriptions[${i}].protocol "${protocol}" is not one of ${ALARM_SUBSCRIPTION_PROTOCOLS.join(', ')}. Fix: use one of those protocols`,
      );
    }
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const alarms = `arn:${partition.partition}:cloudwatch:${props.region}:${account.accountId}:alarm:*`;
    const fromAlarms = [
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] },
      { test: 'ArnLike', variable: 'aws:SourceArn', values: [alarms] },
    ];
    const keyPolicy = new DataAwsIamPolicyDocument(this, 'key-policy', {
      statement: [
        {
          sid: 'AccountAdministration',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          condition: fromAlarms,
        },
      ],
    });
    this.key = new KmsKey(this, 'key', {
      description: `SNS alarm topic ${topicName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy.json,
    });
    protectStateful([this.key], props.preventDestroy);
    new KmsAlias(this, 'alias', { name: `alias/${topicName}`, targetKeyId: this.key.keyId });
    this.topic = new SnsTopic(this, 'topic', { name: topicName, kmsMasterKeyId: this.key.arn });
    const topicPolicy = new DataAwsIamPolicyDocument(this, 'topic-policy', {
      statement: [
        {
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['sns:Publish'],
          resources: [this.topic.arn],
          condition: fromAlarms,
        },
      ],
    });
    new SnsTopicPolicy(this, 'policy', { arn: this.topic.arn, policy: topicPolicy.json });
    this.subscriptions = (props.subscriptions ?? []).map(
      (s, i) =>
        new SnsTopicSubscription(this, `subscription-${i}`, {
          topicArn: this.topic.arn,
          protocol: s.protocol,
          endpoint: s.endpoint,
        }),
    );
  }
}
