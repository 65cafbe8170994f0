// The DigitalOcean constructs refuse a prop mistake with a one-line ConstructPropsError (construct path, value, a
// literal "Fix: "), which the app prints without a stack; they used to throw plain Errors. Token values are skipped.
import { Testing, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../../lib/construct-errors';
import { DeploymentBucket } from '../../lib/digitalocean/deployment-bucket';
import { DropletFleet } from '../../lib/digitalocean/droplet-fleet';
import { FleetFirewall, FleetFirewallProps } from '../../lib/digitalocean/fleet-firewall';
import { HostRecord } from '../../lib/digitalocean/host-record';
import { LbIngressFirewall, LbIngressFirewallProps } from '../../lib/digitalocean/lb-ingress-firewall';
import { LoadBalancer } from '../../lib/digitalocean/load-balancer';
import { LogStore } from '../../lib/digitalocean/log-store';
import { Network } from '../../lib/digitalocean/network';
import { SshKeyCheck } from '../../lib/digitalocean/ssh-key-check';
import { FLEET_PROPS, LOAD_BALANCER_PROPS } from '../support/digitalocean-props';

const FLEET = FLEET_PROPS;
const FIREWALL: FleetFirewallProps = {
  name: 'shop-dev-fleet',
  tags: ['shop-dev'],
  adminCidrs: ['203.0.113.0/24'],
  vpcCidr: '10.10.0.0/20',
};
const INGRESS: LbIngressFirewallProps = {
  name: 'shop-dev-lb-ingress',
  tags: ['shop-dev'],
  loadBalancerIds: ['lb-live'],
  appPort: 8080,
};
const LB = LOAD_BALANCER_PROPS;
const STORE = { name: 'shop-dev-logs', region: 'fra1', vpcId: 'vpc-123', allowedTags: ['shop-dev'] };

/** Builds `build` in a fresh stack (path `stack`) with a number, a string and a list only Terraform knows. */
type Build = (scope: Construct, t: { n: number; s: string; list: string[] }) => unknown;
const inStack = (build: Build) => () =>
  Testing.synthScope((scope) =>
    build(scope, {
      n: new TerraformVariable(scope, 'n', { type: 'number' }).numberValue,
      s: new TerraformVariable(scope, 's', { type: 'string' }).stringValue,
      list: new TerraformVariable(scope, 'l', { type: 'list(string)' }).listValue,
    }),
  );

describe('DigitalOcean constructs refuse a prop mistake with one line: construct path, value, fix', () => {
  test.each([
    ['DropletFleet count above 100', (s) => new DropletFleet(s, 'f', { ...FLEET, count: 101 }), 'stack/f', '101'],
    [
      'DropletFleet image that is a distribution slug',
      (s) => new DropletFleet(s, 'f', { ...FLEET, image: 'ubuntu-24-04-x64' }),
      'stack/f',
      'ubuntu-24-04-x64',
    ],
    [
      'DropletFleet without SSH keys',
      (s) => new DropletFleet(s, 'f', { ...FLEET, sshKeyFingerprints: [] }),
      'stack/f',
      'sshKeyFingerprints is empty',
    ],
    ['DropletFleet without tags', (s) => new DropletFleet(s, 'f', { ...FLEET, tags: [] }), 'stack/f', 'tags is empty'],
    [
      'DropletFleet delivery mode that is not octal',
      (s) =>
        new DropletFleet(s, 'f', { ...FLEET, delivery: { files: [{ path: '/etc/x', content: 'x', mode: '600' }] } }),
      'stack/f',
      '"600"',
    ],
    [
      'FleetFirewall SSH from the whole internet',
      (s) => new FleetFirewall(s, 'fw', { ...FIREWALL, adminCidrs: ['0.0.0.0/0'] }),
      'stack/fw',
      '0.0.0.0/0',
    ],
    [
      'FleetFirewall admin range that is no CIDR (was a plain Error from cidrBlock)',
      (s) => new FleetFirewall(s, 'fw', { ...FIREWALL, adminCidrs: ['203.0.113.7/24'] }),
      'stack/fw',
      '203.0.113.7/24',
    ],
    [
      'FleetFirewall egress port that is no port',
      (s) => new FleetFirewall(s, 'fw', { ...FIREWALL, vpcEgressPorts: ['postgres'] }),
      'stack/fw',
      'postgres',
    ],
    [
      'LbIngressFirewall without load balancers',
      (s) => new LbIngressFirewall(s, 'in', { ...INGRESS, loadBalancerIds: [] }),
      'stack/in',
      'loadBalancerIds is empty',
    ],
    [
      'LoadBalancer health check path that is relative',
      (s) => new LoadBalancer(s, 'lb', { ...LB, healthCheckPath: 'health' }),
      'stack/lb',
      '"health"',
    ],
    [
      'LoadBalancer with both certificate props',
      (s) => new LoadBalancer(s, 'lb', { ...LB, certificateId: 'cert-1' }),
      'stack/lb',
      'certificateName or certificateId',
    ],
    [
      'LoadBalancer allowed range that is no CIDR (was a plain Error from cidrBlock)',
      (s) => new LoadBalancer(s, 'lb', { ...LB, allowedCidrs: ['10.0.0.1/8'] }),
      'stack/lb',
      '10.0.0.1/8',
    ],
    [
      'DeploymentBucket name with dots',
      (s) => new DeploymentBucket(s, 'b', { bucketName: 'shop.dev', region: 'fra1' }),
      'stack/b',
      'shop.dev',
    ],
    [
      'HostRecord name outside the domain',
      (s) =>
        new HostRecord(s, 'r', { domain: 'example.com', hostname: 'shop.example.org', ipv4Address: '203.0.113.10' }),
      'stack/r',
      'shop.example.org',
    ],
    [
      'SshKeyCheck SHA256 fingerprint',
      (s) => new SshKeyCheck(s, 'ssh', { fingerprints: ['SHA256:abc'] }),
      'stack/ssh',
      'SHA256:abc',
    ],
    ['SshKeyCheck without keys', (s) => new SshKeyCheck(s, 'ssh', { fingerprints: [] }), 'stack/ssh', 'fingerprints'],
    [
      'LogStore without allowed tags',
      (s) => new LogStore(s, 'store', { ...STORE, allowedTags: [] }),
      'stack/store',
      'allowedTags is empty',
    ],
    [
      'LogStore forwarder index pattern with a wildcard inside',
      (s) => new LogStore(s, 'store', { ...STORE, forwarderIndexPattern: 'logs-*-x' }),
      'stack/store',
      'logs-*-x',
    ],
    [
      'Network ipRange with host bits',
      (s) => new Network(s, 'net', { name: 'shop-dev', region: 'fra1', ipRange: '10.10.0.1/20' }),
      'stack/net',
      '10.10.0.1/20',
    ],
    [
      'Network ipRange wider than /16',
      (s) => new Network(s, 'net', { name: 'shop-dev', region: 'fra1', ipRange: '10.0.0.0/8' }),
      'stack/net',
      '10.0.0.0/8',
    ],
  ] as Array<[string, Build, string, string]>)('%s', (_name, build, path, value) => {
    let thrown: unknown;
    try {
      inStack(build)();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConstructPropsError);
    const error = thrown as ConstructPropsError;
    expect(error.constructPath).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toContain(value);
    expect(error.message).toMatch(/\. Fix: \S/);
    expect(error.message).not.toContain('\n');
  });
});

describe('DigitalOcean constructs skip a token value (only Terraform knows it)', () => {
  test.each([
    ['DropletFleet image', (s, t) => new DropletFleet(s, 'f', { ...FLEET, image: t.s })],
    ['FleetFirewall admin range', (s, t) => new FleetFirewall(s, 'fw', { ...FIREWALL, adminCidrs: [t.s] })],
    ['LoadBalancer health check path', (s, t) => new LoadBalancer(s, 'lb', { ...LB, healthCheckPath: t.s })],
    ['DeploymentBucket name', (s, t) => new DeploymentBucket(s, 'b', { bucketName: t.s, region: 'fra1' })],
    [
      'HostRecord name',
      (s, t) => new HostRecord(s, 'r', { domain: 'example.com', hostname: t.s, ipv4Address: '203.0.113.10' }),
    ],
    ['SshKeyCheck fingerprint', (s, t) => new SshKeyCheck(s, 'ssh', { fingerprints: [t.s] })],
    ['LogStore forwarder index pattern', (s, t) => new LogStore(s, 'store', { ...STORE, forwarderIndexPattern: t.s })],
    ['Network ipRange', (s, t) => new Network(s, 'net', { name: 'shop-dev', region: 'fra1', ipRange: t.s })],
  ] as Array<[string, Build]>)('%s', (_name, build) => {
    expect(inStack(build)).not.toThrow();
  });
});
