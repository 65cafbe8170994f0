import * as fs from 'fs';
import * as path from 'path';
import { loadEnvironments, parseEnvironment } from '../../lib/config';
import { configProblems } from '../support/config-problems';
import { envDir, shipped, withValue } from '../support/env-dir';

const problems = configProblems;

describe('loadEnvironments: the shipped environments', () => {
  const configs = loadEnvironments({ dir: envDir() });

  test('loads dev, prod and staging, sorted', () => {
    expect(configs.map((c) => c.name)).toEqual(['dev', 'prod', 'staging']);
    expect(configs.map((c) => c.cloud)).toEqual(['digitalocean', 'aws', 'aws']);
  });

  test('overlays the shared defaults', () => {
    const prod = configs.find((c) => c.name === 'prod')!;
    expect(prod.app.name).toBe('shop'); // from defaults.yaml
    expect(prod.app.instanceType).toBe('m6i.large'); // from prod.yaml
    expect(prod.network.flowLogRetentionDays).toBe(365); // prod overrides the default 90
    expect(prod.tags.owner).toBe('platform-team');
  });

  test('gives both colors a release and capacity', () => {
    for (const c of configs) {
      for (const color of ['blue', 'green'] as const) {
        expect(c.colors[color].release.version).toMatch(/^\d+\.\d+\.\d+/);
        expect(c.colors[color].capacity.desired).toBeGreaterThan(0);
      }
      expect(c.traffic.blue + c.traffic.green).toBe(100);
    }
  });

  test('returns frozen values', () => {
    const prod = configs.find((c) => c.name === 'prod')!;
    expect(Object.isFrozen(prod)).toBe(true);
    expect(Object.isFrozen(prod.network.publicSubnets)).toBe(true);
  });

  test('SYNTH_ENVS-style selection returns only the named environments', () => {
    expect(loadEnvironments({ dir: envDir(), only: ['staging', 'prod'] }).map((c) => c.name)).toEqual([
      'prod',
      'staging',
    ]);
  });
});

describe('loadEnvironments: bad input names the file, the key path and the reason', () => {
  test('fails on weights that do not sum to 100', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'blue'], 50) });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: traffic.green: weights must sum to 100 (got 150); fix: set traffic.blue: 0, or set traffic.blue: 100 and set traffic.green: 0',
    ]);
  });

  test.each([
    [2.5, 'weights must be whole numbers'],
    [-10, 'weights range from 0 to 100'],
    [110, 'weights range from 0 to 100'],
  ])('fails on weight %p', (weight, reason) => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'green'], weight) });
    expect(problems(dir)).toContain(`environments/prod.yaml: traffic.green: ${reason}`);
  });

  test('fails on an unknown key, listing the allowed ones', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['app', 'colour'], 'green') });
    const [line] = problems(dir);
    expect(line).toMatch(
      /^environments\/prod\.yaml: app\.colour: unknown key \(allowed keys: name, port, healthCheckPath/,
    );
  });

  test('fails on a wrong type', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['app', 'port'], 'eighty') });
    expect(problems(dir)).toEqual(['environments/staging.yaml: app.port: expected number, got string "eighty"']);
  });

  test('fails on an unknown cloud', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['cloud'], 'gcp') });
    expect(problems(dir)[0]).toBe('environments/staging.yaml: cloud: must be one of aws, digitalocean (got "gcp")');
  });

  test('fails on a malformed CIDR', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['network', 'vpcCidr'], '10.30.0.0/40') });
    expect(problems(dir)).toContain(
      'environments/prod.yaml: network.vpcCidr: "10.30.0.0/40" is not an IPv4 CIDR block (expected a.b.c.d/n)',
    );
  });

  test('fails on a CIDR with host bits set', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['network', 'privateSubnets', 1], '10.30.11.7/24') });
    expect(problems(dir)).toContain(
      'environments/prod.yaml: network.privateSubnets[1]: "10.30.11.7/24" has host bits set; did you mean 10.30.11.0/24?',
    );
  });

  test('fails on overlapping subnets', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['network', 'privateSubnets', 2], '10.30.0.0/23') });
    expect(problems(dir)).toContain(
      'environments/prod.yaml: network.privateSubnets[2]: 10.30.0.0/23 overlaps 10.30.0.0/24 (network.publicSubnets[0])',
    );
  });

  test('fails on a subnet outside the VPC', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['network', 'publicSubnets', 0], '10.99.0.0/24') });
    expect(problems(dir)).toContain(
      'environments/prod.yaml: network.publicSubnets[0]: 10.99.0.0/24 lies outside the VPC range 10.30.0.0/16',
    );
  });

  test('fails on a subnet count that does not match azCount', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['network', 'azCount'], 2) });
    expect(problems(dir)).toContain(
      'environments/prod.yaml: network.publicSubnets: needs exactly one CIDR per availability zone: azCount is 2, got 3',
    );
  });

  test('fails on a mutable artifact reference (:latest)', () => {
    const dir = envDir({
      'prod.yaml': withValue(
        'prod.yaml',
        ['colors', 'green', 'release', 'artifact'],
        'registry.example.com/shop:latest',
      ),
    });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: colors.green.release.artifact: "registry.example.com/shop:latest" is a mutable reference (":latest" moves); pin it by digest: name@sha256:<64 hex>',
    ]);
  });

  test('fails on a tag without a digest', () => {
    const dir = envDir({
      'prod.yaml': withValue(
        'prod.yaml',
        ['colors', 'blue', 'release', 'artifact'],
        'registry.example.com/shop:stable',
      ),
    });
    expect(problems(dir)[0]).toMatch(
      /colors\.blue\.release\.artifact: "registry\.example\.com\/shop:stable" is a mutable reference \(a tag can be moved\)/,
    );
  });

  test('fails on a release version that is not a version', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['colors', 'blue', 'release', 'version'], 'latest') });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: colors.blue.release.version: must be a semantic version such as 1.4.2 (no "latest")',
    ]);
  });

  test('fails on an image that is not an AMI on AWS', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['colors', 'blue', 'release', 'image'], 'ubuntu-24-04') });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: colors.blue.release.image: "ubuntu-24-04" is not an AMI id (ami- and 8 or 17 hex digits)',
    ]);
  });

  test('fails on capacity out of order', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['colors', 'blue', 'capacity', 'desired'], 9) });
    expect(problems(dir)).toContain(
      'environments/prod.yaml: colors.blue.capacity.desired: desired (9) must lie between min (2) and max (6)',
    );
  });

  test('fails on invalid YAML with the line', () => {
    const dir = envDir({ 'staging.yaml': 'name: staging\ncloud: [aws\n' });
    const lines = problems(dir);
    expect(lines[0]).toMatch(/^environments\/staging\.yaml: invalid YAML at line \d+, column \d+: /);
  });

  test('fails on a duplicate key', () => {
    const dir = envDir({ 'staging.yaml': 'name: staging\nname: staging2\n' });
    expect(problems(dir)[0]).toMatch(/^environments\/staging\.yaml: invalid YAML at .*[Mm]ap keys must be unique/);
  });

  test('fails on a missing environment file named by SYNTH_ENVS', () => {
    expect(problems(envDir(), ['qa'])).toEqual([
      'environments: SYNTH_ENVS names "qa", which has no qa.yaml or qa.yml (environments: dev, prod, staging)',
    ]);
  });

  test('fails on a missing environments directory', () => {
    const dir = path.join(envDir(), 'nope');
    expect(() => loadEnvironments({ dir })).toThrow(`${dir}: environments directory not found`);
  });

  test('fails when the name does not match the file', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['name'], 'stage') });
    expect(problems(dir)).toEqual([
      'environments/staging.yaml: name: must match the file name: expected "staging", got "stage"',
    ]);
  });

  test('blames the defaults file for a bad default, once (not once per environment that inherits it)', () => {
    const dir = envDir({ 'defaults.yaml': withValue('defaults.yaml', ['app', 'port'], 70000) });
    expect(problems(dir)).toEqual(['environments/defaults.yaml: app.port: number must be less than or equal to 65535']);
  });

  test('reports problems of every environment together', () => {
    const dir = envDir({
      'prod.yaml': withValue('prod.yaml', ['traffic', 'green'], 90),
      'staging.yaml': withValue('staging.yaml', ['region'], 'mars-1'),
    });
    const lines = problems(dir);
    expect(lines).toContain(
      'environments/prod.yaml: traffic.green: weights must sum to 100 (got 90); fix: set traffic.green: 100, or set traffic.blue: 100 and set traffic.green: 0',
    );
    expect(lines).toContain('environments/staging.yaml: region: "mars-1" is not an AWS region (e.g. eu-west-1)');
  });

  test('ConfigError message lists every problem', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'blue'], 50) });
    expect(() => loadEnvironments({ dir })).toThrow(
      /invalid environment values \(1 problem\):\n.*prod\.yaml: traffic\.green: weights must sum to 100 \(got 150\)/,
    );
  });
});

describe('loadEnvironments: only plain data, within limits', () => {
  test('fails on __proto__, constructor and prototype keys, naming the file and key path', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const dir = envDir({ 'prod.yaml': `${shipped('prod.yaml')}\nextra:\n  ${key}:\n    polluted: true\n` });
      expect(problems(dir)).toEqual([
        `environments/prod.yaml: extra.${key}: key "${key}" is not allowed (__proto__, constructor, prototype are special to JavaScript objects)`,
      ]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('fails on an alias bomb with an issue naming the file (not an uncaught error)', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
    ].join('\n');
    const dir = envDir({ 'prod.yaml': `${shipped('prod.yaml')}\n${bomb}\n` });
    const lines = problems(dir);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^environments\/prod\.yaml: too many aliases: expanding them exceeds 50/);
  });

  test('fails on nesting deeper than 32 levels, naming the file and where', () => {
    const deep = `${'['.repeat(40)}1${']'.repeat(40)}`;
    const dir = envDir({ 'prod.yaml': `${shipped('prod.yaml')}\ndeep: ${deep}\n` });
    expect(problems(dir)).toEqual([
      expect.stringMatching(/^environments\/prod\.yaml: deep(\[0\])+: nested deeper than 32 levels$/),
    ]);
  });

  test('fails on a file that is not valid UTF-8, with the byte offset', () => {
    const dir = envDir();
    const text = Buffer.concat([
      Buffer.from(shipped('prod.yaml')),
      Buffer.from('\n# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    fs.writeFileSync(path.join(dir, 'prod.yaml'), text);
    expect(problems(dir)).toEqual([
      `environments/prod.yaml: not valid UTF-8 (first bad byte at offset ${text.length - 2}); save the file as UTF-8`,
    ]);
  });

  test('fails on a values file that is a device (a symlink to /dev/zero), without reading it', () => {
    const dir = envDir();
    fs.rmSync(path.join(dir, 'staging.yaml'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'staging.yaml'));
    expect(problems(dir)).toEqual(['environments/staging.yaml: not a regular file']);
  });

  test('fails on a file larger than 1 MiB without parsing it', () => {
    const dir = envDir({ 'staging.yaml': `${shipped('staging.yaml')}\n# ${'x'.repeat(1024 * 1024)}\n` });
    expect(problems(dir)).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml: file is \d+ bytes; values files are limited to 1048576 bytes \(1 MiB\)$/,
      ),
    ]);
  });
});

describe('parseEnvironment (values given in code)', () => {
  test('fails with the source name in the message', () => {
    expect(() => parseEnvironment({ name: 'x' }, 'inline')).toThrow(/inline: cloud: required/);
  });

  test('accepts a complete object', () => {
    const dir = envDir();
    const [staging] = loadEnvironments({ dir, only: ['staging'] });
    const copy = JSON.parse(JSON.stringify(staging));
    expect(parseEnvironment(copy).name).toBe('staging');
    expect(fs.existsSync(dir)).toBe(true);
  });
});

describe('network.availabilityZones', () => {
  test('fails on an AWS environment without zone names, on fewer zones than subnets, and on a zone of another region', () => {
    expect(
      problems(envDir({ 'staging.yaml': withValue('staging.yaml', ['network', 'availabilityZones'], undefined) })),
    ).toEqual([
      'environments/staging.yaml: network.availabilityZones: required on AWS: the zones the subnets live in, by name, one per subnet (azCount is 2), e.g. [eu-west-1a, eu-west-1b]',
    ]);
    expect(
      problems(
        envDir({ 'prod.yaml': withValue('prod.yaml', ['network', 'availabilityZones'], ['eu-west-1a', 'eu-west-1b']) }),
      ),
    ).toEqual([
      'environments/prod.yaml: network.availabilityZones: names 2 zone(s) but azCount is 3; name exactly one zone per subnet (fewer zones than subnets would put two subnets in one zone)',
    ]);
    expect(
      problems(
        envDir({
          'prod.yaml': withValue(
            'prod.yaml',
            ['network', 'availabilityZones'],
            ['eu-west-1a', 'eu-west-1b', 'us-east-1c'],
          ),
        }),
      ),
    ).toEqual([
      'environments/prod.yaml: network.availabilityZones[2]: us-east-1c is not a zone of the region eu-west-1',
    ]);
  });
});
