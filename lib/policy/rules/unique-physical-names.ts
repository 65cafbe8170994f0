import { defineRule, nonCompliant } from '../rule';
import { AppView, awsPlacement, AwsPlacement, mayShareAccount, StackView, SynthResource } from '../stack-view';

/** How far a kind of name must be unique: every AWS account (S3), one account (IAM), or one account and region. */
export type NameScope = 'global' | 'account' | 'region';

/**
 * The argument that holds each resource type's physical name, and how far AWS keeps it unique.
 * Sources: S3 "Bucket naming rules" (unique across all accounts in a partition), IAM "IAM object quotas and
 * names" (unique per account, global service), and per-region uniqueness in the KMS, CloudWatch, SSM, ELB, ECR,
 * OpenSearch and Secrets Manager API references (`AlreadyExistsException` / `DuplicateTargetGroupName` etc.).
 */
export const PHYSICAL_NAMES: Readonly<Record<string, { readonly attribute: string; readonly scope: NameScope }>> = {
  aws_s3_bucket: { attribute: 'bucket', scope: 'global' },
  aws_iam_role: { attribute: 'name', scope: 'account' },
  aws_iam_policy: { attribute: 'name', scope: 'account' },
  aws_iam_instance_profile: { attribute: 'name', scope: 'account' },
  aws_kms_alias: { attribute: 'name', scope: 'region' },
  aws_cloudwatch_log_group: { attribute: 'name', scope: 'region' },
  aws_cloudwatch_log_resource_policy: { attribute: 'policy_name', scope: 'region' },
  aws_cloudwatch_metric_alarm: { attribute: 'alarm_name', scope: 'region' },
  aws_ssm_parameter: { attribute: 'name', scope: 'region' },
  aws_lb: { attribute: 'name', scope: 'region' },
  aws_alb: { attribute: 'name', scope: 'region' },
  aws_lb_target_group: { attribute: 'name', scope: 'region' },
  aws_alb_target_group: { attribute: 'name', scope: 'region' },
  aws_ecr_repository: { attribute: 'name', scope: 'region' },
  aws_opensearch_domain: { attribute: 'domain_name', scope: 'region' },
  aws_elasticsearch_domain: { attribute: 'domain_name', scope: 'region' },
  aws_secretsmanager_secret: { attribute: 'name', scope: 'region' },
};

interface Named {
  readonly stack: StackView;
  readonly resource: SynthResource;
  readonly placement: AwsPlacement;
}

/** The resources of an app grouped by `type name`, built once per app (the rule runs once per resource). */
const INDEX = new WeakMap<AppView, Map<string, Named[]>>();

function physicalName(resource: SynthResource): string | undefined {
  const kind = PHYSICAL_NAMES[resource.type];
  const name = kind ? resource.config[kind.attribute] : undefined;
  // A name that is a Terraform expression is only known at apply time; the rule cannot compare it.
  return typeof name === 'string' && !name.includes('${') ? name : undefined;
}

/** The comparison key: one kind of resource (aws_lb and aws_alb are the same API) and its name. */
function keyOf(resource: SynthResource, name: string): string {
  return `${resource.type.replace(/^aws_alb/, 'aws_lb')} ${name}`;
}

function index(app: AppView): Map<string, Named[]> {
  let byKey = INDEX.get(app);
  if (byKey) return byKey;
  byKey = new Map();
  for (const { stack, resource } of app.ofType(...Object.keys(PHYSICAL_NAMES))) {
    const name = physicalName(resource);
    if (name === undefined) continue;
    const key = keyOf(resource, name);
    byKey.set(key, [...(byKey.get(key) ?? []), { stack, resource, placement: awsPlacement(stack, resource) }]);
  }
  INDEX.set(app, byKey);
  return byKey;
}

function collides(scope: NameScope, a: AwsPlacement, b: AwsPlacement): boolean {
  if (scope === 'global') return true;
  if (!mayShareAccount(a, b)) return false;
  return scope === 'account' || a.region === undefined || b.region === undefined || a.region === b.region;
}

/**
 * Two resources of one kind with the same physical name where AWS keeps names unique: in any account for S3
 * buckets, per account for IAM, per account and region for the rest. Stacks of one app are compared with each
 * other: stacks in the same region whose providers' `allowed_account_ids` overlap (or are absent) count as
 * one account. Terraform validate cannot see this; `apply` stops half-way with `AlreadyExists`.
 */
export const uniquePhysicalNames = defineRule({
  id: 'unique-physical-names',
  explanation: 'another resource of the same kind has this name in the same account and region (S3: in any account)',
  fix: 'derive the name from the app and environment (`<app>-<env>-<purpose>`) and give each resource its own purpose',
  resourceTypes: Object.keys(PHYSICAL_NAMES),
  evaluate(resource, stack, app) {
    const name = physicalName(resource);
    if (name === undefined) return 'not-applicable';
    const scope = PHYSICAL_NAMES[resource.type].scope;
    const here = awsPlacement(stack, resource);
    const others = (index(app).get(keyOf(resource, name)) ?? []).filter(
      (o) =>
        !(o.stack.name === stack.name && o.resource.address === resource.address) && collides(scope, here, o.placement),
    );
    if (others.length === 0) return 'compliant';
    return nonCompliant(
      `${resource.type} "${name}" is also ${others.map((o) => `${o.stack.name} ${o.resource.path}`).join(', ')}`,
    );
  },
});
