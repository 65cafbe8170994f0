/**
 * What the diff and plan commands know about provider resources, in one table: for every resource type the stacks
 * emit, which arguments force a replacement (Terraform "ForceNew"), which in-place changes still disrupt service,
 * which hold state that a delete would lose, and which changes the cloud refuses at apply time.
 *
 * Sources: the provider source (`ForceNew: true` in each resource's schema and its `CustomizeDiff`) of
 * hashicorp/terraform-provider-aws (v5/v6) and digitalocean/terraform-provider-digitalocean (v2). `terraform
 * providers schema -json` does not carry ForceNew, so the AWS entries are checked against the real provider
 * instead: `test/commands/diff-replacement-terraform.test.ts` plans a deployed state against a changed argument
 * (`terraform plan -refresh=false`, provider 5.100.0 from the mirror) and compares `replace_paths` with this table,
 * and `test/commands/diff-knowledge.test.ts` checks that every argument named here exists in the provider schema
 * and that every type a shipped stack emits has an entry.
 */

/** What is known about one resource type. */
export interface ResourceKnowledge {
  /** Top-level arguments whose change makes Terraform destroy and recreate the resource (provider `ForceNew`). */
  readonly replaceOn: readonly string[];
  /**
   * Arguments that force a replacement only for some changes (a provider `CustomizeDiff`, e.g. `ForceNewIfChange`):
   * the argument and whether a change from `before` to `after` replaces.
   * @default - none
   */
  readonly replaceWhen?: Readonly<Record<string, (before: unknown, after: unknown) => boolean>>;
  /**
   * Arguments whose in-place change still interrupts service (instance refresh, tunnel renegotiation, blue/green
   * of a domain).
   * @default - none
   */
  readonly disruptive?: ReadonlyArray<string | RegExp>;
  /**
   * The resource holds data or connectivity that a delete loses and a re-create does not bring back.
   * @default false
   */
  readonly stateful?: boolean;
  /**
   * In-place changes the cloud refuses although Terraform plans them: argument and why (the apply fails).
   * @default - none
   */
  readonly refusedInPlace?: Readonly<Record<string, string>>;
  /**
   * The cloud refuses to delete the resource while something uses it (the error it returns): a replacement
   * without `create_before_destroy`, or a delete, fails while a consumer still points at it.
   * @default - deletes are not refused
   */
  readonly deleteRefusedWhileUsed?: string;
  /**
   * The cloud refuses to delete the resource as configured (deletion protection): why, or `undefined` when it
   * deletes.
   * @default - deletes are not refused
   */
  readonly deleteRefused?: (config: Readonly<Record<string, unknown>>) => string | undefined;
  /**
   * Arguments that place the resource in a VPC (directly or through subnets and security groups): the cloud
   * refuses to move the resource to another VPC in place.
   * @default - not placed in a VPC, or replaced when moved
   */
  readonly vpcPlacement?: readonly string[];
}

const S3_CHILD: ResourceKnowledge = { replaceOn: ['bucket', 'expected_bucket_owner'] };

/** The one table: every resource type the stacks emit (and a few a user's values can add). */
export const RESOURCE_KNOWLEDGE: Readonly<Record<string, ResourceKnowledge>> = {
  // --- AWS: network ---
  aws_vpc: {
    replaceOn: ['cidr_block', 'instance_tenancy', 'ipv4_ipam_pool_id', 'ipv4_netmask_length'],
    deleteRefusedWhileUsed: 'DependencyViolation',
  },
  aws_subnet: {
    replaceOn: ['cidr_block', 'vpc_id', 'availability_zone', 'availability_zone_id', 'outpost_arn', 'ipv6_native'],
    deleteRefusedWhileUsed: 'DependencyViolation',
  },
  aws_internet_gateway: { replaceOn: [] },
  aws_eip: {
    replaceOn: [
      'domain',
      'address',
      'network_border_group',
      'public_ipv4_pool',
      'customer_owned_ipv4_pool',
      'ipam_pool_id',
    ],
  },
  aws_nat_gateway: { replaceOn: ['allocation_id', 'subnet_id', 'connectivity_type', 'private_ip'] },
  aws_route: {
    replaceOn: [
      'route_table_id',
      'destination_cidr_block',
      'destination_ipv6_cidr_block',
      'destination_prefix_list_id',
    ],
  },
  aws_route_table: { replaceOn: ['vpc_id'] },
  aws_route_table_association: { replaceOn: ['subnet_id', 'gateway_id'] },
  aws_flow_log: {
    replaceOn: [
      'vpc_id',
      'subnet_id',
      'eni_id',
      'transit_gateway_id',
      'transit_gateway_attachment_id',
      'log_destination',
      'log_destination_type',
      'log_format',
      'traffic_type',
      'iam_role_arn',
      'max_aggregation_interval',
      'destination_options',
      'deliver_cross_account_role',
    ],
  },
  aws_security_group: {
    replaceOn: ['name', 'name_prefix', 'vpc_id', 'description'],
    deleteRefusedWhileUsed: 'DependencyViolation',
  },
  aws_default_security_group: { replaceOn: ['vpc_id'] },
  aws_vpc_security_group_ingress_rule: { replaceOn: ['security_group_id'] },
  aws_vpc_security_group_egress_rule: { replaceOn: ['security_group_id'] },
  // --- AWS: site-to-site VPN ---
  aws_customer_gateway: {
    replaceOn: ['ip_address', 'bgp_asn', 'bgp_asn_extended', 'type', 'certificate_arn', 'device_name'],
    stateful: true,
  },
  aws_vpn_connection: {
    replaceOn: [
      'type',
      'static_routes_only',
      'transit_gateway_id',
      'enable_acceleration',
      'outside_ip_address_type',
      'tunnel_inside_ip_version',
    ],
    disruptive: [/^tunnel[12]_/, 'customer_gateway_id', 'vpn_gateway_id'],
    stateful: true,
  },
  aws_vpn_connection_route: { replaceOn: ['destination_cidr_block', 'vpn_connection_id'] },
  aws_vpn_gateway: { replaceOn: ['amazon_side_asn', 'availability_zone'], stateful: true },
  aws_vpn_gateway_route_propagation: { replaceOn: ['vpn_gateway_id', 'route_table_id'] },
  // --- AWS: load balancing ---
  aws_lb: {
    replaceOn: ['name', 'name_prefix', 'internal', 'load_balancer_type', 'customer_owned_ipv4_pool'],
    vpcPlacement: ['subnets', 'subnet_mapping', 'security_groups'],
    deleteRefused: (config) =>
      config.enable_deletion_protection === true
        ? 'OperationNotPermitted: deletion protection is enabled (enable_deletion_protection)'
        : undefined,
  },
  aws_lb_target_group: {
    replaceOn: [
      'name',
      'name_prefix',
      'port',
      'protocol',
      'protocol_version',
      'target_type',
      'vpc_id',
      'ip_address_type',
    ],
    deleteRefusedWhileUsed: 'ResourceInUse: the target group is in use by a listener or a rule',
  },
  aws_lb_listener: { replaceOn: ['load_balancer_arn'] },
  aws_acm_certificate: {
    replaceOn: ['domain_name', 'subject_alternative_names', 'key_algorithm', 'certificate_authority_arn'],
    deleteRefusedWhileUsed: 'ResourceInUseException: the certificate is in use by a listener',
  },
  aws_acm_certificate_validation: { replaceOn: ['certificate_arn', 'validation_record_fqdns'] },
  aws_route53_record: { replaceOn: ['zone_id', 'name'] },
  // --- AWS: fleets ---
  aws_launch_template: {
    replaceOn: ['name', 'name_prefix'],
    disruptive: ['image_id', 'user_data', 'instance_type', 'block_device_mappings'],
  },
  aws_autoscaling_group: { replaceOn: ['name', 'name_prefix'], disruptive: ['launch_template', 'vpc_zone_identifier'] },
  aws_instance: { replaceOn: ['ami', 'subnet_id', 'availability_zone'] },
  aws_iam_role: { replaceOn: ['name', 'name_prefix', 'path'] },
  aws_iam_role_policy: { replaceOn: ['name', 'name_prefix', 'role'] },
  aws_iam_role_policy_attachment: { replaceOn: ['role', 'policy_arn'] },
  aws_iam_instance_profile: { replaceOn: ['name', 'name_prefix', 'path'] },
  aws_iam_policy: { replaceOn: ['name', 'name_prefix', 'path', 'description'] },
  aws_ssm_parameter: { replaceOn: ['name', 'data_type'] },
  // --- AWS: logging, alarms, secrets, keys ---
  aws_opensearch_domain: {
    replaceOn: ['domain_name'],
    // CustomizeDiff: adding or removing vpc_options replaces the domain; moving it to another VPC is refused.
    replaceWhen: { vpc_options: (before, after) => (before === undefined) !== (after === undefined) },
    disruptive: ['engine_version', 'cluster_config', 'ebs_options'],
    vpcPlacement: ['vpc_options'],
    stateful: true,
  },
  aws_elasticsearch_domain: {
    replaceOn: ['domain_name'],
    disruptive: ['elasticsearch_version', 'cluster_config', 'ebs_options'],
    vpcPlacement: ['vpc_options'],
    stateful: true,
  },
  aws_cloudwatch_log_group: { replaceOn: ['name', 'name_prefix', 'log_group_class'], stateful: true },
  aws_cloudwatch_log_metric_filter: { replaceOn: ['name', 'log_group_name'] },
  aws_cloudwatch_log_resource_policy: { replaceOn: ['policy_name'] },
  aws_cloudwatch_metric_alarm: { replaceOn: ['alarm_name'] },
  aws_sns_topic: { replaceOn: ['name', 'name_prefix', 'fifo_topic'] },
  aws_sns_topic_policy: { replaceOn: ['arn'] },
  aws_sns_topic_subscription: { replaceOn: ['topic_arn', 'protocol', 'endpoint'] },
  aws_secretsmanager_secret: { replaceOn: ['name', 'name_prefix'], stateful: true },
  aws_secretsmanager_secret_version: { replaceOn: ['secret_id', 'secret_string', 'secret_binary'] },
  aws_kms_key: {
    replaceOn: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
    stateful: true,
  },
  aws_kms_alias: { replaceOn: ['name', 'name_prefix'] },
  // --- AWS: archives and registry ---
  aws_s3_bucket: { replaceOn: ['bucket', 'bucket_prefix', 'object_lock_enabled'], stateful: true },
  aws_s3_bucket_lifecycle_configuration: S3_CHILD,
  aws_s3_bucket_logging: S3_CHILD,
  aws_s3_bucket_object_lock_configuration: { replaceOn: ['bucket', 'expected_bucket_owner', 'object_lock_enabled'] },
  aws_s3_bucket_ownership_controls: { replaceOn: ['bucket'] },
  aws_s3_bucket_policy: { replaceOn: ['bucket'] },
  aws_s3_bucket_public_access_block: { replaceOn: ['bucket'] },
  aws_s3_bucket_server_side_encryption_configuration: S3_CHILD,
  aws_s3_bucket_versioning: S3_CHILD,
  aws_ecr_repository: { replaceOn: ['name', 'encryption_configuration'], stateful: true },
  aws_ecr_lifecycle_policy: { replaceOn: ['repository'] },
  aws_dynamodb_table: { replaceOn: ['name'], stateful: true },
  aws_db_instance: {
    replaceOn: ['identifier', 'engine', 'availability_zone', 'db_name', 'kms_key_id', 'storage_encrypted'],
    stateful: true,
  },
  aws_efs_file_system: {
    replaceOn: ['creation_token', 'encrypted', 'kms_key_id', 'performance_mode', 'availability_zone_name'],
    stateful: true,
  },

  // --- Terraform's built-in provider ---
  terraform_data: { replaceOn: ['triggers_replace'] },

  // --- DigitalOcean (provider source, digitalocean/<service>/resource_*.go) ---
  digitalocean_droplet: {
    // resource_droplet.go: ForceNew on image, region, public_networking, ssh_keys, user_data, monitoring,
    // droplet_agent, vpc_uuid, gpu_partition_mode; size resizes in place (a power cycle).
    replaceOn: [
      'image',
      'region',
      'public_networking',
      'ssh_keys',
      'user_data',
      'monitoring',
      'droplet_agent',
      'vpc_uuid',
      'gpu_partition_mode',
    ],
    // CustomizeDiff ForceNewIfChange("ipv6", old && !new): turning IPv6 off replaces, turning it on is in place.
    replaceWhen: { ipv6: (before, after) => before === true && after !== true },
    disruptive: ['size'],
  },
  digitalocean_project: { replaceOn: [] },
  digitalocean_project_resources: { replaceOn: ['project'] },
  digitalocean_tag: { replaceOn: ['name'] },
  digitalocean_vpc: {
    replaceOn: ['region', 'ip_range'],
    deleteRefusedWhileUsed: 'the VPC has members (droplets, load balancers, databases)',
  },
  digitalocean_firewall: { replaceOn: [] },
  digitalocean_loadbalancer: {
    replaceOn: ['region', 'vpc_uuid', 'subnet_uuid', 'ip', 'type', 'network', 'network_stack'],
  },
  // resource_database_cluster.go: region migrates in place.
  digitalocean_database_cluster: {
    replaceOn: ['name', 'engine', 'sql_mode', 'private_network_uuid', 'project_id'],
    disruptive: ['size', 'version'],
    stateful: true,
  },
  digitalocean_database_firewall: { replaceOn: ['cluster_id'] },
  digitalocean_database_user: { replaceOn: ['name', 'cluster_id'] },
  // resource_spaces_bucket.go: only region is ForceNew; the provider plans a rename in place, which S3 cannot do.
  digitalocean_spaces_bucket: {
    replaceOn: ['region'],
    refusedInPlace: { name: 'a Spaces bucket cannot be renamed' },
    stateful: true,
  },
  digitalocean_certificate: {
    replaceOn: ['name', 'private_key', 'leaf_certificate', 'certificate_chain', 'domains', 'type'],
  },
  digitalocean_record: { replaceOn: ['type', 'domain'] },
  digitalocean_domain: { replaceOn: ['name', 'ip_address'] },
  digitalocean_volume: { replaceOn: ['region', 'name', 'filesystem_type', 'snapshot_id'], stateful: true },
  digitalocean_container_registry: { replaceOn: ['name'], stateful: true },
};

const entries = Object.entries(RESOURCE_KNOWLEDGE);

/** Resource types whose deletion loses data or breaks connectivity that cannot be recreated as it was. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set(entries.filter(([, k]) => k.stateful).map(([t]) => t));

/** Arguments whose change makes Terraform destroy and recreate the resource, by type. */
export const REPLACE_ON: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  entries.map(([t, k]) => [t, k.replaceOn]),
);

/** One-way replacements (see {@link ResourceKnowledge.replaceWhen}), by type. */
export const REPLACE_WHEN: Readonly<
  Record<string, Readonly<Record<string, (before: unknown, after: unknown) => boolean>>>
> = Object.fromEntries(entries.filter(([, k]) => k.replaceWhen).map(([t, k]) => [t, k.replaceWhen!]));

/** In-place changes that still interrupt service, by type. */
export const DISRUPTIVE: Readonly<Record<string, ReadonlyArray<string | RegExp>>> = Object.fromEntries(
  entries.filter(([, k]) => k.disruptive).map(([t, k]) => [t, k.disruptive!]),
);

/** The top-level argument a change path starts with: `tunnel1_ike_versions[0]` → `tunnel1_ike_versions`. */
export function topArgument(path: string): string {
  return path.split(/[.[]/)[0];
}

/** Whether the table knows `type`. */
export function isKnownType(type: string): boolean {
  return type in RESOURCE_KNOWLEDGE;
}

/**
 * The changed arguments (top-level names) of `type` that force a replacement. With the resource's arguments
 * before and after, the one-way rules of {@link ResourceKnowledge.replaceWhen} apply too (an argument left out counts
 * as absent).
 */
export function replacementCauses(
  type: string,
  changedPaths: readonly string[],
  before?: Readonly<Record<string, unknown>>,
  after?: Readonly<Record<string, unknown>>,
): string[] {
  const forcing = REPLACE_ON[type] ?? [];
  const oneWay = REPLACE_WHEN[type] ?? {};
  const replaces = (a: string) =>
    forcing.includes(a) ||
    (before !== undefined && after !== undefined && oneWay[a] !== undefined && oneWay[a](before[a], after[a]));
  return [...new Set(changedPaths.map(topArgument).filter(replaces))];
}

/** The changed arguments (top-level names) of `type` that disrupt service in place. */
export function disruptionCauses(type: string, changedPaths: readonly string[]): string[] {
  const patterns = DISRUPTIVE[type] ?? [];
  const hit = (a: string) => patterns.some((p) => (typeof p === 'string' ? p === a : p.test(a)));
  return [...new Set(changedPaths.map(topArgument).filter(hit))];
}

/** The changed arguments of `type` the cloud refuses to change in place, with why. */
export function refusedChanges(
  type: string,
  changedPaths: readonly string[],
): Array<{ argument: string; why: string }> {
  const refused = RESOURCE_KNOWLEDGE[type]?.refusedInPlace ?? {};
  return [...new Set(changedPaths.map(topArgument))]
    .filter((a) => refused[a])
    .map((a) => ({ argument: a, why: refused[a] }));
}
