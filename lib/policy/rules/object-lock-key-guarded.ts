import { actionCovers, KEY_DESTRUCTION_ACTIONS, keyPolicyStatements } from '../key-policy';
import { defineRule, nonCompliant } from '../rule';
import { bucketCompanions } from '../s3-companions';
import { blocks, block, isTrue, references } from '../stack-view';

/** Condition operators that exempt named principals from a deny (`aws:PrincipalArn` not equal to the break-glass role). */
const EXEMPTION_TESTS = ['ArnNotEquals', 'ArnNotLike', 'StringNotEquals', 'StringNotLike'];

/**
 * The KMS key of an object-locked bucket cannot be disabled, scheduled for deletion or have its policy changed by
 * anyone but a named break-glass principal: its key policy denies {@link KEY_DESTRUCTION_ACTIONS} to every
 * principal, exempting at most named `aws:PrincipalArn`s. Object lock keeps the objects; a destroyed key makes
 * them unreadable, so an administrator could otherwise defeat the lock. Buckets encrypted with SSE-S3 or an AWS
 * managed key (no key anyone can delete) comply.
 */
export const objectLockKeyGuarded = defineRule({
  id: 'object-lock-key-guarded',
  explanation:
    "object-locked bucket's KMS key can be disabled, deleted or re-policied by account administrators, which makes the locked objects unreadable",
  fix: 'add a key policy statement that denies kms:DisableKey, kms:ScheduleKeyDeletion and kms:PutKeyPolicy to "*" except (ArnNotEquals aws:PrincipalArn) the break-glass role (ArchiveBucket does this; set archive.breakGlassRoleArn)',
  resourceTypes: ['aws_s3_bucket'],
  evaluate(bucket, stack) {
    if (!isTrue(bucket.config.object_lock_enabled)) return 'not-applicable';
    const sse = bucketCompanions(bucket, stack, 'aws_s3_bucket_server_side_encryption_configuration');
    const keyRefs = sse
      .flatMap((c) => blocks(c.config.rule))
      .map((r) => block(r.apply_server_side_encryption_by_default).kms_master_key_id)
      .filter((k) => k !== undefined);
    if (keyRefs.length === 0) return 'compliant'; // SSE-S3 or the AWS managed aws/s3 key: nothing anyone can delete
    const keys = stack.ofType('aws_kms_key').filter((k) => keyRefs.some((ref) => references(ref, k)));
    if (keys.length === 0)
      return nonCompliant(
        `its KMS key (${keyRefs.map(String).join(', ')}) is not in this stack, so its policy cannot be checked`,
      );
    for (const key of keys) {
      const statements = keyPolicyStatements(key, stack);
      if (!statements)
        return nonCompliant(
          `${key.address} has no key policy this check can read (the account's default policy lets IAM administrators delete the key)`,
        );
      const unguarded = KEY_DESTRUCTION_ACTIONS.filter(
        (action) =>
          !statements.some(
            (s) =>
              s.effect === 'Deny' &&
              s.awsPrincipals.includes('*') &&
              (s.actions ?? []).some((a) => actionCovers(a, action)) &&
              s.conditions.every(
                (c) =>
                  EXEMPTION_TESTS.includes(c.test) &&
                  c.variable.toLowerCase() === 'aws:principalarn' &&
                  c.values.every((v) => !v.includes('*') && !v.endsWith(':root')),
              ),
          ),
      );
      if (unguarded.length > 0)
        return nonCompliant(
          `${key.address}: no deny of ${unguarded.join(', ')} for every principal but a named break-glass role`,
        );
    }
    return 'compliant';
  },
});
