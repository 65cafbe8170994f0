// The DigitalOcean constructs behind issue 20: what each emits and what it refuses. The certificate's host-name
// condition is evaluated by the real Terraform (no provider needed for the expression).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { CertificateCheck, coversHosts } from '../../lib/digitalocean/certificate-check';
import { DeploymentBucket } from '../../lib/digitalocean/deployment-bucket';
import { HostRecord } from '../../lib/digitalocean/host-record';
import { LoadBalancer } from '../../lib/digitalocean/load-balancer';
import { DO_DATABASE_PORT, LogStore } from '../../lib/digitalocean/log-store';
import { DropletFleet, DropletFleetProps } from '../../lib/digitalocean/droplet-fleet';
import { FleetFirewall } from '../../lib/digitalocean/fleet-firewall';
import { onlyResource } from '../support/construct-synth';
import { FLEET_PROPS } from '../support/digitalocean-props';

const FLEET: DropletFleetProps = { ...FLEET_PROPS, vpcId: 'vpc-1', tags: ['shop-dev'] };

describe('FleetFirewall: ports known at plan', () => {
  test('fails on a port that is a Terraform expression (the provider would read it as missing at the first plan)', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const port = new TerraformVariable(scope, 'port', { type: 'string' });
        new FleetFirewall(scope, 'fw', {
          name: 'f',
          tags: ['t'],
          adminCidrs: ['203.0.113.0/24'],
          vpcCidr: '10.10.0.0/20',
          vpcEgressPorts: [port.stringValue],
        });
      }),
    ).toThrow(
      /^stack\/fw: a port is a Terraform expression .*the provider validates port_range at plan time .*Fix: give the number \(e\.g\. DO_DATABASE_PORT\)/,
    );
  });

  test('takes the known database port', () => {
    const fw = onlyResource(
      'digitalocean_firewall',
      (s) =>
        new FleetFirewall(s, 'fw', {
          name: 'f',
          tags: ['t'],
          adminCidrs: ['203.0.113.0/24'],
          vpcCidr: '10.10.0.0/20',
          vpcEgressPorts: [String(DO_DATABASE_PORT)],
        }),
    );
    expect(fw.outbound_rule).toContainEqual({
      protocol: 'tcp',
      port_range: '25060',
      destination_addresses: ['10.10.0.0/20'],
    });
  });
});

describe('LoadBalancer: no implicit DNS', () => {
  test('disable_lets_encrypt_dns_records is always set', () => {
    const lb = onlyResource(
      'digitalocean_loadbalancer',
      (s) =>
        new LoadBalancer(s, 'lb', {
          name: 'l',
          region: 'fra1',
          vpcId: 'v',
          dropletTag: 't',
          appPort: 8080,
          healthCheckPath: '/health',
          certificateName: 'c',
        }),
    );
    expect(lb.disable_lets_encrypt_dns_records).toBe(true);
  });
});

describe('HostRecord', () => {
  const synth = (hostname: string) =>
    JSON.parse(
      Testing.synthScope(
        (s) => new HostRecord(s, 'r', { domain: 'shop.example.com', hostname, ipv4Address: '192.0.2.1' }),
      ),
    );

  test('an A record named by the labels before the domain (the apex is @), in the domain looked up at plan', () => {
    const sub = synth('dev.shop.example.com');
    expect(Object.values(sub.resource.digitalocean_record)[0]).toMatchObject({
      type: 'A',
      name: 'dev',
      value: '192.0.2.1',
      ttl: 300,
    });
    expect(Object.values(sub.data.digitalocean_domain)[0]).toEqual({ name: 'shop.example.com' });
    expect(Object.values(synth('shop.example.com').resource.digitalocean_record)[0]).toMatchObject({ name: '@' });
  });

  test('fails on a host outside the domain', () => {
    expect(() => synth('dev.other.example.org')).toThrow(
      /^stack\/r: hostname dev\.other\.example\.org is not inside the domain shop\.example\.com\. Fix: /,
    );
  });
});

describe('DropletFleet: releases that do not time out, sizes that can go back down, files delivered at creation', () => {
  test('resize_disk off and a delete timeout that covers a graceful shutdown (10 minutes by default)', () => {
    const d = onlyResource('digitalocean_droplet', (s) => new DropletFleet(s, 'f', FLEET));
    expect(d).toMatchObject({ graceful_shutdown: true, resize_disk: false, timeouts: { delete: '10m' } });
    expect(
      onlyResource('digitalocean_droplet', (s) => new DropletFleet(s, 'f', { ...FLEET, deleteTimeoutMinutes: 20 }))
        .timeouts,
    ).toEqual({ delete: '20m' });
  });

  test('no delivery: no SSH connection, no provisioner', () => {
    const d = onlyResource('digitalocean_droplet', (s) => new DropletFleet(s, 'f', FLEET));
    expect(d.connection).toBeUndefined();
    expect(d.provisioner).toBeUndefined();
  });

  test.each([
    [{ deleteTimeoutMinutes: 0 }, /deleteTimeoutMinutes must be a whole number ≥ 1 \(got 0\)/],
    [
      { delivery: { files: [{ path: 'relative.env', content: 'x', mode: '0600' }] } },
      /delivery file "relative\.env" must be an absolute path/,
    ],
    [
      { delivery: { files: [{ path: '/etc/x.env', content: 'x', mode: '600' }] } },
      /delivery file \/etc\/x\.env: mode "600" must be octal such as 0600/,
    ],
  ])('fails on %j', (extra, message) => {
    expect(() => Testing.synthScope((s) => new DropletFleet(s, 'f', { ...FLEET, ...extra }))).toThrow(message);
  });
});

describe('preventDestroy on the stateful DigitalOcean constructs', () => {
  test('on by default, off when asked', () => {
    const bucket = (preventDestroy?: boolean) =>
      onlyResource(
        'digitalocean_spaces_bucket',
        (s) =>
          new DeploymentBucket(s, 'b', { bucketName: 'shop-dev-deployments-7f3a', region: 'fra1', preventDestroy }),
      );
    expect(bucket().lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket(false).lifecycle).toEqual({ prevent_destroy: false });
    const store = (preventDestroy?: boolean) =>
      onlyResource(
        'digitalocean_database_cluster',
        (s) =>
          new LogStore(s, 'l', {
            name: 'shop-dev-logs',
            region: 'fra1',
            vpcId: 'v',
            allowedTags: ['shop-dev'],
            preventDestroy,
          }),
      );
    expect(store().lifecycle).toEqual({ prevent_destroy: true });
    expect(store(false).lifecycle).toEqual({ prevent_destroy: false });
  });
});

describe('CertificateCheck', () => {
  test('looks the certificate up by name, with postconditions for its state and host names', () => {
    const data = JSON.parse(
      Testing.synthScope(
        (s) => new CertificateCheck(s, 'c', { certificateName: 'shop-dev', hostnames: ['dev.shop.example.com'] }),
      ),
    ).data;
    const cert = Object.values(data.digitalocean_certificate)[0] as Record<string, any>;
    expect(cert.name).toBe('shop-dev');
    expect(cert.lifecycle.postcondition).toHaveLength(2);
    expect(cert.lifecycle.postcondition[1].error_message).toContain('not every one of dev.shop.example.com');
  });

  test('the host-name condition, evaluated by the real terraform: exact names and one-label wildcards cover; the apex and deeper names do not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-cert-'));
    const cases: Array<[string[], string[], boolean]> = [
      [['*.shop.example.com', 'shop.example.com'], ['dev.shop.example.com', 'shop.example.com'], true],
      [['*.shop.example.com'], ['preview.dev.shop.example.com'], false],
      [['*.example.com'], ['example.com'], false],
      [
        ['dev.shop.example.com', 'preview.dev.shop.example.com'],
        ['dev.shop.example.com', 'preview.dev.shop.example.com'],
        true,
      ],
    ];
    // Rendered by cdktf, as the certificate check's postcondition is.
    const stack = new TerraformStack(Testing.app(), 'conditions');
    cases.forEach(([domains, hosts], i) => new TerraformOutput(stack, `c${i}`, { value: coversHosts(domains, hosts) }));
    fs.writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({ output: (JSON.parse(Testing.synth(stack)) as { output: unknown }).output }),
    );
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const run = (args: string[]) => spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(run(['init', '-input=false', '-no-color']).status).toBe(0);
    const apply = run(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(apply.status).toBe(0);
    const outputs = JSON.parse(run(['output', '-json']).stdout) as Record<string, { value: boolean }>;
    expect(cases.map((_, i) => outputs[`c${i}`].value)).toEqual(cases.map((c) => c[2]));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
