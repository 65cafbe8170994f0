import { loadEnvironments } from '../../lib/config';
import { configProblems as problems } from '../support/config-problems';
import { envDir, shipped, withValue } from '../support/env-dir';

/** dev.yaml with one value set. */
const dev = (keyPath: Array<string | number>, value: unknown) =>
  envDir({ 'dev.yaml': withValue('dev.yaml', keyPath, value) });

describe('digitalocean values: the shipped dev environment', () => {
  const [config] = loadEnvironments({ dir: envDir(), only: ['dev'] });

  test('parses with its defaults', () => {
    expect(config.digitalocean).toMatchObject({
      adminCidrs: ['203.0.113.0/24'],
      certificate: { name: 'shop-dev' },
      spaces: { noncurrentVersionExpirationDays: 90 },
      opensearch: { size: 'db-s-1vcpu-2gb', nodeCount: 1, version: '2' },
      loadBalancerSizeUnit: 1,
      project: { environment: 'Development' },
    });
  });

  test('flipping traffic to 0/100 the other way is accepted', () => {
    const dir = envDir({ 'dev.yaml': withValue('dev.yaml', ['traffic'], { blue: 0, green: 100 }) });
    expect(loadEnvironments({ dir, only: ['dev'] })[0].traffic).toMatchObject({ blue: 0, green: 100 });
  });
});

describe('digitalocean values: bad input names the file, the key path and the reason', () => {
  test('fails on a weighted split, saying why DigitalOcean cannot do it', () => {
    const dir = envDir({ 'dev.yaml': withValue('dev.yaml', ['traffic'], { blue: 90, green: 10, strategy: 'canary' }) });
    expect(problems(dir)).toEqual([
      'environments/dev.yaml: traffic.strategy: canary needs a weighted split, which DigitalOcean load balancers cannot do (they serve the droplets of one tag); fix: set traffic.strategy: blue-green and set traffic.blue: 0 and set traffic.green: 100, or set traffic.strategy: blue-green and set traffic.blue: 100 and set traffic.green: 0',
      'environments/dev.yaml: traffic: weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight (they send all of it to the droplets of one tag), so strategy canary is not available there either (got blue 90, green 10); fix: set traffic.strategy: blue-green and set traffic.blue: 0 and set traffic.green: 100, or set traffic.strategy: blue-green and set traffic.blue: 100 and set traffic.green: 0',
    ]);
  });

  test('fails on a split under blue-green with the DigitalOcean reason too', () => {
    const lines = problems(envDir({ 'dev.yaml': withValue('dev.yaml', ['traffic'], { blue: 50, green: 50 }) }));
    expect(lines).toContain(
      'environments/dev.yaml: traffic: weights must be 0 and 100 on DigitalOcean: its load balancers cannot split traffic by weight (they send all of it to the droplets of one tag), so strategy canary is not available there either (got blue 50, green 50); fix: set traffic.blue: 0 and set traffic.green: 100, or set traffic.blue: 100 and set traffic.green: 0',
    );
  });

  test('fails on strategy rolling', () => {
    expect(problems(dev(['traffic', 'strategy'], 'rolling'))).toContain(
      'environments/dev.yaml: traffic.strategy: rolling replaces the live color in place, but droplets have no instance refresh, so the live color would go down; fix: set traffic.strategy: blue-green, or set traffic.strategy: hard-cutover',
    );
  });

  test('fails on a missing digitalocean section', () => {
    expect(problems(dev(['digitalocean'], undefined))).toEqual([
      'environments/dev.yaml: digitalocean: required on DigitalOcean: adminCidrs, sshKeyFingerprints and certificate at least',
    ]);
  });

  test('fails on a digitalocean section in an AWS environment', () => {
    const prod = withValue('prod.yaml', ['digitalocean'], {
      adminCidrs: ['203.0.113.0/24'],
      sshKeyFingerprints: ['3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa'],
      certificate: { name: 'x' },
      spaces: { bucket: 'shop-prod-deployments-1' },
    });
    expect(problems(envDir({ 'prod.yaml': prod }))).toEqual([
      'environments/prod.yaml: digitalocean: is DigitalOcean-only; remove it from a aws environment',
    ]);
  });

  test('fails on SSH open to the internet', () => {
    expect(problems(dev(['digitalocean', 'adminCidrs'], ['203.0.113.0/24', '0.0.0.0/0']))).toEqual([
      'environments/dev.yaml: digitalocean.adminCidrs[1]: 0.0.0.0/0 would open SSH to the whole internet; list your office, VPN or CI ranges',
    ]);
  });

  test('fails on /8 admin ranges that together cover more than a /8 of public space', () => {
    expect(problems(dev(['digitalocean', 'adminCidrs'], ['52.0.0.0/8', '54.0.0.0/8']))).toEqual([
      'environments/dev.yaml: digitalocean.adminCidrs: 52.0.0.0/8, 54.0.0.0/8 together admit 33,554,432 public IPv4 addresses, more than a /8 (16,777,216): too wide for SSH; list your office, VPN or CI ranges',
    ]);
  });

  test('fails on an admin range wider than /8', () => {
    expect(problems(dev(['digitalocean', 'adminCidrs'], ['64.0.0.0/2']))).toEqual([
      'environments/dev.yaml: digitalocean.adminCidrs[0]: 64.0.0.0/2 would open SSH to 1,073,741,824 addresses; use a /8 or narrower',
    ]);
  });

  test('fails on no admin CIDR', () => {
    expect(problems(dev(['digitalocean', 'adminCidrs'], []))).toEqual([
      'environments/dev.yaml: digitalocean.adminCidrs: list at least one CIDR allowed to SSH in (e.g. your office or VPN range)',
    ]);
  });

  test('fails on no SSH key', () => {
    expect(problems(dev(['digitalocean', 'sshKeyFingerprints'], []))).toEqual([
      'environments/dev.yaml: digitalocean.sshKeyFingerprints: list at least one SSH key fingerprint; without one DigitalOcean emails a root password',
    ]);
  });

  test('fails on a malformed or duplicate fingerprint', () => {
    const fp = '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa';
    expect(
      problems(dev(['digitalocean', 'sshKeyFingerprints'], ['SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8'])),
    ).toEqual([
      'environments/dev.yaml: digitalocean.sshKeyFingerprints[0]: must be an MD5 fingerprint: 16 lowercase hex pairs separated by ":"',
    ]);
    expect(problems(dev(['digitalocean', 'sshKeyFingerprints'], [fp, fp]))).toEqual([
      `environments/dev.yaml: digitalocean.sshKeyFingerprints[1]: ${fp} is listed twice`,
    ]);
  });

  test('fails on a certificate with neither or both of name and id', () => {
    const reason = "give exactly one of name (preferred: survives Let's Encrypt renewals) or id";
    expect(problems(dev(['digitalocean', 'certificate'], {}))).toEqual([
      `environments/dev.yaml: digitalocean.certificate: ${reason}`,
    ]);
    expect(
      problems(dev(['digitalocean', 'certificate'], { name: 'a', id: '892071a0-bb95-49bc-8021-3afd67a210bf' })),
    ).toEqual([`environments/dev.yaml: digitalocean.certificate: ${reason}`]);
    expect(problems(dev(['digitalocean', 'certificate'], { id: 'not-a-uuid' }))).toEqual([
      'environments/dev.yaml: digitalocean.certificate.id: must be a certificate UUID',
    ]);
  });

  test('fails when the preview host name is the live one', () => {
    expect(problems(dev(['digitalocean', 'previewHostname'], 'dev.shop.example.com'))).toEqual([
      'environments/dev.yaml: digitalocean.previewHostname: is the live host name too; the preview must have its own name, or users would reach the idle color',
    ]);
  });

  test('fails on a region without droplets', () => {
    expect(problems(dev(['region'], 'ams2'))).toEqual([
      'environments/dev.yaml: region: "ams2" is not a DigitalOcean region for droplets (one of ams3, atl1, blr1, fra1, lon1, nyc1, nyc2, nyc3, sfo2, sfo3, sgp1, syd1, tor1)',
    ]);
  });

  test('fails on a region without Spaces, pointing at digitalocean.spaces.region', () => {
    expect(problems(dev(['region'], 'nyc1'))).toEqual([
      'environments/dev.yaml: digitalocean.spaces: no Spaces in "nyc1" (the environment\'s region); set digitalocean.spaces.region to one of ams3, atl1, blr1, fra1, lon1, nyc3, sfo2, sfo3, sgp1, syd1, tor1',
    ]);
    const dir = envDir({ 'dev.yaml': withValue('dev.yaml', ['digitalocean', 'spaces', 'region'], 'nyc1') });
    expect(problems(dir)[0]).toMatch(
      /^environments\/dev\.yaml: digitalocean\.spaces\.region: no Spaces in "nyc1"; use one of ams3/,
    );
  });

  test("accepts a Spaces region different from the droplets' region", () => {
    const text = withValue('dev.yaml', ['region'], 'nyc1').replace(/^( +)spaces:\n/m, '$1spaces:\n$1  region: nyc3\n');
    const [config] = loadEnvironments({ dir: envDir({ 'dev.yaml': text }), only: ['dev'] });
    expect(config.digitalocean?.spaces.region).toBe('nyc3');
  });

  test.each([
    [
      '100.64.0.0/20',
      '100.64.0.0/20 is not a private range; DigitalOcean VPCs must lie in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
    ],
    ['10.0.0.0/12', '10.0.0.0/12 is a /12; DigitalOcean VPCs range from /16 to /28'],
    ['10.10.0.0/29', '10.10.0.0/29 is a /29; DigitalOcean VPCs range from /16 to /28'],
    ['10.244.0.0/20', '10.244.0.0/20 overlaps 10.244.0.0/16, which DigitalOcean reserves; choose another range'],
  ])('fails on VPC range %s', (cidr, reason) => {
    expect(problems(dev(['network', 'vpcCidr'], cidr))).toEqual([`environments/dev.yaml: network.vpcCidr: ${reason}`]);
  });

  test('fails on a bucket name with dots', () => {
    expect(problems(dev(['digitalocean', 'spaces'], { bucket: 'shop.dev' }))).toEqual([
      'environments/dev.yaml: digitalocean.spaces.bucket: must be 3–63 lowercase letters, digits and dashes (no dots: they break TLS on Spaces)',
    ]);
  });

  test('fails on an unknown key, listing the allowed ones', () => {
    expect(problems(dev(['digitalocean', 'sshKeys'], ['x']))[0]).toMatch(
      /^environments\/dev\.yaml: digitalocean\.sshKeys: unknown key \(allowed keys: adminCidrs, sshKeyFingerprints, certificate,/,
    );
  });

  test('the shipped dev.yaml keeps its comments when edited (fixture sanity)', () => {
    expect(shipped('dev.yaml')).toContain('# DigitalOcean-only values');
  });
});
