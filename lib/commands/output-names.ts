/**
 * Names of the stack outputs that the stacks write and the commands read (with `cdktf output`). One light
 * module, so the stacks on the synth path import three constants instead of the command back-ends, and the
 * names are spelled once.
 */

/** Output names of `<env>-cutover`. */
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
