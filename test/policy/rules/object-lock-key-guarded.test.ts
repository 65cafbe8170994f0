import { objectLockKeyGuarded } from '../../../lib/policy';
import { BUCKET_REF, check, verdict } from '../../support/policy';

const BREAK_GLASS = 'arn:aws:iam::111111111111:role/break-glass';
const locked = { type: 'aws_s3_bucket', name: 'b', config: { bucket: 'shop-prod-records', object_lock_enabled: true } };
const sse = (keyId?: string) => ({
  type: 'aws_s3_bucket_server_side_encryption_configuration',
  name: 'sse',
  config: {
    bucket: BUCKET_REF,
    rule: [
      {
        apply_server_side_encryption_by_default: keyId
          ? { sse_algorithm: 'aws:kms', kms_master_key_id: keyId }
          : { sse_algorithm: 'AES256' },
      },
    ],
  },
});
const key = (policy: object) => ({ type: 'aws_kms_key', name: 'k', config: { policy: JSON.stringify(policy) } });
const KEY_REF = '${aws_kms_key.k.arn}';
const ROOT_ADMIN = {
  Sid: 'Admin',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
  Action: 'kms:*',
  Resource: '*',
};
const DENY = {
  Sid: 'Deny',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'],
  Resource: '*',
  Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
};

describe('object-lock-key-guarded', () => {
  test('passes a key whose policy denies destruction to all but the break-glass role', () => {
    expect(verdict(objectLockKeyGuarded, [locked, sse(KEY_REF), key({ Statement: [ROOT_ADMIN, DENY] })])).toBe(
      'compliant',
    );
  });
  test('passes SSE-S3 (no key anyone can delete)', () => {
    expect(verdict(objectLockKeyGuarded, [locked, sse()])).toBe('compliant');
  });
  test('fails the account-administration key policy (kms:* for the root, no deny)', () => {
    expect(check(objectLockKeyGuarded, [locked, sse(KEY_REF), key({ Statement: [ROOT_ADMIN] })])).toEqual({
      compliance: 'non-compliant',
      detail:
        'aws_kms_key.k: no deny of kms:DisableKey, kms:ScheduleKeyDeletion, kms:PutKeyPolicy for every principal but a named break-glass role',
    });
  });
  test('fails a deny that exempts the account root or a wildcard, or leaves out one action', () => {
    const exemptRoot = {
      ...DENY,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:root' } },
    };
    const exemptAll = {
      ...DENY,
      Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/*' } },
    };
    const partial = { ...DENY, Action: ['kms:ScheduleKeyDeletion'] };
    for (const deny of [exemptRoot, exemptAll, partial])
      expect(verdict(objectLockKeyGuarded, [locked, sse(KEY_REF), key({ Statement: [ROOT_ADMIN, deny] })])).toBe(
        'non-compliant',
      );
  });
  test('fails a key in another stack (its policy cannot be checked) and is not applicable without object lock', () => {
    expect(verdict(objectLockKeyGuarded, [locked, sse('arn:aws:kms:eu-west-1:111111111111:key/abc')])).toBe(
      'non-compliant',
    );
    expect(verdict(objectLockKeyGuarded, [{ ...locked, config: { bucket: 'x' } }, sse(KEY_REF)])).toBe(
      'not-applicable',
    );
  });
});
