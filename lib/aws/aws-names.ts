/**
 * AWS naming rules, one per resource kind the library names, each with the AWS document it comes from; and the
 * names the library derives from an environment's `<app>-<env>` prefix. The values schema checks an environment's
 * names with these rules (reporting the key that causes a problem), and every construct that takes a name checks
 * it with {@link validateAwsName}, so a bad name is refused at synth with its source, never by `terraform apply`.
 */
import { createHash } from 'crypto';
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';

/** One AWS naming rule: what AWS accepts for one kind of name, and where AWS says so. */
export interface AwsNameRule {
  /** The kind of name, e.g. `load balancer name`. */
  readonly kind: string;
  /** Fewest characters. */
  readonly minLength: number;
  /** Most characters. */
  readonly maxLength: number;
  /** The AWS document that states the rule. */
  readonly source: string;
  /**
   * Whether the library shortens a derived name of this kind with a hash ({@link fitName}) rather than refusing it:
   * only the length is fixed that way; characters and prefixes are still refused.
   */
  readonly fitted?: boolean;
  /** What is wrong with `name` apart from its length (empty when nothing is). */
  problems(name: string): string[];
}

function rule(
  kind: string,
  minLength: number,
  maxLength: number,
  source: string,
  problems: (name: string) => Array<string | false | undefined>,
  fitted = false,
): AwsNameRule {
  return Object.freeze({
    kind,
    minLength,
    maxLength,
    source,
    fitted,
    problems: (name: string) => problems(name).filter((p): p is string => !!p),
  });
}

const ELB_API = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference';
const elbCharacters = (name: string) => [
  !/^[A-Za-z0-9-]*$/.test(name) && 'may contain only letters, digits and hyphens',
  (name.startsWith('-') || name.endsWith('-')) && 'must not begin or end with a hyphen',
];
const iamCharacters = (name: string) => [!/^[\w+=,.@-]*$/.test(name) && 'may contain only letters, digits and _+=,.@-'];
const IAM_QUOTAS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names';
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAGGING = 'https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions';

/** Every naming rule, by resource kind. */
export const AWS_NAME_RULES = {
  /** Application Load Balancer: `CreateLoadBalancer` `Name`. */
  loadBalancer: rule(
    'load balancer name',
    1,
    32,
    `${ELB_API}/API_CreateLoadBalancer.html`,
    (n) => [
      ...elbCharacters(n),
      n.startsWith('internal-') &&
        'must not begin with "internal-" (AWS reserves it for internal load balancers\' DNS names)',
    ],
    true,
  ),
  /** Target group: `CreateTargetGroup` `Name`. */
  targetGroup: rule('target group name', 1, 32, `${ELB_API}/API_CreateTargetGroup.html`, elbCharacters, true),
  /** IAM role: `CreateRole` `RoleName`. */
  iamRole: rule('IAM role name', 1, 64, IAM_QUOTAS, iamCharacters),
  /** IAM managed policy: `CreatePolicy` `PolicyName`. */
  iamPolicy: rule('IAM policy name', 1, 128, IAM_QUOTAS, iamCharacters),
  /** IAM instance profile: `CreateInstanceProfile` `InstanceProfileName`. */
  iamInstanceProfile: rule('IAM instance profile name', 1, 128, IAM_QUOTAS, iamCharacters),
  /** S3 general purpose bucket. */
  s3Bucket: rule(
    'S3 bucket name',
    3,
    63,
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
    (n) => [
      !/^[a-z0-9.-]*$/.test(n) && 'may contain only lowercase letters, digits, dots and hyphens',
      !/^[a-z0-9](?:.*[a-z0-9])?$/.test(n) && 'must begin and end with a letter or digit',
      n.includes('..') && 'must not contain two adjacent dots',
      /^\d+\.\d+\.\d+\.\d+$/.test(n) && 'must not be formatted as an IP address',
      ...['xn--', 'sthree-', 'amzn-s3-demo-'].map(
        (p) => n.startsWith(p) && `must not begin with the reserved prefix "${p}"`,
      ),
      ...['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].map(
        (s) => n.endsWith(s) && `must not end with the reserved suffix "${s}"`,
      ),
    ],
  ),
  /** OpenSearch Service domain: `CreateDomain` `DomainName`. */
  openSearchDomain: rule(
    'OpenSearch domain name',
    3,
    28,
    'https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_CreateDomain.html',
    (n) => [
      !/^[a-z][a-z0-9-]*$/.test(n) &&
        'must begin with a lowercase letter and contain only lowercase letters, digits and hyphens',
    ],
    true,
  ),
  /** KMS alias: `CreateAlias` `AliasName`. */
  kmsAlias: rule(
    'KMS alias name',
    7,
    256,
    'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html',
    (n) => [
      !n.startsWith('alias/') && 'must begin with "alias/"',
      !/^[A-Za-z0-9/_-]*$/.test(n) && 'may contain only letters, digits and /_-',
      n.startsWith('alias/aws/') && 'must not begin with "alias/aws/" (reserved for AWS managed keys)',
    ],
  ),
  /** CloudWatch Logs log group: `CreateLogGroup` `logGroupName`. */
  logGroup: rule(
    'CloudWatch log group name',
    1,
    512,
    'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
    (n) => [!/^[.\-_/#A-Za-z0-9]*$/.test(n) && 'may contain only letters, digits and ._-/#'],
  ),
  /** ECR repository: `CreateRepository` `repositoryName`. */
  ecrRepository: rule(
    'ECR repository name',
    2,
    256,
    'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html',
    (n) => [
      !/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(n) &&
        'must be lowercase letters and digits in /-separated parts, each part beginning and ending with a letter or digit, with single . _ or - between them',
    ],
  ),
  /** SSM parameter: `PutParameter` `Name` (the 1011 limit counts the name within its ARN, the tighter of AWS's limits). */
  ssmParameter: rule(
    'SSM parameter name',
    1,
    1011,
    'https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html',
    (n) => [
      !/^[A-Za-z0-9_.\-/]*$/.test(n) && 'may contain only letters, digits and _.-/',
      /^\/?(aws|ssm)/i.test(n) && 'must not begin with "aws" or "ssm" (reserved)',
      n.includes('/') && !n.startsWith('/') && 'must begin with "/" when it has a hierarchy',
      n.split('/').length - 1 > 15 && 'must have at most 15 levels',
    ],
  ),
  /** Secrets Manager secret: `CreateSecret` `Name`. */
  secret: rule(
    'Secrets Manager secret name',
    1,
    512,
    'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html',
    (n) => [!/^[A-Za-z0-9/_+=.@-]*$/.test(n) && 'may contain only letters, digits and /_+=.@-'],
  ),
  /** Tag key. */
  tagKey: rule('tag key', 1, 128, TAGGING, (n) => [
    !TAG_CHARACTERS.test(n) && 'may contain only letters, digits, spaces and _.:/=+-@',
    n.toLowerCase().startsWith('aws:') && 'must not begin with "aws:" (reserved for AWS)',
  ]),
  /** Tag value. */
  tagValue: rule('tag value', 0, 256, TAGGING, (n) => [
    !TAG_CHARACTERS.test(n) && 'may contain only letters, digits, spaces and _.:/=+-@',
  ]),
} as const;

/** The problems of `name` under `rule`, length included (for a fitted rule: the length before fitting is fine). */
export function nameProblems(rule: AwsNameRule, name: string): string[] {
  const length =
    name.length < rule.minLength
      ? [`must be at least ${rule.minLength} characters (has ${name.length})`]
      : name.length > rule.maxLength && !rule.fitted
        ? [`must be at most ${rule.maxLength} characters (has ${name.length})`]
        : [];
  return [...length, ...rule.problems(rule.fitted ? fitName(name, rule.maxLength) : name)];
}

/**
 * Fits a resource name into an AWS length limit (load balancers and target groups: 32 characters). A name that
 * fits is returned unchanged; a longer one keeps its start and ends with a 6-character hash of the full name, so
 * it stays unique and stable across syntheses.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** The load balancer name for a prefix such as `shop-prod` (hash-shortened past 32 characters). */
export function loadBalancerName(prefix: string): string {
  return fitName(prefix, AWS_NAME_RULES.loadBalancer.maxLength);
}

/** The target group name of one color, `<prefix>-<color>` (hash-shortened past 32 characters). */
export function targetGroupName(prefix: string, color: string): string {
  return fitName(`${prefix}-${color}`, AWS_NAME_RULES.targetGroup.maxLength);
}

/** The log store's OpenSearch domain name, `<prefix>-logs` (hash-shortened past 28 characters). */
export function openSearchDomainName(prefix: string): string {
  return fitName(`${prefix}-logs`, AWS_NAME_RULES.openSearchDomain.maxLength);
}

/** The alias of the environment's CloudWatch Logs key, `alias/<prefix>-logs`. */
export function logKeyAliasName(prefix: string): string {
  return `alias/${prefix}-logs`;
}

/** The alias of the log store's own key, `alias/<prefix>-log-store` (distinct from {@link logKeyAliasName}). */
export function logStoreKeyAliasName(prefix: string): string {
  return `alias/${prefix}-log-store`;
}

/** The environment's ECR repository, `<app>/<env>`: per environment, so environments can share an account. */
export function ecrRepositoryName(app: string, env: string): string {
  return `${app}/${env}`;
}

/** The alias of an ECR repository's key, `alias/ecr-<repository with / as ->`. */
export function ecrKeyAliasName(repository: string): string {
  return `alias/ecr-${repository.replace(/\//g, '-')}`;
}

/** The SSM parameter that holds one color's release, `/<app>/<env>/<color>/release`. */
export function releaseParameterName(app: string, env: string, color: string): string {
  return `/${app}/${env}/${color}/release`;
}

/** One name the library derives for an AWS environment from `app.name` and the environment `name`. */
export interface DerivedName {
  /** The rule the name must follow. */
  readonly rule: AwsNameRule;
  /** The name for an app and environment. */
  derive(app: string, env: string): string;
}

const prefixed = (rule: AwsNameRule, f: (prefix: string) => string): DerivedName => ({
  rule,
  derive: (app, env) => f(`${app}-${env}`),
});

/**
 * The names an AWS environment's stacks derive from `<app>-<env>`, with the longest suffix of each kind
 * (`-deployment-records` for buckets, `-green-instance` for roles, `-log-forwarder-read` for policies, ...).
 * The values schema checks each against its rule.
 */
export const ENVIRONMENT_NAMES: readonly DerivedName[] = [
  prefixed(AWS_NAME_RULES.loadBalancer, loadBalancerName),
  ...['blue', 'green'].map((c) => prefixed(AWS_NAME_RULES.targetGroup, (p) => targetGroupName(p, c))),
  prefixed(AWS_NAME_RULES.openSearchDomain, openSearchDomainName),
  ...['-access-logs', '-deployment-records', '-app-files'].map((s) =>
    prefixed(AWS_NAME_RULES.s3Bucket, (p) => `${p}${s}`),
  ),
  prefixed(AWS_NAME_RULES.iamRole, (p) => `${p}-green-instance`),
  prefixed(AWS_NAME_RULES.iamInstanceProfile, (p) => `${p}-green-instance`),
  prefixed(AWS_NAME_RULES.iamPolicy, (p) => `${p}-log-forwarder-read`),
  prefixed(AWS_NAME_RULES.kmsAlias, logStoreKeyAliasName),
  prefixed(AWS_NAME_RULES.kmsAlias, (p) => `alias/${p}-deployment-records`),
  prefixed(AWS_NAME_RULES.logGroup, (p) => `/vpc/${p}/flow-logs`),
  prefixed(AWS_NAME_RULES.secret, (p) => `${p}/log-store-admin`),
  { rule: AWS_NAME_RULES.ecrRepository, derive: ecrRepositoryName },
  { rule: AWS_NAME_RULES.kmsAlias, derive: (app, env) => ecrKeyAliasName(ecrRepositoryName(app, env)) },
  { rule: AWS_NAME_RULES.ssmParameter, derive: (app, env) => releaseParameterName(app, env, 'green') },
];

/** The first problem of `name`, as `<kind> "<name>", which <problem> (<source>)`; undefined when it is valid. */
export function describeNameProblem(rule: AwsNameRule, name: string): string | undefined {
  const [problem] = nameProblems(rule, name);
  return problem === undefined ? undefined : `${rule.kind} "${name}", which ${problem} (${rule.source})`;
}

/**
 * A name a construct was given that AWS would refuse. The message names the construct path, value, rule and fix;
 * the stack is that one line too, so even an uncaught error prints the user's mistake, not the library's frames.
 */
export class AwsNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsNameError';
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Checks a name a construct was given (or derived from its props) against an AWS rule, at construction time.
 * Unresolved tokens are skipped (only Terraform knows them). Throws {@link AwsNameError}:
 * `<construct path>: <prop> "<value>" makes the <kind> "<name>", which <problem> (<source>). Fix: <fix>`.
 *
 * @param scope the construct that takes the name
 * @param prop the prop the value came from, e.g. `name`
 * @param value the value as given
 * @param rule the AWS rule
 * @param name the name derived from `value` (default: `value` itself)
 */
export function validateAwsName(
  scope: IConstruct,
  prop: string,
  value: string,
  rule: AwsNameRule,
  name: string = value,
): void {
  if (Token.isUnresolved(value) || Token.isUnresolved(name)) return;
  const [problem] = nameProblems(rule, name);
  if (problem === undefined) return;
  const made = name === value ? '' : ` makes the ${rule.kind} "${name}", which`;
  const what = name === value ? ` is not a valid ${rule.kind}: it` : made;
  throw new AwsNameError(
    `${scope.node.path}: ${prop} "${value}"${what} ${problem} (${rule.source}). Fix: change ${prop} so that the ${rule.kind} follows this rule`,
  );
}
