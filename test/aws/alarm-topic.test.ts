import { Testing } from 'cdktf';
import { AlarmTopic, AlarmTopicProps } from '../../lib/aws/alarm-topic';

const synth = (props: Partial<AlarmTopicProps> = {}) =>
  JSON.parse(
    Testing.synthScope(
      (scope) =>
        new AlarmTopic(scope, 'alarms', {
          name: 'shop-test',
          region: 'eu-west-1',
          subscriptions: [{ protocol: 'email', endpoint: 'ops@example.com' }],
          ...props,
        }),
    ),
  );

describe('AlarmTopic', () => {
  const json = synth();
  const one = (type: string) => Object.values(json.resource[type] as Record<string, Record<string, unknown>>)[0];

  test('is an SNS topic encrypted with its own rotating, destroy-protected key', () => {
    expect(one('aws_sns_topic')).toMatchObject({
      name: 'shop-test-alarms',
      kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.alarms_key_.*\.arn\}$/),
    });
    expect(one('aws_kms_key')).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
  });

  test('only CloudWatch alarms of this account and region may publish, and use the key', () => {
    const docs = json.data.aws_iam_policy_document as Record<
      string,
      {
        statement: Array<{
          sid: string;
          principals: Array<{ identifiers: string[] }>;
          condition?: Array<{ variable: string; values: string[] }>;
        }>;
      }
    >;
    const cloudwatch = Object.values(docs)
      .flatMap((d) => d.statement)
      .filter((s) => s.principals[0].identifiers.includes('cloudwatch.amazonaws.com'));
    expect(cloudwatch).toHaveLength(2);
    for (const s of cloudwatch) {
      expect(s.condition!.map((c) => c.variable).sort()).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
      expect(s.condition!.find((c) => c.variable === 'aws:SourceArn')!.values[0]).toMatch(
        /:cloudwatch:eu-west-1:\$\{data\.aws_caller_identity\..*\}:alarm:\*$/,
      );
    }
  });

  test('subscribes the receivers of the values', () => {
    expect(one('aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
  });

  test('fails on an unsupported protocol, naming the construct', () => {
    expect(() => synth({ subscriptions: [{ protocol: 'sms' as 'email', endpoint: '+100' }] })).toThrow(
      /^stack\/alarms: subscriptions\[0\]\.protocol "sms" is not one of email, https, sqs, lambda\. Fix: /,
    );
  });
});
