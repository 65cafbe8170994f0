import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { ArchiveBucket, ArchiveBucketProps } from '../../lib/aws/archive-bucket';
import { LogBucket } from '../../lib/aws/log-bucket';
import { actionCovers, objectLockKeyGuarded, PolicyPack } from '../../lib/policy';
import { byId, synthJson } from '../support/aws-fixture';

type Json = Record<string, unknown>;
type Statement = {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

function fixture(props: Partial<ArchiveBucketProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const logs = new LogBucket(stack, 'logs', { bucketName: 'shop-test-logs', region: 'eu-west-1' });
  const archive = new ArchiveBucket(stack, 'records', {
    bucketName: 'shop-test-records',
    purpose: 'deployment records',
    accessLogs: logs,
    region: 'eu-west-1',
    ...props,
  });
  return { stack, logs, archive };
}

const only = (json: ReturnType<typeof synthJson>, type: string): Json => {
  const all = Object.values(byId(json, type));
  expect(all).toHaveLength(1);
  return all[0];
};

describe('ArchiveBucket with defaults', () => {
  const { stack, archive } = fixture();
  archive.grantReadWrite('fleet', { name: 'shop-test-fleet', keyPrefix: 'uploads/' });
  archive.grantRead('reader', { name: 'shop-test-reader' });
  const json = synthJson(stack);
  const buckets = byId(json, 'aws_s3_bucket');
  const bucketId = Object.keys(buckets).find((k) => k.startsWith('records_bucket_'))!;
  const bucket = buckets[bucketId];
  const ref = (attr: string) => `\${aws_s3_bucket.${bucketId}.${attr}}`;
  const onThisBucket = (type: string) => Object.values(byId(json, type)).filter((r) => r.bucket === ref('id'));
  const policy = JSON.parse(onThisBucket('aws_s3_bucket_policy')[0].policy as string) as { Statement: Statement[] };
  const statement = (sid: string) => policy.Statement.find((s) => s.Sid === sid)!;
  const iam = Object.values(byId(json, 'aws_iam_policy'));
  const iamDoc = (name: string) =>
    JSON.parse(iam.find((p) => p.name === name)!.policy as string) as { Statement: Statement[] };
  const keyId = Object.keys(byId(json, 'aws_kms_key'))[0];

  test('has object lock on, never force_destroy, and prevent_destroy', () => {
    expect(bucket).toMatchObject({
      bucket: 'shop-test-records',
      object_lock_enabled: true,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('locks every new version in GOVERNANCE mode for 90 days by default, after versioning is on', () => {
    const lock = onThisBucket('aws_s3_bucket_object_lock_configuration')[0];
    expect(lock.rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 90 } });
    expect(lock.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\.records_versioning_/)]);
    expect(onThisBucket('aws_s3_bucket_versioning')[0].versioning_configuration).toEqual({ status: 'Enabled' });
  });

  test('encrypts with its own rotating KMS key and S3 bucket keys', () => {
    expect(only(json, 'aws_kms_key')).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(onThisBucket('aws_s3_bucket_server_side_encryption_configuration')[0].rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: 'aws:kms',
          kms_master_key_id: `\${aws_kms_key.${keyId}.arn}`,
        },
        bucket_key_enabled: true,
      },
    ]);
    expect(only(json, 'aws_kms_alias').name).toBe('alias/shop-test-records');
  });

  test('blocks all public access and disables ACLs', () => {
    expect(onThisBucket('aws_s3_bucket_public_access_block')[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onThisBucket('aws_s3_bucket_ownership_controls')[0].rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
  });

  test('denies non-TLS access to the bucket and its objects', () => {
    expect(statement('DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Action: 's3:*',
      Resource: [ref('arn'), `${ref('arn')}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('denies uploads that request another encryption or another key (headerless ones get the default key)', () => {
    expect(statement('DenyNonKmsEncryption')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${ref('arn')}/*`,
    });
    expect(statement('DenyNonKmsEncryption').Condition).toEqual({
      StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' },
    });
    // no Null-header deny: it would refuse multipart UploadPart requests, which never carry the header
    expect(policy.Statement.filter((st) => JSON.stringify(st.Condition ?? {}).includes('"Null"'))).toEqual([]);
    expect(statement('DenyOtherKmsKeys').Condition).toEqual({
      StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': `\${aws_kms_key.${keyId}.arn}` },
    });
  });

  test('moves objects to Glacier IR at 90 days and Deep Archive at 365, expires noncurrent versions, aborts stale uploads', () => {
    const rule = (onThisBucket('aws_s3_bucket_lifecycle_configuration')[0].rule as Json[])[0];
    expect(rule).toMatchObject({
      status: 'Enabled',
      transition: [
        { days: 90, storage_class: 'GLACIER_IR' },
        { days: 365, storage_class: 'DEEP_ARCHIVE' },
      ],
      noncurrent_version_expiration: [{ noncurrent_days: 365 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
  });

  test('sends server access logs to the log bucket under s3/<bucket>/', () => {
    const logging = onThisBucket('aws_s3_bucket_logging')[0];
    expect(logging.target_bucket).toMatch(/^\$\{aws_s3_bucket\.logs_bucket_[0-9A-F]+\.id\}$/);
    expect(logging.target_prefix).toBe('s3/shop-test-records/');
    // S3 refuses PutBucketLogging until the log bucket's policy grants delivery (seen on the emulator as a race).
    expect(logging.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.logs_policy_[0-9A-F]+$/)]);
  });

  test('grantReadWrite grants list/read/write under the prefix, KMS only through S3, and never delete', () => {
    const doc = iamDoc('shop-test-fleet');
    const actions = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => /Delete|PutObjectRetention|BypassGovernance|\*/.test(a))).toEqual([]);
    expect(doc.Statement.find((s) => s.Sid === 'ListPrefix')).toMatchObject({
      Resource: ref('arn'),
      Condition: { StringLike: { 's3:prefix': ['uploads/*'] } },
    });
    expect(doc.Statement.find((s) => s.Sid === 'Objects')).toMatchObject({ Resource: `${ref('arn')}/uploads/*` });
    expect(doc.Statement.find((s) => s.Sid === 'Objects')!.Action).toEqual(
      expect.arrayContaining(['s3:GetObject', 's3:PutObject']),
    );
    const kms = doc.Statement.find((s) => s.Sid === 'KeyThroughS3')!;
    expect(kms.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
  });

  test('grantRead grants reading only', () => {
    const doc = iamDoc('shop-test-reader');
    const actions = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('kms:GenerateDataKey');
    expect(actions).toContain('s3:GetObject');
  });
});

describe('ArchiveBucket with explicit values', () => {
  const { stack } = fixture({
    objectLockMode: 'COMPLIANCE',
    retentionDays: 2555,
    glacierAfterDays: 30,
    deepArchiveAfterDays: 180,
    noncurrentVersionExpirationDays: 60,
  });
  const json = synthJson(stack);

  test('uses COMPLIANCE mode and the given retention and lifecycle days', () => {
    expect((only(json, 'aws_s3_bucket_object_lock_configuration').rule as Json).default_retention).toEqual({
      mode: 'COMPLIANCE',
      days: 2555,
    });
    const rule = (
      Object.values(byId(json, 'aws_s3_bucket_lifecycle_configuration')).find((r) =>
        String(r.bucket).includes('records_bucket'),
      )!.rule as Json[]
    )[0];
    expect(rule.transition).toEqual([
      { days: 30, storage_class: 'GLACIER_IR' },
      { days: 180, storage_class: 'DEEP_ARCHIVE' },
    ]);
    expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 60 }]);
  });
});

describe('ArchiveBucket validation', () => {
  test('fails on an invalid bucket name', () => {
    expect(() => fixture({ bucketName: 'Shop_Records' })).toThrow(
      /bucketName "Shop_Records" is not a valid S3 bucket name/,
    );
  });

  test('fails on an unknown object-lock mode', () => {
    expect(() => fixture({ objectLockMode: 'LEGAL' as never })).toThrow(
      /objectLockMode must be GOVERNANCE or COMPLIANCE, got "LEGAL"/,
    );
  });

  test('fails on a retention of zero or fractional days', () => {
    expect(() => fixture({ retentionDays: 0 })).toThrow(
      /retentionDays must be a whole number of days from 1 to 36500, got 0/,
    );
    expect(() => fixture({ retentionDays: 1.5 })).toThrow(/retentionDays must be a whole number/);
  });

  test('fails when Deep Archive comes less than 90 days after Glacier IR', () => {
    expect(() => fixture({ glacierAfterDays: 100, deepArchiveAfterDays: 150 })).toThrow(
      /deepArchiveAfterDays \(150\) must be at least 90 days after glacierAfterDays \(100\)/,
    );
  });

  test('fails on a grant prefix with a wildcard or a leading slash', () => {
    const { archive } = fixture();
    expect(() => archive.grantReadWrite('p', { name: 'p', keyPrefix: '/uploads/' })).toThrow(
      /keyPrefix "\/uploads\/" must not start with "\/"/,
    );
    expect(() => archive.grantReadWrite('q', { name: 'q', keyPrefix: 'up*' })).toThrow(/contain wildcards/);
  });
});

describe('ArchiveBucket: the key of locked data cannot be destroyed by administrators (issue 16, item 3)', () => {
  const BREAK_GLASS = 'arn:aws:iam::111111111111:role/shop-break-glass';
  type DocStatement = {
    sid: string;
    effect?: string;
    actions?: string[];
    not_actions?: string[];
    principals: Array<{ type: string; identifiers: string[] }>;
    condition?: unknown;
  };
  const keyPolicy = (props: Partial<ArchiveBucketProps>) => {
    const { stack } = fixture(props);
    const json = synthJson(stack) as { data?: Record<string, Record<string, { statement: DocStatement[] }>> };
    const docs = Object.values(json.data?.aws_iam_policy_document ?? {}).filter((d) =>
      d.statement.some((s) => s.sid === 'DenyDestructionExceptBreakGlass'),
    );
    const keys = Object.values(byId(synthJson(stack), 'aws_kms_key')).filter((k) =>
      String(k.description).includes('shop-test-records'),
    );
    return { docs, key: keys[0], stack };
  };

  test('the account administers the key except DisableKey, ScheduleKeyDeletion and PutKeyPolicy, which only the break-glass role may do', () => {
    const { docs, key } = keyPolicy({ breakGlassRoleArn: BREAK_GLASS });
    expect(docs).toHaveLength(1);
    const [admin, breakGlass, deny] = docs[0].statement;
    expect(admin.sid).toBe('AccountAdministrationExceptDestruction');
    // No pattern the account holds covers a destruction action (so no IAM policy can grant one).
    for (const action of ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'])
      expect(admin.actions!.filter((a) => actionCovers(a, action))).toEqual([]);
    expect(admin.actions).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:EnableKeyRotation', 'kms:TagResource']),
    );
    expect(breakGlass).toMatchObject({
      sid: 'BreakGlassDestruction',
      principals: [{ type: 'AWS', identifiers: [BREAK_GLASS] }],
      actions: ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'],
    });
    expect(deny).toMatchObject({
      sid: 'DenyDestructionExceptBreakGlass',
      effect: 'Deny',
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: [BREAK_GLASS] }],
    });
    expect(key.bypass_policy_lockout_safety_check).toBe(true);
  });

  test('without a break-glass role nobody at all may destroy the key', () => {
    const { docs } = keyPolicy({});
    const sids = docs[0].statement.map((s) => s.sid);
    expect(sids).toEqual(['AccountAdministrationExceptDestruction', 'DenyDestructionExceptBreakGlass']);
    expect(docs[0].statement[1].condition).toBeUndefined();
  });

  test('the guardrail object-lock-key-guarded passes the bucket as synthesized', () => {
    const { stack } = keyPolicy({ breakGlassRoleArn: BREAK_GLASS });
    const report = new PolicyPack([objectLockKeyGuarded]).checkSynthesized({
      test: synthJson(stack) as Record<string, unknown>,
    });
    expect(report.violations).toEqual([]);
  });

  test('fails on a break-glass value that is not an IAM role ARN, naming the construct and the fix', () => {
    expect(() => fixture({ breakGlassRoleArn: 'arn:aws:iam::111111111111:user/alice' })).toThrow(
      /^test\/records: breakGlassRoleArn "arn:aws:iam::111111111111:user\/alice" is not an IAM role ARN .*\. Fix: name the break-glass role, or leave it out/,
    );
  });
});
