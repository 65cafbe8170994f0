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
  digitalocean_droplet: ['image', 'region', 'user_data', 'ssh_keys', 'vpc_uuid'],
  digitalocean_spaces_bucket: ['name', 'region'],
  digitalocean_database_cluster: ['engine', 'region'],
  digitalocean_vpc: ['ip_range', 'region'],
  digitalocean_loadbalancer: ['region', 'vpc_uuid'],
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

/** The changed arguments (top-level names) of `type` that force a replacement. */
export function replacementCauses(type: string, changedPaths: readonly string[]): string[] {
  const forcing = REPLACE_ON[type] ?? [];
  return [...new Set(changedPaths.map(topArgument).filter((a) => forcing.includes(a)))];
}

/** The changed arguments (top-level names) of `type` that disrupt service in place. */
export function disruptionCauses(type: string, changedPaths: readonly string[]): string[] {
  const patterns = DISRUPTIVE[type] ?? [];
  const hit = (a: string) => patterns.some((p) => (typeof p === 'string' ? p === a : p.test(a)));
  return [...new Set(changedPaths.map(topArgument).filter(hit))];
}
