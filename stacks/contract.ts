/**
 * The stacks' contract: the one place that names the stacks of an environment, the outputs each stack writes,
 * and the values `<env>-shared` publishes for the other stacks to read. Provider-free (no cdktf, no provider
 * bindings), so the stacks, the commands, the diff and the diagram import it without loading anything else.
 *
 * Each stack deploys on its own: `<env>-blue`, `<env>-green` and `<env>-cutover` never hold cross-stack
 * references to `<env>-shared` and never read its state. `<env>-shared` publishes the few identifiers they need
 * (on AWS as SSM parameters under {@link sharedParameterPath}; on DigitalOcean the resources are looked up by the
 * names in {@link doSharedNames}), and the others read them with data sources at plan time.
 */

/** The four stacks of every environment, in deploy order (`shared` first; the others in any order after it). */
export const STACK_ROLES = ['shared', 'blue', 'green', 'cutover'] as const;
/** The role of a stack within its environment. */
export type StackRole = (typeof STACK_ROLES)[number];

/** An environment name as stack names use it: lowercase letters, digits and `-`, starting with a letter. */
const ENV_NAME = '[a-z][a-z0-9-]*';
const STACK_NAME = new RegExp(`^(${ENV_NAME})-(${STACK_ROLES.join('|')})$`);

/** Thrown by {@link parseStackName} for a name that is not `<env>-<role>`. */
export class StackNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackNameError';
  }
}

/** The Terraform stack name of an environment's stack: `<env>-<role>`, e.g. `prod-green`. */
export function stackName(env: string, role: StackRole): string {
  return `${env}-${role}`;
}

/**
 * Splits a stack name `<env>-<role>` into its environment and role.
 * @throws StackNameError naming the value and the expected form, e.g. for `prod-red` or `green`
 */
export function parseStackName(name: string): { readonly environment: string; readonly role: StackRole } {
  const match = STACK_NAME.exec(name);
  if (!match) {
    throw new StackNameError(
      `"${name}" is not a stack name: expected <env>-<role> with role one of ${STACK_ROLES.join(', ')} (e.g. prod-green)`,
    );
  }
  return { environment: match[1], role: match[2] as StackRole };
}

/** Whether `name` is a stack name `<env>-<role>`. */
export function isStackName(name: string): boolean {
  return STACK_NAME.test(name);
}

// ---------------------------------------------------------------------------------------------------------------
// Stack outputs (read with `cdktf output <stack>`).
// ---------------------------------------------------------------------------------------------------------------

/** Output names of `<env>-cutover` (both clouds). */
export const CUTOVER_OUTPUTS = {
  /** URL users reach: weighted over both colors. */
  liveUrl: 'live_url',
  /** URL of the test listener: the idle color only (absent under hard-cutover and rolling). */
  testUrl: 'test_url',
  /** Colors serving users, most traffic first, joined by `+`. */
  liveColor: 'live_color',
  /** Percent of traffic per color: `{ blue, green }`. */
  weights: 'weights',
} as const;

/** Output names of `<env>-blue` / `<env>-green`. */
export const COLOR_OUTPUTS = {
  /** The release the fleet runs (`colors.<color>.release.version`). */
  releaseVersion: 'release_version',
  /** AWS: the fleet's Auto Scaling group. */
  autoscalingGroupName: 'autoscaling_group_name',
  /** DigitalOcean: IDs of the droplets. */
  dropletIds: 'droplet_ids',
  /** DigitalOcean: private addresses of the droplets. */
  privateIps: 'private_ips',
} as const;

/**
 * Names of the `<env>-shared` outputs the commands read. A shared stack on any cloud that holds deployment
 * records emits at least `deployment_records_bucket` and `archive_region` (and `archive_endpoint` when the
 * store is not AWS S3, e.g. `https://fra1.digitaloceanspaces.com`).
 */
export const ARCHIVE_OUTPUTS = {
  recordsBucket: 'deployment_records_bucket',
  appFilesBucket: 'app_files_bucket',
  region: 'archive_region',
  endpoint: 'archive_endpoint',
  registryUrl: 'release_registry_url',
} as const;

/** Names of the VPN outputs of `<env>-shared`. */
export const VPN_OUTPUTS = {
  connectionId: 'vpn_connection_id',
  tunnelAddresses: 'vpn_tunnel_addresses',
  customerConfig: 'vpn_customer_config',
  customerConfigInput: 'vpn_customer_config_input',
} as const;

/** Output names of `<env>-shared` for the log store and log alarms. */
export const LOG_OUTPUTS = {
  endpoint: 'log_store_endpoint',
  dashboardsUrl: 'log_store_dashboards_url',
  adminSecret: 'log_store_admin_secret',
  forwarderSecret: 'log_store_forwarder_secret',
  bootstrap: 'log_store_bootstrap',
  alarmNames: 'log_alarm_names',
  alarmArns: 'log_alarm_arns',
} as const;

/** Other outputs of `<env>-shared`, for people (the commands do not read them). */
export const SHARED_OUTPUTS = {
  vpcId: 'vpc_id',
  /** AWS: DNS name of the load balancer. */
  loadBalancerDnsName: 'load_balancer_dns_name',
  /** DigitalOcean: ID of the project. */
  projectId: 'project_id',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// What `<env>-shared` publishes for the other stacks (AWS: SSM parameters).
// ---------------------------------------------------------------------------------------------------------------

/** One value `<env>-shared` publishes on AWS. */
export interface SharedValue {
  /** What the value is, for the parameter's description. */
  readonly description: string;
  /** A list of identifiers, published comma-joined. */
  readonly list?: boolean;
  /** Published only when the environment has the managed log store (`logging.store.type: managed`). */
  readonly logStoreOnly?: boolean;
}

/**
 * Every value `<env>-shared` publishes on AWS, by key, with the last path segment of its parameter
 * (`/<app>/<env>/shared/<name>`). Only non-secret identifiers; the log store and VPN secrets stay in the shared
 * stack's state and in Secrets Manager.
 */
export const AWS_SHARED_VALUES = {
  privateSubnetIds: {
    name: 'private-subnet-ids',
    description: 'Private subnet IDs, one per availability zone (comma-separated)',
    list: true,
  },
  instanceSecurityGroupId: { name: 'instance-security-group-id', description: 'Security group of the fleet instances' },
  blueTargetGroupArn: { name: 'blue-target-group-arn', description: 'ARN of the blue target group' },
  greenTargetGroupArn: { name: 'green-target-group-arn', description: 'ARN of the green target group' },
  loadBalancerArn: { name: 'load-balancer-arn', description: 'ARN of the application load balancer' },
  certificateArn: { name: 'certificate-arn', description: 'ACM certificate of the HTTPS and test listeners' },
  hostname: { name: 'hostname', description: 'Hostname of the live and test URLs' },
  appFilesAccessPolicyArn: {
    name: 'app-files-access-policy-arn',
    description: "Managed policy: the fleets' access to the app files bucket",
  },
  registryPullPolicyArn: {
    name: 'registry-pull-policy-arn',
    description: 'Managed policy: pull images from the release registry',
  },
  logForwarderReadPolicyArn: {
    name: 'log-forwarder-read-policy-arn',
    description: 'Managed policy: read the log forwarder secret',
    logStoreOnly: true,
  },
} as const satisfies Record<string, SharedValue & { readonly name: string }>;

/** Key of a value `<env>-shared` publishes on AWS. */
export type AwsSharedValueKey = keyof typeof AWS_SHARED_VALUES;

/** The values each AWS stack role reads from `<env>-shared`. */
export const AWS_SHARED_READS: Readonly<Record<Exclude<StackRole, 'shared'>, readonly AwsSharedValueKey[]>> = {
  blue: [
    'privateSubnetIds',
    'instanceSecurityGroupId',
    'blueTargetGroupArn',
    'appFilesAccessPolicyArn',
    'registryPullPolicyArn',
    'logForwarderReadPolicyArn',
  ],
  green: [
    'privateSubnetIds',
    'instanceSecurityGroupId',
    'greenTargetGroupArn',
    'appFilesAccessPolicyArn',
    'registryPullPolicyArn',
    'logForwarderReadPolicyArn',
  ],
  cutover: ['loadBalancerArn', 'blueTargetGroupArn', 'greenTargetGroupArn', 'certificateArn', 'hostname'],
};

/**
 * The values `<env>-shared` publishes on AWS for an environment with (`logStore: true`) or without the managed log
 * store (`logging.store.type: none` publishes no `logStoreOnly` value).
 */
export function awsSharedValueKeys(logStore: boolean): AwsSharedValueKey[] {
  return (Object.keys(AWS_SHARED_VALUES) as AwsSharedValueKey[]).filter(
    (key) => logStore || !(AWS_SHARED_VALUES[key] as SharedValue).logStoreOnly,
  );
}

/** The values a stack reads from `<env>-shared` ({@link AWS_SHARED_READS}), without the log store's when it has none. */
export function awsSharedReads(role: Exclude<StackRole, 'shared'>, logStore: boolean): AwsSharedValueKey[] {
  const published = new Set(awsSharedValueKeys(logStore));
  return AWS_SHARED_READS[role].filter((key) => published.has(key));
}

/** The SSM path under which `<env>-shared` publishes, with the trailing `/`: `/<app>/<env>/shared/`. */
export function sharedParameterPrefix(app: string, env: string): string {
  return `/${app}/${env}/shared/`;
}

/** The SSM parameter name of one published value: `/<app>/<env>/shared/<name>`. */
export function sharedParameterPath(app: string, env: string, key: AwsSharedValueKey): string {
  return `${sharedParameterPrefix(app, env)}${AWS_SHARED_VALUES[key].name}`;
}

/** The error a stack reports at plan time when `<env>-shared` has not published what it reads. */
export function sharedMissingMessage(env: string): string {
  const shared = stackName(env, 'shared');
  return `${shared} has not been deployed (or is older than this release): deploy it first with \`npx cdktf deploy ${shared}\``;
}

// ---------------------------------------------------------------------------------------------------------------
// DigitalOcean: no parameter store; the other stacks look the shared resources up by these names.
// ---------------------------------------------------------------------------------------------------------------

/** The names of the `<env>-shared` resources the other DigitalOcean stacks look up. */
export interface DoSharedNames {
  /** The VPC, `<app>-<env>`. */
  readonly vpc: string;
  /** The project: `digitalocean.project.name`, else `<app>-<env>`. */
  readonly project: string;
}

/** Names of the DigitalOcean shared resources; the shared stack creates them with these names, the others look them up. */
export function doSharedNames(app: string, env: string, projectName?: string): DoSharedNames {
  const prefix = resourcePrefix(app, env);
  return { vpc: prefix, project: projectName ?? prefix };
}

/** The name prefix of an environment's resources, `<app>-<env>`, e.g. `shop-prod`. */
export function resourcePrefix(app: string, env: string): string {
  return `${app}-${env}`;
}

/** The names of an environment's DigitalOcean resources; the stacks create them with these names. */
export interface DoResourceNames extends DoSharedNames {
  /** The tag on every droplet of the environment, `<app>-<env>`. */
  readonly fleetTag: string;
  /** The tag of each color's droplets (the load balancers' `droplet_tag`), `<app>-<env>-<color>`. */
  readonly colorTags: { readonly blue: string; readonly green: string };
  /** The droplets' firewall, `<app>-<env>-fleet`. */
  readonly fleetFirewall: string;
  /** The firewall opening the app port to the load balancers, `<app>-<env>-lb-ingress`. */
  readonly lbIngressFirewall: string;
  /** The live load balancer, `<app>-<env>-live`. */
  readonly liveLoadBalancer: string;
  /** The preview load balancer, `<app>-<env>-preview`. */
  readonly previewLoadBalancer: string;
  /** The OpenSearch cluster, `<app>-<env>-logs` (the color stacks look it up by this name). */
  readonly logStore: string;
}

/** Names of an environment's DigitalOcean resources, from `<app>-<env>`. */
export function doResourceNames(app: string, env: string, projectName?: string): DoResourceNames {
  const prefix = resourcePrefix(app, env);
  return {
    ...doSharedNames(app, env, projectName),
    fleetTag: prefix,
    colorTags: { blue: `${prefix}-blue`, green: `${prefix}-green` },
    fleetFirewall: `${prefix}-fleet`,
    lbIngressFirewall: `${prefix}-lb-ingress`,
    liveLoadBalancer: `${prefix}-live`,
    previewLoadBalancer: `${prefix}-preview`,
    logStore: `${prefix}-logs`,
  };
}

/** One account-wide name of a DigitalOcean environment: its namespace (names are unique within one), and what it names. */
export interface DoPhysicalName {
  /** The DigitalOcean namespace the name must be unique in. */
  readonly namespace: 'tag' | 'firewall' | 'load balancer' | 'VPC' | 'project' | 'database cluster';
  /** What the name is for, e.g. `blue tag`. */
  readonly what: string;
  /** The name. */
  readonly name: string;
}

/**
 * Every account-wide name the DigitalOcean stacks of one environment create (the Spaces bucket, named by the values,
 * is left out). Two environments in one account must not share a name within a namespace: DigitalOcean selects
 * droplets by tag, so a shared tag hands one environment's droplets to the other's load balancers and firewalls.
 */
export function doPhysicalNames(app: string, env: string, projectName?: string): readonly DoPhysicalName[] {
  const n = doResourceNames(app, env, projectName);
  return [
    { namespace: 'VPC', what: 'VPC', name: n.vpc },
    { namespace: 'project', what: 'project', name: n.project },
    { namespace: 'tag', what: 'fleet tag', name: n.fleetTag },
    { namespace: 'tag', what: 'blue tag', name: n.colorTags.blue },
    { namespace: 'tag', what: 'green tag', name: n.colorTags.green },
    { namespace: 'firewall', what: 'fleet firewall', name: n.fleetFirewall },
    { namespace: 'firewall', what: 'load balancer ingress firewall', name: n.lbIngressFirewall },
    { namespace: 'load balancer', what: 'live load balancer', name: n.liveLoadBalancer },
    { namespace: 'load balancer', what: 'preview load balancer', name: n.previewLoadBalancer },
    { namespace: 'database cluster', what: 'OpenSearch cluster', name: n.logStore },
  ];
}
