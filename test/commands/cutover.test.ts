import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config';
import { cutover, cutoverMain, CUTOVER_HELP } from '../../lib/commands/cutover';
import { envDir, withValue, shipped } from '../support/env-dir';

/** Runs the CLI, capturing output. */
function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = cutoverMain(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** Lines that differ between two texts of the same length in lines. */
function changedLines(a: string, b: string): Array<[string, string]> {
  const x = a.split('\n');
  const y = b.split('\n');
  expect(y).toHaveLength(x.length);
  return x.flatMap((line, i) => (line === y[i] ? [] : [[line, y[i]] as [string, string]]));
}

describe('cutover: moving traffic', () => {
  test('gives the color 100% and changes nothing else in the file, comments and alignment included', () => {
    const dir = envDir();
    const before = fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8');
    const { code, out } = run(['prod', 'blue', '--dir', dir]);
    expect(code).toBe(0);
    const after = fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8');
    expect(changedLines(before, after)).toEqual([
      ['  blue: 0', '  blue: 100'],
      ['  green: 100', '  green: 0'],
    ]);
    expect(out).toContain('traffic blue 0% / green 100% -> blue 100% / green 0% (strategy blue-green)');
    expect(out).toContain('next: deploy prod-cutover (the only stack this changes): npm run deploy -- prod-cutover');
    expect(out).not.toContain('cutoverJoining');
  });

  test('on DigitalOcean the one-step switch points at the joining cutover, which avoids the 503 window', () => {
    const { code, out } = run(['dev', 'green', '--dir', envDir(), '--dry-run']);
    expect(code).toBe(0);
    expect(out).toContain('next: deploy dev-cutover');
    expect(out).toMatch(
      /503 until the new droplets pass the health check; .*set digitalocean\.cutoverJoining to the new color/,
    );
  });

  test('rollback is a cutover back, restoring the file byte for byte', () => {
    const dir = envDir();
    const original = fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8');
    expect(run(['prod', 'blue', '--dir', dir]).code).toBe(0);
    expect(run(['prod', 'green', '--dir', dir]).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8')).toBe(original);
  });

  test('keeps a flow-style traffic mapping in flow style', () => {
    const text = shipped('staging.yaml').replace(
      /traffic:\n  blue: 100\n  green: 0\n  strategy: blue-green\n/,
      'traffic: { blue: 100, green: 0, strategy: blue-green }  # live: blue\n',
    );
    expect(text).toContain('traffic: { blue: 100');
    const dir = envDir({ 'staging.yaml': text });
    expect(run(['staging', 'green', '--dir', dir]).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'staging.yaml'), 'utf8')).toBe(
      text.replace('{ blue: 100, green: 0,', '{ blue: 0, green: 100,'),
    );
  });

  test('--weight splits traffic under canary', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'strategy'], 'canary') });
    const result = cutover({ environment: 'prod', color: 'blue', weight: 10, dir });
    expect(result.after).toEqual({ blue: 10, green: 90 });
    expect(result.config.traffic).toMatchObject({ blue: 10, green: 90, strategy: 'canary' });
    expect(fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8')).toMatch(/traffic:\n  blue: 10\n  green: 90\n/);
  });

  test('adds the weights when the environment file inherits them', () => {
    const dir = envDir({
      'defaults.yaml': `${shipped('defaults.yaml')}\ntraffic:\n  blue: 100\n  green: 0\n`,
      'staging.yaml': shipped('staging.yaml').replace(
        /traffic:\n  blue: 100\n  green: 0\n  strategy: blue-green\n/,
        '',
      ),
    });
    expect(fs.readFileSync(path.join(dir, 'staging.yaml'), 'utf8')).not.toContain('traffic:');
    expect(run(['staging', 'green', '--dir', dir]).code).toBe(0);
    const after = fs.readFileSync(path.join(dir, 'staging.yaml'), 'utf8');
    expect(after).toMatch(/traffic:\n  blue: 0\n  green: 100\n/);
    expect(after).toContain('# Staging on AWS'); // comments survive
  });

  test('reports nothing to change when traffic is already there', () => {
    const dir = envDir();
    const { code, out } = run(['prod', 'green', '--dir', dir]);
    expect(code).toBe(0);
    expect(out).toContain('traffic is already blue 0% / green 100%; nothing to change.');
  });

  test('--dry-run validates and writes nothing', () => {
    const dir = envDir();
    const before = fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8');
    const { code, out } = run(['prod', 'blue', '--dry-run', '--dir', dir]);
    expect(code).toBe(0);
    expect(out).toContain('dry run: nothing written.');
    expect(fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8')).toBe(before);
  });

  test('--help explains the command', () => {
    const { code, out } = run(['--help']);
    expect(code).toBe(0);
    expect(out).toBe(CUTOVER_HELP);
    expect(out).toMatch(/^Usage: npm run cutover -- <env> <blue\|green> \[--weight N\]/);
  });
});

describe('cutover: refusals leave the file untouched', () => {
  function refused(argv: string[], dir: string, file = 'prod.yaml') {
    const before = fs.readFileSync(path.join(dir, file), 'utf8');
    const result = run([...argv, '--dir', dir]);
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    return result;
  }

  test('fails on a split under blue-green, naming file, key and reason', () => {
    const dir = envDir();
    const { code, err } = refused(['prod', 'blue', '--weight', '10'], dir);
    expect(code).toBe(1);
    expect(err).toContain('cutover: refused, nothing written:');
    expect(err).toContain(
      `${path.join(dir, 'prod.yaml')}: traffic.blue: blue at 10% splits traffic, which only strategy canary allows (strategy is blue-green)`,
    );
  });

  test('fails on traffic to a color with no capacity', () => {
    const dir = envDir({
      'prod.yaml': withValue('prod.yaml', ['colors', 'blue', 'capacity'], { min: 0, max: 6, desired: 0 }),
    });
    const { code, err } = refused(['prod', 'blue'], dir);
    expect(code).toBe(1);
    expect(err).toContain(
      'traffic.blue: environment prod: blue would get 100% of traffic but colors.blue.capacity.desired is 0',
    );
  });

  test('fails on values that are already invalid, before editing', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['app', 'port'], 'http') });
    expect(() => cutover({ environment: 'prod', color: 'blue', dir })).toThrow(ConfigError);
    expect(refused(['prod', 'blue'], dir).err).toContain('app.port: expected number, got string "http"');
  });

  test('fails on an unknown environment', () => {
    const dir = envDir();
    const { code, err } = run(['qa', 'blue', '--dir', dir]);
    expect(code).toBe(2);
    expect(err).toMatch(/no values file .*qa\.yaml \(environments: dev, prod, staging\)/);
  });

  test('fails on a color that is not blue or green', () => {
    const { code, err } = refused(['prod', 'purple'], envDir());
    expect(code).toBe(2);
    expect(err).toBe('cutover: color must be blue or green, got "purple"\n');
  });

  test.each([['150'], ['-5'], ['ten'], ['12.5']])('fails on --weight %s', (weight) => {
    const { code, err } = refused(['prod', 'blue', `--weight=${weight}`], envDir());
    expect(code).toBe(2);
    expect(err).toMatch(/--weight must be a whole number from 0 to 100/);
  });

  test('fails on missing arguments and unknown options', () => {
    expect(run(['prod'])).toMatchObject({ code: 2, err: expect.stringContaining('expected <env> <color>') });
    expect(run(['prod', 'blue', '--force'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown option --force'),
    });
  });
});

describe('cutover: the edit is exactly the two weights, written in place', () => {
  test('keeps a symlinked values file a symlink (its target gets the edit) and keeps the mode', () => {
    const dir = envDir();
    const real = path.join(path.dirname(dir), 'prod-values.yaml');
    fs.renameSync(path.join(dir, 'prod.yaml'), real);
    fs.chmodSync(real, 0o640);
    fs.symlinkSync(real, path.join(dir, 'prod.yaml'));
    expect(run(['prod', 'blue', '--dir', dir]).code).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'prod.yaml')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(dir, 'prod.yaml'))).toBe(real);
    expect(fs.readFileSync(real, 'utf8')).toMatch(/^ {2}blue: 100$/m);
    expect(fs.statSync(real).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(path.dirname(real)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('keeps the mode of a plain values file', () => {
    const dir = envDir();
    fs.chmodSync(path.join(dir, 'prod.yaml'), 0o600);
    expect(run(['prod', 'blue', '--dir', dir]).code).toBe(0);
    expect(fs.statSync(path.join(dir, 'prod.yaml')).mode & 0o777).toBe(0o600);
  });

  test('fails, writing nothing, when the edit would change another value too (an anchored weight)', () => {
    const text = shipped('prod.yaml')
      .replace(/^ {2}blue: 0$/m, '  blue: &off 0')
      .replace(/^ {2}deregistrationDelaySeconds: 60$/m, '  deregistrationDelaySeconds: *off');
    expect(text).toContain('*off');
    const dir = envDir({ 'prod.yaml': text });
    const r = run(['prod', 'blue', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${path.join(dir, 'prod.yaml')}: traffic: setting the weights would also change prod: loadBalancer.deregistrationDelaySeconds (an anchor or alias shares the weight's value?)`,
    );
    expect(fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8')).toBe(text);
  });

  test('parses every environment: a broken other environment stops the cutover, naming its file', () => {
    const dir = envDir({ 'staging.yaml': `${shipped('staging.yaml')}\nbogus: 1\n` });
    const before = fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8');
    const r = run(['prod', 'blue', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${path.join(dir, 'staging.yaml')}: bogus: unknown key`);
    expect(fs.readFileSync(path.join(dir, 'prod.yaml'), 'utf8')).toBe(before);
  });

  test('fails, reading nothing endless, when a values file is a device (a symlink to /dev/zero)', () => {
    const dir = envDir();
    fs.rmSync(path.join(dir, 'staging.yaml'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'staging.yaml'));
    const other = run(['prod', 'blue', '--dir', dir]);
    expect(other.code).toBe(1);
    expect(other.err).toContain(`${path.join(dir, 'staging.yaml')}: not a regular file`);
    const self = run(['staging', 'blue', '--dir', dir]);
    expect(self.code).toBe(1);
    expect(self.err).toContain(`${path.join(dir, 'staging.yaml')}: not a regular file`);
  });
});
