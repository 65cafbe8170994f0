import { policyStatements } from '../key-policy';
import { defineRule, nonCompliant } from '../rule';

/** The policy argument of each resource type that grants to service principals. */
const POLICY_ARGUMENT: Record<string, string> = {
  aws_iam_role: 'assume_role_policy',
  aws_s3_bucket_policy: 'policy',
  aws_cloudwatch_log_resource_policy: 'policy_document',
  aws_sns_topic_policy: 'policy',
  aws_sqs_queue_policy: 'policy',
};

/** Service principals that act only through a resource of this account passed to them (no confused deputy). */
const EXEMPT_SERVICES = ['ec2.amazonaws.com'];

/** Condition keys that tie a service principal's access to this account or a resource of it. */
const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths'];

/**
 * Trust and resource policies that allow a service principal (flow logs, log delivery, OpenSearch log
 * publishing, CloudWatch alarms) carry `aws:SourceAccount` or `aws:SourceArn`, so the service cannot be made to
 * act for another account (confused deputy). EC2 instance roles are exempt: EC2 assumes them only through an
 * instance profile passed with `iam:PassRole` in this account.
 */
export const servicePrincipalSource = defineRule({
  id: 'service-principal-source',
  explanation:
    'policy lets a service principal act without an aws:SourceAccount or aws:SourceArn condition (confused deputy)',
  fix: 'add Condition StringEquals aws:SourceAccount = <this account> and/or ArnLike aws:SourceArn = <the resources the service acts for>',
  resourceTypes: Object.keys(POLICY_ARGUMENT),
  evaluate(resource, stack) {
    const text = resource.config[POLICY_ARGUMENT[resource.type]];
    const statements = policyStatements(text, stack);
    if (!statements) {
      // A jsonencode(...) expression: read as text (every service grant must name a source key somewhere).
      const raw = String(text ?? '');
      if (!/"Service"/.test(raw) || EXEMPT_SERVICES.some((s) => raw.includes(s))) return 'compliant';
      return /aws:Source(Account|Arn)/.test(raw)
        ? 'compliant'
        : nonCompliant('a Service principal without aws:SourceAccount or aws:SourceArn');
    }
    for (const st of statements) {
      const services = st.servicePrincipals.filter((p) => !EXEMPT_SERVICES.includes(p));
      if (st.effect !== 'Allow' || services.length === 0) continue;
      if (!st.conditions.some((c) => SOURCE_KEYS.includes(c.variable.toLowerCase())))
        return nonCompliant(`${services.join(', ')} without aws:SourceAccount or aws:SourceArn`);
    }
    return 'compliant';
  },
});
