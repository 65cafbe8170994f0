/**
 * What the diff and plan commands know about provider resources: which hold state that a delete would lose,
 * which arguments force a replacement (Terraform "ForceNew"), and which in-place changes still disrupt
 * service. Taken from the AWS (v6) and DigitalOcean (v2) provider schemas.
 */

/** Resource types whose deletion loses data or breaks connectivity that cannot be recreated as it was. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'aws_s3_bucket',
  'aws_opensearch_domain',
  'aws_elasticsearch_domain',
  'aws_cloudwatch_log_group',
  'aws_ecr_repository',
  'aws_vpn_connection',
  'aws_customer_gateway',
  'aws_vpn_gateway',
  'aws_kms_key',
  'aws_dynamodb_table',
  'aws_db_instance',
  'aws_efs_file_system',
  'digitalocean_spaces_bucket',
  'digitalocean_database_cluster',
  'digitalocean_volume',
  'digitalocean_container_registry',
]);

/** Arguments whose change makes Terraform destroy and recreate the resource. */
export const REPLACE_ON: Readonly<Record<string, readonly string[]>> = {
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'],
  aws_customer_gateway: ['ip_address', 'bgp_asn', 'bgp_asn_extended', 'type', 'certificate_arn', 'device_name'],
  aws_vpn_connection: ['type', 'static_routes_only', 'transit_gateway_id', 'enable_acceleration', 'outside_ip_address_type', 'tunnel_inside_ip_version'],
  aws_vpn_gateway: ['amazon_side_asn', 'availability_zone'],
  aws_cloudwatch_log_group: ['name', 'name_prefix', 'log_group_class'],
  aws_ecr_repository: ['name'],
  aws_opensearch_domain: ['domain_name'],
  aws_elasticsearch_domain: ['domain_name'],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
  aws_lb: ['name', 'name_prefix', 'internal', 'load_balancer_type'],
  aws_lb_target_group: ['name', 'name_prefix', 'port', 'protocol', 'protocol_version', 'target_type', 'vpc_id', 'ip_address_type'],
  aws_vpc: ['cidr_block', 'instance_tenancy'],
  aws_subnet: ['cidr_block', 'vpc_id', 'availability_zone', 'availability_zone_id'],
  aws_security_group: ['name', 'name_prefix', 'vpc_id', 'description'],
  aws_autoscaling_group: ['name', 'name_prefix'],
  aws_instance: ['ami', 'subnet_id', 'availability_zone'],
  aws_iam_role: ['name', 'name_prefix'],
  // DigitalOcean provider 2.71.0 (digitalocean/droplet/resource_droplet.go): `ForceNew` on image, region, size
  // (no: resized in place), ssh_keys, user_data, monitoring, droplet_agent, vpc_uuid; `ipv6` true→false is forced
  // by CustomizeDiff (ForceNewIfChange), see REPLACE_WHEN.
  digitalocean_droplet: ['image', 'region', 'user_data', 'ssh_keys', 'vpc_uuid', 'monitoring', 'droplet_agent'],
  digitalocean_spaces_bucket: ['name', 'region'],
  // digitalocean/database/resource_database_cluster.go (2.71.0): name, engine, private_network_uuid, project_id are
  // ForceNew; region is not (the cluster migrates in place).
  digitalocean_database_cluster: ['name', 'engine', 'private_network_uuid', 'project_id'],
  digitalocean_vpc: ['ip_range', 'region'],
  digitalocean_loadbalancer: ['region', 'vpc_uuid'],
};

/**
 * Changes that force a replacement only in one direction (a provider CustomizeDiff `ForceNewIfChange`): the
 * argument, and whether a change from `before` to `after` replaces.
 */
export const REPLACE_WHEN: Readonly<Record<string, Readonly<Record<string, (before: unknown, after: unknown) => boolean>>>> = {
  // resource_droplet.go (2.71.0): ForceNewIfChange("ipv6", old && !new); turning it on is in place.
  digitalocean_droplet: { ipv6: (before, after) => before === true && after !== true },
};

/** In-place changes that still interrupt service (instance refresh, tunnel renegotiation, domain blue/green). */
export const DISRUPTIVE: Readonly<Record<string, ReadonlyArray<string | RegExp>>> = {
  aws_vpn_connection: [/^tunnel[12]_/, 'customer_gateway_id', 'vpn_gateway_id'],
  aws_launch_template: ['image_id', 'user_data', 'instance_type', 'block_device_mappings'],
  aws_autoscaling_group: ['launch_template', 'vpc_zone_identifier'],
  aws_opensearch_domain: ['engine_version', 'cluster_config', 'ebs_options'],
  aws_elasticsearch_domain: ['elasticsearch_version', 'cluster_config', 'ebs_options'],
  digitalocean_droplet: ['size'],
  digitalocean_database_cluster: ['size', 'version'],
};

/** The top-level argument a change path starts with: `tunnel1_ike_versions[0]` → `tunnel1_ike_versions`. */
export function topArgument(path: string): string {
  return path.split(/[.[]/)[0];
}

/**
 * The changed arguments (top-level names) of `type` that force a replacement. With the resource's arguments
 * before and after, the one-way rules of {@link REPLACE_WHEN} apply too (an argument left out counts as absent).
 */
export function replacementCauses(
  type: string,
  changedPaths: readonly string[],
  before?: Readonly<Record<string, unknown>>,
  after?: Readonly<Record<string, unknown>>,
): string[] {
  const forcing = REPLACE_ON[type] ?? [];
  const oneWay = REPLACE_WHEN[type] ?? {};
  const replaces = (a: string) => forcing.includes(a) || (before !== undefined && after !== undefined && oneWay[a] !== undefined && oneWay[a](before[a], after[a]));
  return [...new Set(changedPaths.map(topArgument).filter(replaces))];
}

/** The changed arguments (top-level names) of `type` that disrupt service in place. */
export function disruptionCauses(type: string, changedPaths: readonly string[]): string[] {
  const patterns = DISRUPTIVE[type] ?? [];
  const hit = (a: string) => patterns.some((p) => (typeof p === 'string' ? p === a : p.test(a)));
  return [...new Set(changedPaths.map(topArgument).filter(hit))];
}
