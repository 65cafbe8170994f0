// The DigitalOcean stacks of the shipped dev environment: what each holds, that a cutover changes dev-cutover
// alone, and that a weighted split is refused before any stack exists.
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
    expect(one(shared, 'digitalocean_vpc')).toMatchObject({ name: 'shop-dev', region: 'fra1', ip_range: '10.10.0.0/20' });
  });

  test('dev-shared: droplet firewall by the fleet tag, SSH only from the admin CIDRs, OpenSearch egress inside the VPC only', () => {
    const fw = one(shared, 'digitalocean_firewall');
    expect(fw.tags).toEqual(['${digitalocean_tag.tags_fleet_64843EFC.name}']);
    expect(fw.inbound_rule).toEqual([{ protocol: 'tcp', port_range: '22', source_addresses: ['203.0.113.0/24'] }]);
    const toOpenSearch = (fw.outbound_rule as Array<Record<string, any>>).find((r) => String(r.port_range).includes('digitalocean_database_cluster'));
    expect(toOpenSearch).toMatchObject({ protocol: 'tcp', destination_addresses: ['10.10.0.0/20'] });
    expect(JSON.stringify(fw.inbound_rule)).not.toContain('0.0.0.0/0');
  });

  test('dev-shared: the tags the other stacks select droplets by', () => {
    expect(resources(shared, 'digitalocean_tag').map((t) => t.name).sort()).toEqual(['shop-dev', 'shop-dev-blue', 'shop-dev-green']);
  });

  test('dev-shared: Spaces bucket, private, versioned, with lifecycle, never destroyed', () => {
    expect(one(shared, 'digitalocean_spaces_bucket')).toMatchObject({
      name: 'shop-dev-deployments',
      region: 'fra1',
      acl: 'private',
      force_destroy: false,
      versioning: { enabled: true },
      lifecycle: { prevent_destroy: true },
      lifecycle_rule: [expect.objectContaining({ enabled: true, noncurrent_version_expiration: { days: 90 } })],
    });
  });

  test('dev-shared: OpenSearch in the VPC with the default tags; its firewall admits only the fleet tag', () => {
    const cluster = one(shared, 'digitalocean_database_cluster');
    expect(cluster).toMatchObject({ engine: 'opensearch', name: 'shop-dev-logs', size: 'db-s-1vcpu-2gb', node_count: 1, lifecycle: { prevent_destroy: true } });
    expect(cluster.private_network_uuid).toMatch(/digitalocean_vpc\./);
    expect(cluster.tags).toEqual(expect.arrayContaining(['environment:dev', 'stack:dev-shared', 'managed-by:cdktf-bluegreen', 'owner:platform-team']));
    expect(one(shared, 'digitalocean_database_firewall').rule).toEqual([{ type: 'tag', value: '${digitalocean_tag.tags_fleet_64843EFC.name}' }]);
    const [dev] = loadEnvironments({ dir: envDir(), only: ['dev'] });
    const index = `${dev.logging.indexPrefix}-*`;
    expect(one(shared, 'digitalocean_database_user')).toMatchObject({ name: 'log-forwarder', settings: [{ opensearch_acl: [{ index, permission: 'write' }] }] });
  });

  test('dev-shared: SSH keys checked by fingerprint, a project grouping the resources', () => {
    const keys = Object.values(shared.data!.digitalocean_ssh_keys)[0] as Record<string, any>;
    expect(keys.filter).toEqual([{ key: 'fingerprint', values: ['3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa'] }]);
    expect(one(shared, 'digitalocean_project')).toMatchObject({ name: 'shop-dev', environment: 'Development' });
    expect(one(shared, 'digitalocean_project_resources').resources).toEqual(['${digitalocean_spaces_bucket.deployments_bucket_154726D0.urn}']);
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
    const requests = JSON.parse((shared.output!.log_store_bootstrap as { value: string }).value) as Array<{ method: string; path: string; body: any }>;
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /_plugins/_ism/policies/${dev.logging.indexPrefix}-retention`,
      `PUT /_index_template/${dev.logging.indexPrefix}`,
    ]);
    expect(requests[0].body.policy.states[0].transitions[0].conditions).toEqual({ min_index_age: `${dev.logging.indexRetentionDays}d` });
    expect(requests[1].body.template.settings.number_of_replicas).toBe(0); // one node
  });

  test('npm run log-store-bootstrap reads those outputs (dry run)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-do-outputs-')), 'outputs.json');
    const host = 'private-shop-dev-logs-do-user-1-0.b.db.ondigitalocean.com';
    fs.writeFileSync(file, JSON.stringify({ 'dev-shared': { log_store_endpoint: host, log_store_bootstrap: (shared.output!.log_store_bootstrap as { value: string }).value } }));
    let out = '';
    const code = await logStoreBootstrapMain(['dev', '--outputs', file, '--dry-run'], { stdout: (t) => (out += t), stderr: () => undefined });
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
  ] as const)('dev-%s: desired-count droplets from the release snapshot, tagged, in the shared VPC', (color, stack, image, release) => {
    const droplets = resources(stack(), 'digitalocean_droplet') as Array<Record<string, any>>;
    expect(droplets).toHaveLength(1); // colors.<color>.capacity.desired
    expect(droplets[0]).toMatchObject({ name: `shop-dev-${color}-0`, image, size: 's-1vcpu-2gb', region: 'fra1', monitoring: true, ssh_keys: ['3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa'] });
    expect(droplets[0].tags).toEqual(
      expect.arrayContaining(['shop-dev', `shop-dev-${color}`, `color:${color}`, 'environment:dev', `stack:dev-${color}`, 'managed-by:cdktf-bluegreen', `release:${release}`]),
    );
    // The VPC dev-shared creates, looked up by its name (never through dev-shared's state).
    expect(droplets[0].vpc_uuid).toMatch(/^\$\{data\.digitalocean_vpc\.shared_vpc_[0-9A-F]+\.id\}$/);
    expect(Object.values(stack().data?.digitalocean_vpc ?? {})).toEqual([expect.objectContaining({ name: resources(shared, 'digitalocean_vpc')[0].name })]);
    expect(droplets[0].user_data).toMatch(/^#cloud-config\n/);
    expect(droplets[0].user_data).toContain(`shop dev/${color} release`);
  });

  test('droplet user data is a literal with no Terraform token and no credential', () => {
    for (const stack of [blue, green]) {
      const userData = (resources(stack, 'digitalocean_droplet')[0] as Record<string, string>).user_data;
      expect(userData).not.toContain('${');
      expect(userData).not.toMatch(/password\s*[:=]\s*\S/i);
      expect(userData).toContain('/etc/log-forwarder/destination.env');
    }
  });

  test('dev-cutover: the live load balancer serves blue, the preview one green, restricted to the admin CIDRs', () => {
    const lbs: Record<string, Record<string, any>> = Object.fromEntries((resources(cutover, 'digitalocean_loadbalancer') as Array<Record<string, any>>).map((lb) => [lb.name, lb]));
    expect(Object.keys(lbs).sort()).toEqual(['shop-dev-live', 'shop-dev-preview']);
    expect(lbs['shop-dev-live']).toMatchObject({ droplet_tag: 'shop-dev-blue', redirect_http_to_https: true, lifecycle: { prevent_destroy: false } });
    expect(lbs['shop-dev-live'].firewall).toBeUndefined();
    expect(lbs['shop-dev-preview']).toMatchObject({ droplet_tag: 'shop-dev-green', firewall: { allow: ['cidr:203.0.113.0/24'] }, lifecycle: { prevent_destroy: false } });
    for (const lb of Object.values(lbs)) {
      expect(lb.forwarding_rule[0]).toMatchObject({ entry_port: 443, entry_protocol: 'https', certificate_name: 'shop-dev', target_port: 8080 });
      expect(lb.healthcheck).toMatchObject({ protocol: 'http', port: 8080, path: '/health' });
    }
  });

  test('dev-cutover: the app port opens to the two load balancers only', () => {
    const fw = one(cutover, 'digitalocean_firewall');
    expect(fw.tags).toEqual(['shop-dev']);
    expect(fw.inbound_rule).toEqual([
      { protocol: 'tcp', port_range: '8080', source_load_balancer_uids: ['${digitalocean_loadbalancer.live_lb_B93DA3FC.id}', '${digitalocean_loadbalancer.preview_lb_B20CD52C.id}'] },
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
    const values = Object.fromEntries(Object.entries(cutover.output!).map(([k, v]) => [k, (v as { value: unknown }).value]));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bg-do-outputs-')), 'outputs.json');
    fs.writeFileSync(file, JSON.stringify({ 'dev-cutover': values }));
    expect(await smokeTargetUrl({ environment: 'dev', outputsFile: file, cwd: process.cwd() })).toBe('https://preview.dev.shop.example.com');
    expect(await smokeTargetUrl({ environment: 'dev', outputsFile: file, cwd: process.cwd(), live: true })).toBe('https://dev.shop.example.com');
  });

  test('every stack keeps its own local state', () => {
    for (const name of ['dev-shared', 'dev-blue', 'dev-green', 'dev-cutover']) {
      expect((parse(texts, name).terraform.backend as { local: { path: string } }).local.path).toMatch(new RegExp(`terraform\\.${name}\\.tfstate$`));
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
      Object.fromEntries(Object.entries(parse(texts, 'dev-cutover').resource!.digitalocean_loadbalancer).map(([id, lb]) => [id, lb.droplet_tag]));
    expect(lbs(before)).toEqual({ live_lb_B93DA3FC: 'shop-dev-blue', preview_lb_B20CD52C: 'shop-dev-green' });
    expect(lbs(after)).toEqual({ live_lb_B93DA3FC: 'shop-dev-green', preview_lb_B20CD52C: 'shop-dev-blue' });
    expect(parse(after, 'dev-cutover').output!.live_color).toMatchObject({ value: 'green' });
  });

  test('a release in one color changes that color stack only', () => {
    const released = synthDev(envDir({ 'dev.yaml': withValue('dev.yaml', ['colors', 'green', 'release'], { version: '1.6.0', image: '160000001' }) }));
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
    expect((error as Error).message).toContain('traffic: weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight');
    expect(fs.readFileSync(path.join(dir, 'dev.yaml'), 'utf8')).toBe(text);
  });
});

describe('deletion protection and the test listener settings on DigitalOcean', () => {
  const doc = parseDocument(shipped('dev.yaml'));
  doc.setIn(['loadBalancer'], { deletionProtection: true, testListener: { allowedCidrs: ['198.51.100.0/24', '203.0.113.0/24'] } });
  doc.setIn(['traffic', 'stickinessSeconds'], 600);
  const texts = synthDev(envDir({ 'dev.yaml': doc.toString() }));
  const lbs: Record<string, Record<string, any>> = Object.fromEntries(
    (resources(parse(texts, 'dev-cutover'), 'digitalocean_loadbalancer') as Array<Record<string, any>>).map((lb) => [lb.name, lb]),
  );

  test('deletionProtection protects the live load balancer only (the preview one comes and goes with the strategy)', () => {
    expect(lbs['shop-dev-live'].lifecycle).toEqual({ prevent_destroy: true });
    expect(lbs['shop-dev-preview'].lifecycle).toEqual({ prevent_destroy: false });
  });

  test('the preview load balancer admits the admin CIDRs and the test listener CIDRs, once each', () => {
    expect(lbs['shop-dev-preview'].firewall).toEqual({ allow: ['cidr:203.0.113.0/24', 'cidr:198.51.100.0/24'] });
  });

  test('stickiness becomes a load balancer cookie', () => {
    expect(lbs['shop-dev-live'].sticky_sessions).toEqual({ type: 'cookies', cookie_name: 'DO-LB', cookie_ttl_seconds: 600 });
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
    expect(() => synthDev(dir)).toThrow(/environments\/dev\.yaml: traffic: weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight/);
  });

  test('fails on traffic to a color with no droplets (the cloud-neutral safety check holds on DigitalOcean)', () => {
    const text = withValue('dev.yaml', ['colors', 'green', 'capacity'], { min: 0, max: 2, desired: 0 });
    const dir = envDir({ 'dev.yaml': text.replace(/traffic:\n  blue: 100\n  green: 0/, 'traffic:\n  blue: 0\n  green: 100') });
    expect(() => synthDev(dir)).toThrow(/dev\.yaml: traffic\.green: environment dev: green would get 100% of traffic but colors\.green\.capacity\.desired is 0/);
  });
});
