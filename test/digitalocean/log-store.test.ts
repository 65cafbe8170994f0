import { LogStore, LogStoreProps } from '../../lib/digitalocean/log-store';
import { synthResources } from '../support/construct-synth';

const PROPS: LogStoreProps = {
  name: 'shop-dev-logs',
  region: 'fra1',
  vpcId: 'vpc-123',
  allowedTags: ['shop-dev'],
  forwarderIndexPattern: 'logs-*',
  tags: ['environment:dev'],
};

const synth = (props: LogStoreProps) => synthResources((scope) => new LogStore(scope, 'log-store', props));

describe('LogStore', () => {
  const res = synth(PROPS);
  const cluster = Object.values(res.digitalocean_database_cluster)[0] as Record<string, any>;

  test('a managed OpenSearch cluster in the VPC with the default size', () => {
    expect(cluster).toMatchObject({
      name: 'shop-dev-logs',
      engine: 'opensearch',
      version: '2',
      size: 'db-s-1vcpu-2gb',
      node_count: 1,
      region: 'fra1',
      private_network_uuid: 'vpc-123',
      tags: ['environment:dev'],
    });
  });

  test('prevent_destroy and a maintenance window', () => {
    expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
    expect(cluster.maintenance_window).toEqual([{ day: 'sunday', hour: '03:00:00' }]);
  });

  test('the database firewall admits only the fleet tag', () => {
    const fw = Object.values(res.digitalocean_database_firewall)[0] as Record<string, any>;
    expect(fw.rule).toEqual([{ type: 'tag', value: 'shop-dev' }]);
    expect(fw.cluster_id).toMatch(/^\$\{digitalocean_database_cluster\.[\w-]+\.id\}$/);
  });

  test('a log-forwarder user that may only write to the log indices', () => {
    const users = Object.values(res.digitalocean_database_user) as Array<Record<string, any>>;
    expect(users).toEqual([
      expect.objectContaining({
        name: 'log-forwarder',
        settings: [{ opensearch_acl: [{ index: 'logs-*', permission: 'write' }] }],
      }),
    ]);
  });

  test('no forwarder user unless asked', () => {
    expect(synth({ ...PROPS, forwarderIndexPattern: undefined }).digitalocean_database_user).toBeUndefined();
  });

  test('sizing follows the props', () => {
    const c = Object.values(
      synth({ ...PROPS, size: 'db-s-2vcpu-4gb', nodeCount: 3 }).digitalocean_database_cluster,
    )[0] as Record<string, any>;
    expect(c).toMatchObject({ size: 'db-s-2vcpu-4gb', node_count: 3 });
  });

  test('fails on no allowed tag (a database firewall without rules admits everyone)', () => {
    expect(() => synth({ ...PROPS, allowedTags: [] })).toThrow(
      /allowedTags is empty; a database firewall without rules admits every source/,
    );
  });

  test('fails on zero nodes', () => {
    expect(() => synth({ ...PROPS, nodeCount: 0 })).toThrow(/nodeCount must be a whole number ≥ 1 \(got 0\)/);
  });

  test('fails on a bad index pattern', () => {
    expect(() => synth({ ...PROPS, forwarderIndexPattern: '*' })).toThrow(
      /forwarderIndexPattern "\*" must be an index name or prefix pattern/,
    );
  });
});
