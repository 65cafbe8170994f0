/**
 * What a fresh OpenSearch log store needs before the forwarders can write, as REST requests: the index
 * retention (ISM) policy, the index template, and a least-privilege `log_forwarder` role, user and mapping.
 *
 * Neither the AWS nor the DigitalOcean Terraform provider can set these (they live inside the cluster's own
 * API), so they are rendered here as data, published as a stack output, and applied once with the admin
 * credentials from inside the network (see README "Centralized logging"). Every request is idempotent (PUT, or
 * an overwriting POST), so applying them again is harmless. Until they are applied, forwarders keep their lines
 * in their disk queues.
 */

/** One REST request against the log store. */
export interface LogStoreRequest {
  /** What the request sets up. */
  readonly description: string;
  /** HTTP method: PUT, or POST for the Dashboards saved-objects API (with `overwrite=true`, so idempotent too). */
  readonly method: 'PUT' | 'POST';
  /** Path on the store, starting with `/` (may carry a query string). */
  readonly path: string;
  /**
   * Extra request headers.
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body. The forwarder's password appears as the placeholder {@link PASSWORD_PLACEHOLDER}. */
  readonly body: Record<string, unknown>;
}

/** Stands for the forwarder's password (from its secret) in the user request; substitute it when applying. */
export const PASSWORD_PLACEHOLDER = '${LOG_STORE_PASSWORD}';

/** Input of {@link renderLogStoreBootstrap}. */
export interface LogStoreBootstrapInput {
  /** Index prefix; indices are `<indexPrefix>-YYYY.MM.DD`. */
  readonly indexPrefix: string;
  /** Days an index lives before the store deletes it. */
  readonly retentionDays: number;
  /**
   * The forwarder's user name.
   * @default 'log-forwarder'
   */
  readonly forwarderUsername?: string;
  /**
   * Replicas per shard (0 on a single node, 1 when the store has two or more data nodes).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Also create the OpenSearch Dashboards index pattern `<indexPrefix>-*` (time field `@timestamp`), served
   * under `/_dashboards` of the same endpoint (AWS); leave off where Dashboards has its own host.
   * @default false
   */
  readonly dashboardsIndexPattern?: boolean;
}

/** The ISM policy that deletes `<indexPrefix>-*` indices `retentionDays` after their creation. */
export function renderIndexRetentionPolicy(indexPrefix: string, retentionDays: number): Record<string, unknown> {
  if (!/^[a-z][a-z0-9-]*$/.test(indexPrefix)) throw new Error(`log store: indexPrefix "${indexPrefix}" must be lowercase letters, digits and dashes`);
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
    throw new Error(`log store: retentionDays ${retentionDays} must be a whole number of days between 1 and 3650`);
  }
  return {
    policy: {
      description: `Delete ${indexPrefix}-* indices ${retentionDays} days after creation (rendered by cdktf-bluegreen)`,
      default_state: 'hot',
      states: [
        { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }] },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [`${indexPrefix}-*`], priority: 100 }],
    },
  };
}

/** The requests that prepare a log store for the forwarders, in the order to apply them. */
export function renderLogStoreBootstrap(input: LogStoreBootstrapInput): LogStoreRequest[] {
  const { indexPrefix } = input;
  const retention = renderIndexRetentionPolicy(indexPrefix, input.retentionDays);
  const user = input.forwarderUsername ?? 'log-forwarder';
  if (!/^[a-z][a-z0-9_-]{2,63}$/.test(user)) throw new Error(`log store: forwarderUsername "${user}" must be 3-64 lowercase letters, digits, _ or -`);
  const replicas = input.replicas ?? 1;
  const keyword = { type: 'keyword' };
  return [
    { description: `Index retention: delete ${indexPrefix}-* after ${input.retentionDays} days`, method: 'PUT', path: `/_plugins/_ism/policies/${indexPrefix}-retention`, body: retention },
    {
      description: `Index template for ${indexPrefix}-*: typed tag fields, free-form app fields`,
      method: 'PUT',
      path: `/_index_template/${indexPrefix}`,
      body: {
        index_patterns: [`${indexPrefix}-*`],
        template: {
          settings: { number_of_shards: 1, number_of_replicas: replicas },
          mappings: {
            properties: {
              '@timestamp': { type: 'date' },
              app: keyword,
              environment: keyword,
              color: keyword,
              release: keyword,
              host: keyword,
              log_type: keyword,
              source: keyword,
              file: keyword,
              severity: keyword,
              facility: keyword,
              message: { type: 'text' },
              fields: { type: 'object', dynamic: true },
            },
          },
        },
      },
    },
    {
      description: `Role log_forwarder: create and write ${indexPrefix}-* only, and read cluster health`,
      method: 'PUT',
      path: '/_plugins/_security/api/roles/log_forwarder',
      body: {
        cluster_permissions: ['cluster:monitor/health', 'cluster:monitor/main', 'indices:data/write/bulk'],
        index_permissions: [
          {
            index_patterns: [`${indexPrefix}-*`],
            allowed_actions: ['indices:admin/create', 'indices:admin/mapping/put', 'indices:data/write/index', 'indices:data/write/bulk*'],
          },
        ],
      },
    },
    {
      description: `Internal user ${user} (password: the forwarder secret's "password")`,
      method: 'PUT',
      path: `/_plugins/_security/api/internalusers/${user}`,
      body: { password: PASSWORD_PLACEHOLDER, description: 'Log forwarder on the app servers (rsyslog)' },
    },
    { description: `Map ${user} to log_forwarder`, method: 'PUT', path: '/_plugins/_security/api/rolesmapping/log_forwarder', body: { users: [user] } },
    ...(input.dashboardsIndexPattern
      ? [
          {
            description: `Dashboards index pattern ${indexPrefix}-* (time field @timestamp)`,
            method: 'POST' as const,
            path: `/_dashboards/api/saved_objects/index-pattern/${indexPrefix}?overwrite=true`,
            headers: { 'osd-xsrf': 'true' },
            body: { attributes: { title: `${indexPrefix}-*`, timeFieldName: '@timestamp' } },
          },
        ]
      : []),
  ];
}
