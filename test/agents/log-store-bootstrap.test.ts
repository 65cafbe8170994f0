import {
  logDataStreamName,
  PASSWORD_PLACEHOLDER,
  renderIndexRetentionPolicy,
  renderLogStoreBootstrap,
} from '../../lib/agents/log-store-bootstrap';

describe('renderIndexRetentionPolicy', () => {
  test('deletes <prefix>-* indices after the retention, applied automatically to new indices', () => {
    expect(renderIndexRetentionPolicy('logs-shop', 30)).toEqual({
      policy: {
        description: 'Delete logs-shop-* indices 30 days after creation (rendered by cdktf-bluegreen)',
        default_state: 'hot',
        states: [
          { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }] },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: ['logs-shop-*'], priority: 100 }],
      },
    });
  });

  test('fails on a retention out of range', () => {
    expect(() => renderIndexRetentionPolicy('logs', 0)).toThrow(
      /retentionDays 0 must be a whole number of days between 1 and 3650/,
    );
    expect(() => renderIndexRetentionPolicy('logs', 4000)).toThrow(/between 1 and 3650/);
  });

  test('fails on an index prefix with a wildcard', () => {
    expect(() => renderIndexRetentionPolicy('logs-*', 3)).toThrow(/indexPrefix "logs-\*"/);
  });
});

describe('renderLogStoreBootstrap', () => {
  const requests = renderLogStoreBootstrap({ indexPrefix: 'logs-shop', retentionDays: 14, replicas: 0 });

  test('only idempotent PUTs, policy first, user mapped last', () => {
    expect(requests.every((r) => r.method === 'PUT')).toBe(true);
    expect(requests[0].path).toBe('/_plugins/_ism/policies/logs-shop-retention');
    expect(requests[requests.length - 1]).toMatchObject({
      path: '/_plugins/_security/api/rolesmapping/log_forwarder',
      body: { users: ['log-forwarder'] },
    });
  });

  test('the forwarder role may create and write its own indices only', () => {
    const role = requests.find((r) => r.path.endsWith('/roles/log_forwarder'))!.body as {
      index_permissions: Array<{ index_patterns: string[]; allowed_actions: string[] }>;
      cluster_permissions: string[];
    };
    expect(role.index_permissions).toHaveLength(1);
    expect(role.index_permissions[0].index_patterns).toEqual(['logs-shop-*']);
    expect(
      role.index_permissions[0].allowed_actions.some(
        (a) => /read|search|delete|\*$/.test(a) && !a.startsWith('indices:data/write/bulk'),
      ),
    ).toBe(false);
    expect(role.cluster_permissions).toContain('cluster:monitor/health');
  });

  test('the index template types the tag fields as keywords and uses the replica count', () => {
    const tpl = requests.find((r) => r.path === '/_index_template/logs-shop')!.body as {
      template: { settings: Record<string, number>; mappings: { properties: Record<string, { type: string }> } };
    };
    expect(tpl.template.settings.number_of_replicas).toBe(0);
    for (const field of ['app', 'environment', 'color', 'release', 'host', 'source'])
      expect(tpl.template.mappings.properties[field].type).toBe('keyword');
    expect(tpl.template.mappings.properties['@timestamp'].type).toBe('date');
  });

  test('never carries a password, only the placeholder', () => {
    const user = requests.find((r) => r.path.includes('/internalusers/'))!;
    expect(user.body.password).toBe(PASSWORD_PLACEHOLDER);
  });

  test('optionally adds the Dashboards index pattern, as an overwriting POST with the XSRF header', () => {
    expect(requests.some((r) => r.path.startsWith('/_dashboards'))).toBe(false);
    const withPattern = renderLogStoreBootstrap({
      indexPrefix: 'logs-shop',
      retentionDays: 14,
      dashboardsIndexPattern: true,
    });
    expect(withPattern[withPattern.length - 1]).toEqual({
      description: 'Dashboards index pattern logs-shop-* (time field @timestamp)',
      method: 'POST',
      path: '/_dashboards/api/saved_objects/index-pattern/logs-shop?overwrite=true',
      headers: { 'osd-xsrf': 'true' },
      body: { attributes: { title: 'logs-shop-*', timeFieldName: '@timestamp' } },
    });
  });

  test('fails on a bad forwarder user name', () => {
    expect(() =>
      renderLogStoreBootstrap({ indexPrefix: 'logs', retentionDays: 3, forwarderUsername: 'Admin User' }),
    ).toThrow(/forwarderUsername "Admin User"/);
  });
});

describe('renderLogStoreBootstrap: append-only (dataStream, the AWS log store)', () => {
  const requests = renderLogStoreBootstrap({
    indexPrefix: 'logs-shop',
    retentionDays: 14,
    replicas: 1,
    dataStream: true,
    dashboardsIndexPattern: true,
  });
  const byPath = (p: string) => requests.find((r) => r.path === p)!;

  test('the forwarder role may only append to the data stream: no create-index, update, delete or read permission', () => {
    const role = byPath('/_plugins/_security/api/roles/log_forwarder').body as {
      index_permissions: Array<{ index_patterns: string[]; allowed_actions: string[] }>;
      cluster_permissions: string[];
    };
    expect(role.index_permissions).toEqual([
      {
        index_patterns: [logDataStreamName('logs-shop'), '.ds-logs-shop-*'],
        allowed_actions: ['indices:data/write/index', 'indices:data/write/bulk*', 'indices:admin/mapping/put'],
      },
    ]);
    expect(role.cluster_permissions).toEqual([
      'cluster:monitor/health',
      'cluster:monitor/main',
      'indices:data/write/bulk',
    ]);
    const everything = [...role.cluster_permissions, ...role.index_permissions.flatMap((p) => p.allowed_actions)];
    for (const forbidden of [
      /delete/,
      /update/,
      /read/,
      /admin\/create/,
      /auto_create/,
      /data_stream/,
      /^indices:\*$/,
      /^\*$/,
      /^(write|crud|index|delete|create_index|indices_all)$/,
    ]) {
      expect(everything.filter((a) => forbidden.test(a))).toEqual([]);
    }
  });

  test('the template makes <indexPrefix> a data stream on @timestamp; the admin creates the stream, keeping an existing one', () => {
    expect(byPath('/_index_template/logs-shop').body).toMatchObject({
      index_patterns: ['logs-shop'],
      data_stream: { timestamp_field: { name: '@timestamp' } },
      priority: 100,
    });
    const create = byPath('/_data_stream/logs-shop');
    expect(create).toMatchObject({ method: 'PUT', existingIsDone: true });
    const order = requests.map((r) => r.path);
    expect(order.indexOf('/_index_template/logs-shop')).toBeLessThan(order.indexOf('/_data_stream/logs-shop'));
    expect(order.indexOf('/_data_stream/logs-shop')).toBeLessThan(
      order.indexOf('/_plugins/_security/api/rolesmapping/log_forwarder'),
    );
  });

  test('retention rolls the stream over daily and deletes backing indices after the retention', () => {
    expect(byPath('/_plugins/_ism/policies/logs-shop-retention').body).toEqual(
      renderIndexRetentionPolicy('logs-shop', 14, true),
    );
    expect(renderIndexRetentionPolicy('logs-shop', 14, true)).toMatchObject({
      policy: {
        states: [
          {
            name: 'hot',
            actions: [{ rollover: { min_index_age: '1d' } }],
            transitions: [{ state_name: 'delete', conditions: { min_index_age: '14d' } }],
          },
          { name: 'delete', actions: [{ delete: {} }] },
        ],
        ism_template: [{ index_patterns: ['logs-shop'], priority: 100 }],
      },
    });
  });

  test('Dashboards reads the stream', () => {
    expect(requests[requests.length - 1].body).toEqual({
      attributes: { title: 'logs-shop', timeFieldName: '@timestamp' },
    });
  });
});
