/**
 * What a fresh OpenSearch log store needs before the forwarders can write, as REST requests: the index
 * retention (ISM) policy, the index template, and a least-privilege `log_forwarder` role, user and mapping.
 *
 * Append-only (`dataStream: true`, the AWS log store): the forwarders write into one data stream, `<indexPrefix>`.
 * OpenSearch has no create-only permission (`create` and an overwriting `index` both need
 * `indices:data/write/index`), so the guarantee comes from the data stream itself: it accepts only `create`
 * (an `index` with an id, i.e. an overwrite, is refused with "only write ops with an op_type of create are allowed
 * in data streams"), a write aimed at a backing index is refused unless it names the document's sequence number and
 * primary term (which a role without read permission cannot learn), and the role grants no delete, update or read.
 *
 * Neither the AWS nor the DigitalOcean Terraform provider can set these (they live inside the cluster's own
 * API), so they are rendered here as data, published as a stack output, and applied once with the admin
 * credentials from inside the network (see README "Centralized logging"). Every request is idempotent (PUT, or
 * an overwriting POST), so applying them again is harmless. Until they are applied, forwarders keep their lines
 * in their disk queues.
 */
import { RenderInputError } from '../construct-errors';

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
  /**
   * A create that OpenSearch refuses when the thing exists (`PUT /_data_stream/<name>`): a 400
   * `resource_already_exists_exception` answer counts as done, so applying the requests again stays harmless.
   * @default false
   */
  readonly existingIsDone?: boolean;
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
  /**
   * Write into one data stream named `<indexPrefix>` (append-only, rolled over daily by the retention policy)
   * instead of daily indices `<indexPrefix>-YYYY.MM.DD` that the forwarder creates (and could overwrite in).
   * @default false
   */
  readonly dataStream?: boolean;
}

/** The data stream the forwarders of an append-only store write into: `<indexPrefix>`. */
export function logDataStreamName(indexPrefix: string): string {
  return indexPrefix;
}

/**
 * The ISM policy that deletes `<indexPrefix>-*` indices `retentionDays` after their creation; for a data stream,
 * it rolls the stream over to a new backing index daily and deletes each backing index `retentionDays` after its
 * creation (a data stream's current write index cannot be deleted, only rolled over).
 */
export function renderIndexRetentionPolicy(
  indexPrefix: string,
  retentionDays: number,
  dataStream = false,
): Record<string, unknown> {
  if (!/^[a-z][a-z0-9-]*$/.test(indexPrefix))
    throw new RenderInputError(
      `log store: indexPrefix "${indexPrefix}" must be lowercase letters, digits and dashes. Fix: rename indexPrefix with those characters only`,
    );
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
    throw new RenderInputError(
      `log store: retentionDays ${retentionDays} must be a whole number of days between 1 and 3650. Fix: set the index retention within 1-3650 days`,
    );
  }
  if (dataStream) {
    const stream = logDataStreamName(indexPrefix);
    return {
      policy: {
        description: `Roll the ${stream} data stream over daily; delete its backing indices ${retentionDays} days after creation (rendered by cdktf-bluegreen)`,
        default_state: 'hot',
        states: [
          {
            name: 'hot',
            actions: [{ rollover: { min_index_age: '1d' } }],
            transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
          },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: [stream], priority: 100 }],
      },
    };
  }
  return {
    policy: {
      description: `Delete ${indexPrefix}-* indices ${retentionDays} days after creation (rendered by cdktf-bluegreen)`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [`${indexPrefix}-*`], priority: 100 }],
    },
  };
}

/** The requests that prepare a log store for the forwarders, in the order to apply them. */
export function renderLogStoreBootstrap(input: LogStoreBootstrapInput): LogStoreRequest[] {
  const { indexPrefix } = input;
  const dataStream = input.dataStream ?? false;
  const stream = logDataStreamName(indexPrefix);
  const retention = renderIndexRetentionPolicy(indexPrefix, input.retentionDays, dataStream);
  const pattern = dataStream ? stream : `${indexPrefix}-*`;
  const user = input.forwarderUsername ?? 'log-forwarder';
  if (!/^[a-z][a-z0-9_-]{2,63}$/.test(user))
    throw new RenderInputError(
      `log store: forwarderUsername "${user}" must be 3-64 lowercase letters, digits, _ or -. Fix: rename forwarderUsername with 3-64 of those characters`,
    );
  const replicas = input.replicas ?? 1;
  const keyword = { type: 'keyword' };
  return [
    {
      description: `Index retention: delete ${indexPrefix}-* after ${input.retentionDays} days`,
      method: 'PUT',
      path: `/_plugins/_ism/policies/${indexPrefix}-retention`,
      body: retention,
    },
    {
      description: dataStream
        ? `Index template of the ${stream} data stream (append-only): typed tag fields, free-form app fields`
        : `Index template for ${indexPrefix}-*: typed tag fields, free-form app fields`,
      method: 'PUT',
      path: `/_index_template/${indexPrefix}`,
      body: {
        index_patterns: [pattern],
        ...(dataStream ? { data_stream: { timestamp_field: { name: '@timestamp' } }, priority: 100 } : {}),
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
    ...(dataStream
      ? [
          {
            description: `Data stream ${stream} (created here, so the forwarder needs no create permission; an existing one is kept)`,
            method: 'PUT' as const,
            path: `/_data_stream/${stream}`,
            body: {},
            existingIsDone: true,
          },
        ]
      : []),
    {
      description: dataStream
        ? `Role log_forwarder: append (bulk create) to the ${stream} data stream only, and read cluster health; no read, update or delete`
        : `Role log_forwarder: create and write ${indexPrefix}-* only, and read cluster health`,
      method: 'PUT',
      path: '/_plugins/_security/api/roles/log_forwarder',
      body: {
        cluster_permissions: ['cluster:monitor/health', 'cluster:monitor/main', 'indices:data/write/bulk'],
        index_permissions: [
          dataStream
            ? {
                // The stream and its backing indices (shard-level bulk requests name the backing index). The data
                // stream refuses every op but `create`; `indices:admin/mapping/put` lets new app fields map.
                index_patterns: [stream, `.ds-${stream}-*`],
                allowed_actions: ['indices:data/write/index', 'indices:data/write/bulk*', 'indices:admin/mapping/put'],
              }
            : {
                index_patterns: [`${indexPrefix}-*`],
                allowed_actions: [
                  'indices:admin/create',
                  'indices:admin/mapping/put',
                  'indices:data/write/index',
                  'indices:data/write/bulk*',
                ],
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
    {
      description: `Map ${user} to log_forwarder`,
      method: 'PUT',
      path: '/_plugins/_security/api/rolesmapping/log_forwarder',
      body: { users: [user] },
    },
    ...(input.dashboardsIndexPattern
      ? [
          {
            description: `Dashboards index pattern ${pattern} (time field @timestamp)`,
            method: 'POST' as const,
            path: `/_dashboards/api/saved_objects/index-pattern/${indexPrefix}?overwrite=true`,
            headers: { 'osd-xsrf': 'true' },
            body: { attributes: { title: pattern, timeFieldName: '@timestamp' } },
          },
        ]
      : []),
  ];
}
