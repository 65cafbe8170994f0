// The DigitalOcean stacks of the shipped dev environment: what each holds, that a cutover changes dev-cutover
// alone, and that a weighted split is refused before any stack exists.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { cutover } from '../../lib/commands/cutover';
import { logStoreBootstrapMain } from '../../lib/commands/log-store-bootstrap';
import { smokeTargetUrl } from '../../lib/commands/smoke';
import { ConfigError, loadEnvironments } from '../../lib/config';
import { parseDocument } from 'yaml';
import { envDir, shipped, withValue } from '../support/env-dir';
import { resources, synthConfigs, TfJson } from '../support/synth';

/** Synthesizes only dev from a values directory: stack name → JSON text. */
function synthDev(dir: string): Map<string, string> {
  return synthConfigs(loadEnvironments({ dir, only: ['dev'] }));
}

const parse = (texts: Map<string, string>, name: string): TfJson => JSON.parse(texts.get(name)!) as TfJson;
const one = (stack: TfJson, type: string): Record<string, any> => {
  const all = resources(stack, type);
  expect(all).toHaveLength(1);
  return all[0] as Record<string, any>;
};

describe('dev on DigitalOcean: the four stacks', () => {
  const texts = synthDev(envDir());
  const shared = parse(texts, 'dev-shared');
  const blue = parse(texts, 'dev-blue');
  const green = parse(texts, 'dev-green');
  const cutover = parse(texts, 'dev-cutover');

  test('dev-shared: VPC with the environment range', () => {
    expect(one(shared, 'digitalocean_vpc')).toMatchObject({
      name: 'shop-dev',
      region: 'fra1',
      ip_range: '10.10.0.0/20',
    });
  });

  test('dev-shared: droplet firewall by the fleet tag, SSH only from the admin CIDRs, OpenSearch egress inside the VPC only', () => {
    const fw = one(shared, 'digitalocean_firewall');
    expect(fw.tags).toEqual(['${digitalocean_tag.tags_fleet_64843EFC.name}']);
    expect(fw.inbound_rule).toEqual([{ protocol: 'tcp', port_range: '22', source_addresses: ['203.0.113.0/24'] }]);
    const toOpenSearch = (fw.outbound_rule as Array<Record<string, any>>).find((r) => r.port_range === '25060');
    expect(toOpenSearch).toMatchObject({ protocol: 'tcp', destination_addresses: ['10.10.0.0/20'] });
    expect(JSON.stringify(fw.inbound_rule)).not.toContain('0.0.0.0/0');
  });

  test('dev-shared: the tags the other stacks select droplets by', () => {
    expect(
      resources(shared, 'digitalocean_tag')
        .map((t) => t.name)
        .sort(),
    ).toEqual(['shop-dev', 'shop-dev-blue', 'shop-dev-green']);
  });

  test('dev-shared: Spaces bucket named by the values, private, versioned, with lifecycle; dev turns prevent_destroy off', () => {
    expect(one(shared, 'digitalocean_spaces_bucket')).toMatchObject({
      name: 'shop-dev-deployments-7f3a',
      region: 'fra1',
      acl: 'private',
      force_destroy: false,
      versioning: { enabled: true },
      lifecycle: { prevent_destroy: false },
      lifecycle_rule: [expect.objectContaining({ enabled: true, noncurrent_version_expiration: { days: 90 } })],
    });
  });

  test('dev-shared: OpenSearch in the VPC with the default tags; its firewall admits only the fleet tag', () => {
    const cluster = one(shared, 'digitalocean_database_cluster');
    expect(cluster).toMatchObject({
      engine: 'opensearch',
      name: 'shop-dev-logs',
      size: 'db-s-1vcpu-2gb',
      node_count: 1,
      lifecycle: { prevent_destroy: false },
    });
    expect(cluster.private_network_uuid).toMatch(/digitalocean_vpc\./);
    expect(cluster.tags).toEqual(
      expect.arrayContaining([
        'environment:dev',
        'stack:dev-shared',
        'managed-by:cdktf-bluegreen',
        'owner:platform-team',
      ]),
    );
    expect(one(shared, 'digitalocean_database_firewall').rule).toEqual([
      { type: 'tag', value: '${digitalocean_tag.tags_fleet_64843EFC.name}' },
    ]);
    const [dev] = loadEnvironments({ dir: envDir(), only: ['dev'] });
    const index = `${dev.logging.indexPrefix}-*`;
    expect(one(shared, 'digitalocean_database_user')).toMatchObject({
      name: 'log-forwarder',
      settings: [{ opensearch_acl: [{ index, permission: 'write' }] }],
    });
  });

  test('dev-shared: SSH keys checked by fingerprint, a project grouping the resources', () => {
    const keys = Object.values(shared.data!.digitalocean_ssh_keys)[0] as Record<string, any>;
    expect(keys.filter).toEqual([{ key: 'fingerprint', values: ['3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa'] }]);
    expect(one(shared, 'digitalocean_project')).toMatchObject({ name: 'shop-dev', environment: 'Development' });
    expect(one(shared, 'digitalocean_project_resources').resources).toEqual([
      '${digitalocean_spaces_bucket.deployments_bucket_154726D0.urn}',
    ]);
  });

  test('dev-shared: the outputs the deploy and archive commands read', () => {
    expect(shared.output).toMatchObject({
      deployment_records_bucket: { value: '${digitalocean_spaces_bucket.deployments_bucket_154726D0.name}' },
      app_files_bucket: { value: '${digitalocean_spaces_bucket.deployments_bucket_154726D0.name}' },
      archive_region: { value: '${digitalocean_spaces_bucket.deployments_bucket_154726D0.region}' },
      archive_endpoint: { value: 'https://${digitalocean_spaces_bucket.deployments_bucket_154726D0.endpoint}' },
    });
  });

  test('dev-shared: the log store bootstrap sets index retention and the template, not users (the DigitalOcean API does)', () => {
    const [dev] = loadEnvironments({ dir: envDir(), only: ['dev'] });
    expect(shared.output!.log_store_endpoint).toEqual({
      value: '${digitalocean_database_cluster.log-store_cluster_CB865C43.private_host}',
      description: expect.any(String),
    });
    const requests = JSON.parse((shared.output!.log_store_bootstrap as { value: string }).value) as Array<{
      method: string;
      path: string;
      body: any;
    }>;
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /_plugins/_ism/policies/${dev.logging.indexPrefix}-retention`,
      `PUT /_index_template/${dev.logging.indexPrefix}`,
    ]);
    expect(requests[0].body.policy.states[0].transitions[0].conditions).toEqual({
      min_index_age: `${dev.logging.indexRetentionDays}d`,
    });
    expect(requests[1].body.template.settings.number_of_replicas).toBe(0); // one node
  });

  test('npm run log-store-bootstrap reads those outputs (dry run)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-do-outputs-')), 'outputs.json');
    const host = 'private-shop-dev-logs-do-user-1-0.b.db.ondigitalocean.com';
    fs.writeFileSync(
      file,
      JSON.stringify({
        'dev-shared': {
          log_store_endpoint: host,
          log_store_bootstrap: (shared.output!.log_store_bootstrap as { value: string }).value,
        },
      }),
    );
    let out = '';
    const code = await logStoreBootstrapMain(['dev', '--outputs', file, '--dry-run'], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    expect(out).toContain(`PUT https://${host}/_plugins/_ism/policies/`);
    expect(out).toContain(`PUT https://${host}/_index_template/`);
  });

  test('dev-shared: the forwarder password is a sensitive output; no output exposes the admin password', () => {
    expect(shared.output!.log_forwarder_password).toMatchObject({ sensitive: true });
    expect(JSON.stringify(shared.output)).not.toMatch(/\.password\}[^]*"sensitive": false/);
    expect(JSON.stringify(shared)).not.toContain('digitalocean_database_cluster.log-store_cluster_CB865C43.password');
  });

  test.each([
    ['blue', () => blue, '158472931', '1-5-0'],
    ['green', () => green, '157301178', '1-4-1'],
  ] as const)(
    'dev-%s: desired-count droplets from the release snapshot, tagged, in the shared VPC',
    (color, stack, image, release) => {
      const droplets = resources(stack(), 'digitalocean_droplet') as Array<Record<string, any>>;
      expect(droplets).toHaveLength(1); // colors.<color>.capacity.desired
      expect(droplets[0]).toMatchObject({
        name: `shop-dev-${color}-0`,
        image,
        size: 's-1vcpu-2gb',
        region: 'fra1',
        monitoring: true,
        ssh_keys: ['3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa'],
      });
      expect(droplets[0].tags).toEqual(
        expect.arrayContaining([
          'shop-dev',
          `shop-dev-${color}`,
          `color:${color}`,
          'environment:dev',
          `stack:dev-${color}`,
          'managed-by:cdktf-bluegreen',
          `release:${release}`,
        ]),
      );
      // The VPC dev-shared creates, looked up by its name (never through dev-shared's state).
      expect(droplets[0].vpc_uuid).toMatch(/^\$\{data\.digitalocean_vpc\.shared_vpc_[0-9A-F]+\.id\}$/);
      expect(Object.values(stack().data?.digitalocean_vpc ?? {})).toEqual([
        expect.objectContaining({ name: resources(shared, 'digitalocean_vpc')[0].name }),
      ]);
      expect(droplets[0].user_data).toMatch(/^#cloud-config\n/);
      expect(droplets[0].user_data).toContain(`shop dev/${color} release`);
    },
  );

  test('droplet user data is a literal with no Terraform token and no credential', () => {
    for (const stack of [blue, green]) {
      const userData = (resources(stack, 'digitalocean_droplet')[0] as Record<string, string>).user_data;
      expect(userData).not.toContain('${');
      expect(userData).not.toMatch(/password\s*[:=]\s*\S/i);
      expect(userData).toContain('/etc/log-forwarder/destination.env');
    }
  });

  test('dev-cutover: the live load balancer serves blue, the preview one green, restricted to the admin CIDRs', () => {
    const lbs: Record<string, Record<string, any>> = Object.fromEntries(
      (resources(cutover, 'digitalocean_loadbalancer') as Array<Record<string, any>>).map((lb) => [lb.name, lb]),
    );
    expect(Object.keys(lbs).sort()).toEqual(['shop-dev-live', 'shop-dev-preview']);
    expect(lbs['shop-dev-live']).toMatchObject({
      droplet_tag: 'shop-dev-blue',
      redirect_http_to_https: true,
      lifecycle: { prevent_destroy: false },
    });
    expect(lbs['shop-dev-live'].firewall).toBeUndefined();
    expect(lbs['shop-dev-preview']).toMatchObject({
      droplet_tag: 'shop-dev-green',
      firewall: { allow: ['cidr:203.0.113.0/24'] },
      lifecycle: { prevent_destroy: false },
    });
    for (const lb of Object.values(lbs)) {
      expect(lb.forwarding_rule[0]).toMatchObject({
        entry_port: 443,
        entry_protocol: 'https',
        certificate_name: 'shop-dev',
        target_port: 8080,
      });
      expect(lb.healthcheck).toMatchObject({ protocol: 'http', port: 8080, path: '/health' });
    }
  });

  test('dev-cutover: the app port opens to the two load balancers only', () => {
    const fw = one(cutover, 'digitalocean_firewall');
    expect(fw.tags).toEqual(['shop-dev']);
    expect(fw.inbound_rule).toEqual([
      {
        protocol: 'tcp',
        port_range: '8080',
        source_load_balancer_uids: [
          '${digitalocean_loadbalancer.live_lb_B93DA3FC.id}',
          '${digitalocean_loadbalancer.preview_lb_B20CD52C.id}',
        ],
      },
    ]);
  });

  test('dev-cutover: outputs live URL, preview URL and live color, under the names the commands read too', () => {
    expect(cutover.output).toMatchObject({
      live_url: { value: 'https://dev.shop.example.com' },
      preview_url: { value: 'https://preview.dev.shop.example.com' },
      test_url: { value: 'https://preview.dev.shop.example.com' },
      live_color: { value: 'blue' },
      preview_color: { value: 'green' },
      weights: { value: { blue: 100, green: 0 } },
    });
  });

  test('npm run smoke -- --env dev checks the preview load balancer (and --live the live one)', async () => {
    const values = Object.fromEntries(
      Object.entries(cutover.output!).map(([k, v]) => [k, (v as { value: unknown }).value]),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-do-outputs-')), 'outputs.json');
    fs.writeFileSync(file, JSON.stringify({ 'dev-cutover': values }));
    expect(await smokeTargetUrl({ environment: 'dev', outputsFile: file, cwd: process.cwd() })).toBe(
      'https://preview.dev.shop.example.com',
    );
    expect(await smokeTargetUrl({ environment: 'dev', outputsFile: file, cwd: process.cwd(), live: true })).toBe(
      'https://dev.shop.example.com',
    );
  });

  test('every stack keeps its own state object in Spaces', () => {
    for (const name of ['dev-shared', 'dev-blue', 'dev-green', 'dev-cutover']) {
      expect(parse(texts, name).terraform.backend).toMatchObject({
        s3: { key: `shop/dev/${name}.tfstate`, endpoints: { s3: 'https://fra1.digitaloceanspaces.com' } },
      });
    }
  });
});

describe('a cutover on DigitalOcean changes dev-cutover only', () => {
  const before = synthDev(envDir());
  const after = synthDev(envDir({ 'dev.yaml': withValue('dev.yaml', ['traffic'], { blue: 0, green: 100 }) }));

  test('the same four stacks', () => {
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  });

  test('shared, blue and green are byte-for-byte the same; cutover differs', () => {
    const changed = [...before.keys()].filter((name) => before.get(name) !== after.get(name));
    expect(changed).toEqual(['dev-cutover']);
  });

  test('the cutover swaps the two droplet tags and nothing else changes name or id', () => {
    const lbs = (texts: Map<string, string>) =>
      Object.fromEntries(
        Object.entries(parse(texts, 'dev-cutover').resource!.digitalocean_loadbalancer).map(([id, lb]) => [
          id,
          lb.droplet_tag,
        ]),
      );
    expect(lbs(before)).toEqual({ live_lb_B93DA3FC: 'shop-dev-blue', preview_lb_B20CD52C: 'shop-dev-green' });
    expect(lbs(after)).toEqual({ live_lb_B93DA3FC: 'shop-dev-green', preview_lb_B20CD52C: 'shop-dev-blue' });
    expect(parse(after, 'dev-cutover').output!.live_color).toMatchObject({ value: 'green' });
  });

  test('a release in one color changes that color stack only', () => {
    const released = synthDev(
      envDir({
        'dev.yaml': withValue('dev.yaml', ['colors', 'green', 'release'], { version: '1.6.0', image: '160000001' }),
      }),
    );
    expect([...before.keys()].filter((name) => before.get(name) !== released.get(name))).toEqual(['dev-green']);
  });
});

describe('npm run cutover works unchanged on DigitalOcean', () => {
  test('cutover(dev, green) edits dev.yaml (comments kept) and the next synth changes dev-cutover only', () => {
    const dir = envDir();
    const before = synthDev(dir);
    const result = cutover({ environment: 'dev', color: 'green', dir });
    expect(result).toMatchObject({ changed: true, after: { blue: 0, green: 100 }, nextStack: 'dev-cutover' });
    expect(fs.readFileSync(path.join(dir, 'dev.yaml'), 'utf8')).toContain('# DigitalOcean-only values');
    const after = synthDev(dir);
    expect([...before.keys()].filter((name) => before.get(name) !== after.get(name))).toEqual(['dev-cutover']);
  });

  test('fails on a weighted cutover with the DigitalOcean reason, writing nothing', () => {
    const dir = envDir();
    const text = fs.readFileSync(path.join(dir, 'dev.yaml'), 'utf8');
    let error: unknown;
    try {
      cutover({ environment: 'dev', color: 'green', weight: 10, dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      'traffic: weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight',
    );
    expect(fs.readFileSync(path.join(dir, 'dev.yaml'), 'utf8')).toBe(text);
  });
});

describe('deletion protection and the test listener settings on DigitalOcean', () => {
  const doc = parseDocument(shipped('dev.yaml'));
  doc.setIn(['loadBalancer'], {
    deletionProtection: true,
    testListener: { allowedCidrs: ['198.51.100.0/24', '203.0.113.0/24'] },
  });
  doc.setIn(['traffic', 'stickinessSeconds'], 600);
  const texts = synthDev(envDir({ 'dev.yaml': doc.toString() }));
  const lbs: Record<string, Record<string, any>> = Object.fromEntries(
    (resources(parse(texts, 'dev-cutover'), 'digitalocean_loadbalancer') as Array<Record<string, any>>).map((lb) => [
      lb.name,
      lb,
    ]),
  );

  test('deletionProtection protects the live load balancer only (the preview one comes and goes with the strategy)', () => {
    expect(lbs['shop-dev-live'].lifecycle).toEqual({ prevent_destroy: true });
    expect(lbs['shop-dev-preview'].lifecycle).toEqual({ prevent_destroy: false });
  });

  test('the preview load balancer admits the admin CIDRs and the test listener CIDRs, once each', () => {
    expect(lbs['shop-dev-preview'].firewall).toEqual({ allow: ['cidr:203.0.113.0/24', 'cidr:198.51.100.0/24'] });
  });

  test('stickiness becomes a load balancer cookie', () => {
    expect(lbs['shop-dev-live'].sticky_sessions).toEqual({
      type: 'cookies',
      cookie_name: 'DO-LB',
      cookie_ttl_seconds: 600,
    });
  });
});

describe('hard-cutover on DigitalOcean has no preview load balancer', () => {
  const texts = synthDev(envDir({ 'dev.yaml': withValue('dev.yaml', ['traffic', 'strategy'], 'hard-cutover') }));
  const cutover = parse(texts, 'dev-cutover');

  test('one load balancer, and the app port opens to it alone', () => {
    expect(resources(cutover, 'digitalocean_loadbalancer').map((lb) => lb.name)).toEqual(['shop-dev-live']);
    expect(one(cutover, 'digitalocean_firewall').inbound_rule[0].source_load_balancer_uids).toHaveLength(1);
    expect(cutover.output!.preview_url).toBeUndefined();
  });
});

describe('bad DigitalOcean values stop the synth', () => {
  test('fails on a weighted split with the reason, before any stack exists', () => {
    const dir = envDir({ 'dev.yaml': withValue('dev.yaml', ['traffic'], { blue: 90, green: 10, strategy: 'canary' }) });
    expect(() => synthDev(dir)).toThrow(
      /environments\/dev\.yaml: traffic: weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight/,
    );
  });

  test('fails on traffic to a color with no droplets (the cloud-neutral safety check holds on DigitalOcean)', () => {
    const text = withValue('dev.yaml', ['colors', 'green', 'capacity'], { min: 0, max: 2, desired: 0 });
    const dir = envDir({
      'dev.yaml': text.replace(/traffic:\n  blue: 100\n  green: 0/, 'traffic:\n  blue: 0\n  green: 100'),
    });
    expect(() => synthDev(dir)).toThrow(
      /dev\.yaml: traffic\.green: environment dev: green would get 100% of traffic but colors\.green\.capacity\.desired is 0/,
    );
  });
});

/** dev.yaml with `digitalocean.<key>` set (comments kept). */
const devWith = (key: string, value: unknown): string => withValue('dev.yaml', ['digitalocean', key], value);
const blocks = (stack: TfJson, kind: 'resource' | 'data', type: string): Array<Record<string, any>> =>
  Object.values(((kind === 'data' ? stack.data : stack.resource) ?? {})[type] ?? {}) as Array<Record<string, any>>;

describe('item 1: every DigitalOcean stack plans on an empty account', () => {
  const texts = synthDev(envDir());

  test('no firewall port_range, load balancer health check or sticky-session value is a Terraform expression (the provider validates them at plan time)', () => {
    for (const [name, text] of texts) {
      const stack = JSON.parse(text) as TfJson;
      for (const fw of blocks(stack, 'resource', 'digitalocean_firewall')) {
        for (const rule of [...(fw.inbound_rule ?? []), ...(fw.outbound_rule ?? [])])
          expect(`${name} ${rule.port_range}`).toMatch(/^\S+ \d+(-\d+)?$/);
      }
      for (const lb of blocks(stack, 'resource', 'digitalocean_loadbalancer')) {
        expect(JSON.stringify([lb.region, lb.healthcheck, lb.sticky_sessions])).not.toContain('${');
      }
    }
    const fleet = blocks(parse(texts, 'dev-shared'), 'resource', 'digitalocean_firewall')[0];
    expect(fleet.outbound_rule).toContainEqual({
      protocol: 'tcp',
      port_range: '25060',
      destination_addresses: ['10.10.0.0/20'],
    });
  });
});

describe('item 2: the load balancers never manage DNS; host names become explicit records', () => {
  test("shipped dev (no dns domain): both load balancers disable Let's Encrypt DNS records, and no record exists", () => {
    const cutover = parse(synthDev(envDir()), 'dev-cutover');
    const lbs = blocks(cutover, 'resource', 'digitalocean_loadbalancer');
    expect(lbs).toHaveLength(2);
    for (const lb of lbs) expect(lb.disable_lets_encrypt_dns_records).toBe(true);
    expect(blocks(cutover, 'resource', 'digitalocean_record')).toEqual([]);
  });

  test('with digitalocean.dns: one A record per host name, in the looked-up domain, at the load balancer it names', () => {
    const cutover = parse(
      synthDev(envDir({ 'dev.yaml': devWith('dns', { domain: 'shop.example.com', ttlSeconds: 120 }) })),
      'dev-cutover',
    );
    const records = blocks(cutover, 'resource', 'digitalocean_record');
    expect(records.map((r) => [r.name, r.type, r.ttl, r.value])).toEqual([
      ['dev', 'A', 120, '${digitalocean_loadbalancer.live_lb_B93DA3FC.ip}'],
      ['preview.dev', 'A', 120, '${digitalocean_loadbalancer.preview_lb_B20CD52C.ip}'],
    ]);
    for (const r of records)
      expect(r.domain).toMatch(/^\$\{data\.digitalocean_domain\.dns-\w+_domain_[0-9A-F]+\.name\}$/);
    expect(blocks(cutover, 'data', 'digitalocean_domain').map((d) => d.name)).toEqual([
      'shop.example.com',
      'shop.example.com',
    ]);
  });

  test('fails on a host name outside the DNS domain, naming the key', () => {
    expect(() => synthDev(envDir({ 'dev.yaml': devWith('dns', { domain: 'other.example.org' }) }))).toThrow(
      /dev\.yaml: digitalocean\.liveHostname: "dev\.shop\.example\.com" is not in the DNS domain other\.example\.org/,
    );
  });
});

describe('item 4: releases replace droplets without timing out; the forwarder gets the CA and credentials without a manual step', () => {
  const texts = synthDev(envDir());

  test.each(['dev-blue', 'dev-green'])(
    '%s: graceful shutdown with a 10-minute delete timeout; resize_disk off',
    (name) => {
      for (const d of blocks(parse(texts, name), 'resource', 'digitalocean_droplet')) {
        expect(d).toMatchObject({ graceful_shutdown: true, resize_disk: false, timeouts: { delete: '10m' } });
      }
    },
  );

  test('each new droplet gets the cluster CA and destination.env over SSH after cloud-init, then rsyslog restarts', () => {
    const stack = parse(texts, 'dev-blue');
    const [droplet] = blocks(stack, 'resource', 'digitalocean_droplet');
    expect(droplet.connection).toEqual({ type: 'ssh', host: '${self.ipv4_address}', user: 'root', timeout: '5m' });
    const steps = droplet.provisioner as Array<Record<string, any>>;
    expect(steps.map((p) => Object.keys(p)[0])).toEqual(['remote-exec', 'file', 'file', 'remote-exec']);
    expect(steps[0]['remote-exec'].inline[0]).toBe('cloud-init status --wait >/dev/null || true');
    expect(steps[0]['remote-exec'].inline.slice(1)).toEqual([
      'mkdir -p /usr/local/share/ca-certificates',
      'mkdir -p /etc/log-forwarder',
    ]);
    const ca = Object.keys(stack.data!.digitalocean_database_ca)[0];
    const user = Object.keys(stack.data!.digitalocean_database_user)[0];
    const cluster = Object.keys(stack.data!.digitalocean_database_cluster)[0];
    expect(steps[1].file).toEqual({
      content: `\${data.digitalocean_database_ca.${ca}.certificate}`,
      destination: '/usr/local/share/ca-certificates/do-database-ca.crt',
    });
    expect(steps[2].file).toEqual({
      content: `LOG_STORE_HOST=\${data.digitalocean_database_cluster.${cluster}.private_host}\nLOG_STORE_USERNAME=log-forwarder\nLOG_STORE_PASSWORD=\${data.digitalocean_database_user.${user}.password}\n`,
      destination: '/etc/log-forwarder/destination.env',
    });
    expect(steps[3]['remote-exec'].inline).toEqual([
      'chmod 0644 /usr/local/share/ca-certificates/do-database-ca.crt',
      'chmod 0600 /etc/log-forwarder/destination.env',
      'update-ca-certificates',
      'systemctl restart rsyslog.service',
    ]);
    expect(stack.data!.digitalocean_database_cluster[cluster]).toMatchObject({ name: 'shop-dev-logs' });
    expect(stack.data!.digitalocean_database_user[user]).toMatchObject({ name: 'log-forwarder' });
  });

  test('the SSH connection and provisioner blocks are valid Terraform (real terraform validate, on a built-in terraform_data copy)', () => {
    // No DigitalOcean provider binary here: the blocks are copied onto terraform_data, which needs none, with each
    // expression replaced by a literal (they reference the droplet and data sources that copy does not have).
    const [droplet] = blocks(parse(texts, 'dev-blue'), 'resource', 'digitalocean_droplet');
    const literal = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/\$\{[^}]*\}/g, '192.0.2.1'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-do-prov-'));
    fs.writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({
        resource: {
          terraform_data: {
            droplet: { input: 'x', connection: literal(droplet.connection), provisioner: literal(droplet.provisioner) },
          },
        },
      }),
    );
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const tf = (args: string[]) => spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(tf(['init', '-input=false', '-no-color']).status).toBe(0);
    const validate = tf(['validate', '-no-color']);
    expect(`${validate.stdout}${validate.stderr}`).toContain('Success! The configuration is valid.');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the user data (no secret, no expression) points rsyslog at the database port; the CA comes through the trust store', () => {
    const [droplet] = blocks(parse(texts, 'dev-green'), 'resource', 'digitalocean_droplet');
    expect(droplet.user_data).toContain('binary="/usr/bin/python3 /usr/local/libexec/log-forwarder-ship 25060 ');
    expect(droplet.user_data).not.toContain('tls.cacert');
    expect(droplet.user_data).not.toContain('${');
  });
});

describe('item 6: names, ranges, bucket, checks at plan, preventDestroy', () => {
  const copyOfDev = (name: string, edits: Record<string, unknown>): string => {
    const doc = parseDocument(shipped('dev.yaml'));
    doc.setIn(['name'], name);
    for (const [key, value] of Object.entries(edits)) doc.setIn(key.split('.'), value);
    return doc.toString();
  };

  test("fails on an environment whose names collide with another's (dev-blue's fleet tag is dev's blue tag)", () => {
    const dir = envDir({
      'dev-blue.yaml': copyOfDev('dev-blue', {
        'network.vpcCidr': '10.11.0.0/20',
        'digitalocean.spaces.bucket': 'shop-dev-blue-deployments-7f3a',
        'backend.keyPrefix': 'shop/dev-blue',
      }),
    });
    expect(() => loadEnvironments({ dir })).toThrow(
      /dev-blue\.yaml: name: environment "dev-blue" would name its fleet tag "shop-dev-blue", which environment "dev" \(.*dev\.yaml\) uses for its blue tag; rename one environment/,
    );
  });

  test('fails on overlapping VPC ranges and a shared bucket between two DigitalOcean environments', () => {
    const dir = envDir({
      'test.yaml': copyOfDev('test', { 'network.vpcCidr': '10.10.8.0/24', 'backend.keyPrefix': 'shop/test' }),
    });
    let message = '';
    try {
      loadEnvironments({ dir });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /test\.yaml: network\.vpcCidr: 10\.10\.8\.0\/24 overlaps 10\.10\.0\.0\/20 of environment "dev" .*; DigitalOcean refuses overlapping VPC ranges in one account/,
    );
    expect(message).toMatch(
      /test\.yaml: digitalocean\.spaces\.bucket: "shop-dev-deployments-7f3a" is the bucket of environment "dev" .*too/,
    );
  });

  test('accepts a second environment with its own names, range and bucket', () => {
    const dir = envDir({
      'test.yaml': copyOfDev('test', {
        'network.vpcCidr': '10.11.0.0/20',
        'digitalocean.spaces.bucket': 'shop-test-deployments-7f3a',
      }),
    });
    expect(loadEnvironments({ dir }).map((c) => c.name)).toContain('test');
  });

  test('fails without a Spaces bucket name, saying why no default is safe', () => {
    expect(() => loadEnvironments({ dir: envDir({ 'dev.yaml': devWith('spaces', undefined) }) })).toThrow(
      /dev\.yaml: digitalocean\.spaces\.bucket: required: Spaces bucket names are global across all DigitalOcean customers \(and blocked for a week after a delete\), so no name built from <app>-<env> is safe/,
    );
  });

  test('the SSH keys are checked at plan in every stack that creates droplets, the certificate in the stack that uses it', () => {
    const texts = synthDev(envDir());
    for (const name of ['dev-shared', 'dev-blue', 'dev-green']) {
      const [keys] = blocks(parse(texts, name), 'data', 'digitalocean_ssh_keys');
      expect(keys.lifecycle.postcondition[0].condition).toBe('${(length(self.ssh_keys) == 1)}');
    }
    const [cert] = blocks(parse(texts, 'dev-cutover'), 'data', 'digitalocean_certificate');
    expect(cert.name).toBe('shop-dev');
    expect(cert.lifecycle.postcondition.map((p: { condition: string }) => p.condition)).toEqual([
      '${(self.state == "verified")}',
      expect.stringMatching(
        /setintersection\(self.domains, \["dev.shop.example.com", "\*.shop.example.com"\]\).*setintersection\(self.domains, \["preview.dev.shop.example.com", "\*.dev.shop.example.com"\]\)/,
      ),
    ]);
  });

  test('preventDestroy: true unless the values turn it off (dev does)', () => {
    const on = parse(synthDev(envDir({ 'dev.yaml': devWith('preventDestroy', undefined) })), 'dev-shared');
    expect(blocks(on, 'resource', 'digitalocean_spaces_bucket')[0].lifecycle).toEqual({ prevent_destroy: true });
    expect(blocks(on, 'resource', 'digitalocean_database_cluster')[0].lifecycle).toEqual({ prevent_destroy: true });
    const off = parse(synthDev(envDir()), 'dev-shared');
    expect(blocks(off, 'resource', 'digitalocean_database_cluster')[0].lifecycle).toEqual({ prevent_destroy: false });
  });
});

describe('item 3: a cutover in two deploys, the new color joining the live load balancer before the old one leaves', () => {
  const liveTag = (texts: Map<string, string>) =>
    blocks(parse(texts, 'dev-cutover'), 'resource', 'digitalocean_loadbalancer').find(
      (lb) => lb.name === 'shop-dev-live',
    )!.droplet_tag;

  test('step 1 (cutoverJoining: green) puts both colors behind the live load balancer; step 2 leaves only green; only dev-cutover changes', () => {
    const before = synthDev(envDir());
    const joining = synthDev(envDir({ 'dev.yaml': devWith('cutoverJoining', 'green') }));
    const doc = parseDocument(shipped('dev.yaml'));
    doc.setIn(['traffic'], { blue: 0, green: 100 });
    const after = synthDev(envDir({ 'dev.yaml': doc.toString() }));
    expect([liveTag(before), liveTag(joining), liveTag(after)]).toEqual([
      'shop-dev-blue',
      'shop-dev',
      'shop-dev-green',
    ]);
    expect(parse(joining, 'dev-cutover').output!.live_color).toMatchObject({ value: 'blue+green' });
    expect([...before.keys()].filter((n) => before.get(n) !== joining.get(n))).toEqual(['dev-cutover']);
  });

  test('fails on cutoverJoining naming the live color', () => {
    expect(() =>
      loadEnvironments({ dir: envDir({ 'dev.yaml': devWith('cutoverJoining', 'blue') }), only: ['dev'] }),
    ).toThrow(/dev\.yaml: digitalocean\.cutoverJoining: is the live color already/);
  });
});
