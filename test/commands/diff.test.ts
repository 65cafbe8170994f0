import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DIFF_EXIT,
  diffMain,
  diffSynth,
  diffValues,
  RiskKind,
  runDiff,
  stackRole,
  trafficOf,
} from '../../lib/commands/diff';
import { readSynthOutput } from '../../lib/commands/synth-output';
import { REPO } from '../support/env-dir';

const FIXTURES = path.join(REPO, 'test/fixtures/diff');
const diffCase = (name: string) =>
  runDiff({ baseOut: path.join(FIXTURES, 'base'), headOut: path.join(FIXTURES, name) });
const kinds = (name: string) => diffCase(name).report.risks.map((r) => r.kind);

describe('npm run diff on fixtures', () => {
  test('a no-op change flags nothing, exits 0 and renders nothing', () => {
    const result = diffCase('no-op');
    expect(result.report.risks).toEqual([]);
    expect(result.report.stacks.every((s) => s.status === 'unchanged')).toBe(true);
    expect(result.exitCode).toBe(DIFF_EXIT.clean);
    expect(result.markdown).toBe('');
  });

  test('a new release on the idle color is listed but not flagged', () => {
    const result = diffCase('idle-fleet-release');
    expect(result.report.risks).toEqual([]);
    expect(result.exitCode).toBe(0);
    const blue = result.report.stacks.find((s) => s.stack === 'prod-blue')!;
    expect(blue.status).toBe('changed');
    expect(blue.resources[0].attributes).toContainEqual({
      path: 'image_id',
      before: 'ami-0a1b2c3d4e5f60718',
      after: 'ami-0123456789abcdef0',
    });
    expect(blue.settings).toContainEqual({ path: 'output.release_version', before: '1.4.1', after: '1.5.1' });
  });

  const cases: Array<[string, RiskKind[]]> = [
    ['stateful-removal', ['stateful-removal']],
    ['stateful-replacement', ['stateful-replacement', 'stateful-replacement']],
    ['stateful-disruption', ['stateful-disruption']],
    ['live-fleet-change', ['live-fleet-change']],
    ['traffic-change', ['traffic-change']],
    ['backend-change', ['backend-change']],
    ['new-suppression', ['new-suppression']],
  ];
  test.each(cases)('flags %s (and nothing else) with exit 1', (name, expected) => {
    expect(kinds(name)).toEqual(expected);
    expect(diffCase(name).exitCode).toBe(DIFF_EXIT.risks);
  });

  test('knows which bucket and customer gateway changes are replacements', () => {
    const shared = diffCase('stateful-replacement').report.stacks.find((s) => s.stack === 'prod-shared')!;
    const bucket = shared.resources.find((r) => r.type === 'aws_s3_bucket')!;
    expect(bucket).toMatchObject({
      action: 'replace',
      replacedBecause: ['bucket', 'object_lock_enabled'],
      path: 'prod-shared/archive/bucket',
      stateful: true,
    });
    const cgw = shared.resources.find((r) => r.type === 'aws_customer_gateway')!;
    expect(cgw).toMatchObject({ action: 'replace', replacedBecause: ['ip_address'] });
    expect(cgw.attributes).toEqual([{ path: 'ip_address', before: '198.51.100.10', after: '198.51.100.99' }]);
  });

  test('names the AMI and user data of the live fleet as disruptions', () => {
    const risk = diffCase('live-fleet-change').report.risks[0];
    expect(risk.stack).toBe('prod-green');
    expect(risk.message).toContain('aws_launch_template.fleet_lt_8B (image_id, user_data)');
  });

  test('treats a color as live when it carries traffic in the base or the head', () => {
    expect(diffCase('traffic-change').report.liveColors).toEqual({ prod: ['blue', 'green'] });
    expect(diffCase('no-op').report.liveColors).toEqual({ prod: ['green'] });
  });

  test('does not flag the fleets of a brand-new environment', () => {
    const base = readSynthOutput(path.join(FIXTURES, 'base'));
    const report = diffSynth(new Map(), base);
    expect(report.stacks.every((s) => s.status === 'added')).toBe(true);
    expect(report.risks).toEqual([]);
  });

  test('lists provider and provider-version changes as settings', () => {
    const base = readSynthOutput(path.join(FIXTURES, 'base'));
    const head = new Map(base);
    const cutover = JSON.parse(JSON.stringify(base.get('prod-cutover')));
    cutover.provider.aws[0].region = 'eu-central-1';
    head.set('prod-cutover', cutover);
    const stack = diffSynth(base, head).stacks.find((s) => s.stack === 'prod-cutover')!;
    expect(stack.settings).toEqual([{ path: 'provider.aws[0].region', before: 'eu-west-1', after: 'eu-central-1' }]);
  });

  test('counts the removal of a whole stack as removal of its stateful resources', () => {
    const base = readSynthOutput(path.join(FIXTURES, 'base'));
    const head = new Map(base);
    head.delete('prod-shared');
    const report = diffSynth(base, head);
    expect(report.stacks.find((s) => s.stack === 'prod-shared')!.status).toBe('removed');
    expect(
      report.risks
        .filter((r) => r.kind === 'stateful-removal')
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      'prod-shared/archive/bucket',
      'prod-shared/logs/app',
      'prod-shared/vpn/connection',
      'prod-shared/vpn/customer-gateway',
    ]);
  });

  test('renders Markdown with the risks before the stacks and attribute detail', () => {
    const md = diffCase('stateful-replacement').markdown;
    expect(md.indexOf('### Risks')).toBeGreaterThan(0);
    expect(md.indexOf('### Risks')).toBeLessThan(md.indexOf('### `prod-shared`'));
    expect(md).toContain('| Stateful resource replaced | `prod-shared` | `prod-shared/archive/bucket` |');
    expect(md).toContain(
      '| `aws_s3_bucket.archive_bucket_1A` | `bucket` | `shop-prod-archive` | `shop-prod-archives` |',
    );
    expect(md).toContain('Unchanged: `prod-blue`, `prod-cutover`, `prod-green`');
  });
});

describe('readSynthOutput', () => {
  test('reads only the stacks the manifest of the last synth lists', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-out-'));
    fs.cpSync(path.join(FIXTURES, 'base'), out, { recursive: true });
    fs.writeFileSync(
      path.join(out, 'manifest.json'),
      JSON.stringify({ stacks: { 'prod-blue': {}, 'prod-green': {} } }),
    );
    expect([...readSynthOutput(out).keys()]).toEqual(['prod-blue', 'prod-green']);
  });
});

describe('diff helpers', () => {
  test('diffValues reports nested paths with before and after', () => {
    expect(diffValues({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 3, 4] }, d: 2 })).toEqual([
      { path: 'a.b[1]', before: 2, after: 3 },
      { path: 'a.b[2]', after: 4 },
      { path: 'c', before: 1 },
      { path: 'd', after: 2 },
    ]);
  });

  test('stackRole splits environment and role', () => {
    expect(stackRole('prod-eu-green')).toEqual({ env: 'prod-eu', role: 'green' });
    expect(stackRole('tools')).toEqual({ env: 'tools' });
  });

  test('trafficOf reads the live_color output of a DigitalOcean cutover stack', () => {
    expect(trafficOf({ output: { live_color: { value: 'blue' }, preview_color: { value: 'green' } } })).toEqual({
      blue: 100,
      green: 0,
    });
    expect(trafficOf({ output: { live_color: { value: 'blue+green' } } })).toEqual({ blue: 50, green: 50 });
  });

  test('trafficOf falls back to listener weights when there is no weights output', () => {
    const cutover = readSynthOutput(path.join(FIXTURES, 'base')).get('prod-cutover')!;
    const { output: _ignored, ...withoutOutputs } = cutover;
    expect(trafficOf(withoutOutputs)).toEqual({ blue: 0, green: 100 });
  });
});

describe('diffMain (the CLI)', () => {
  function run(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = diffMain(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: REPO });
    return { code, stdout, stderr };
  }

  test('writes the Markdown and JSON files and exits 1 when something is flagged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diff-cli-'));
    const r = run([
      '--base-out',
      path.join(FIXTURES, 'base'),
      '--head-out',
      path.join(FIXTURES, 'traffic-change'),
      '--markdown',
      `${dir}/diff.md`,
      '--json',
      `${dir}/diff.json`,
    ]);
    expect(r.code).toBe(DIFF_EXIT.risks);
    expect(fs.readFileSync(`${dir}/diff.md`, 'utf8')).toBe(r.stdout);
    expect(JSON.parse(fs.readFileSync(`${dir}/diff.json`, 'utf8')).risks[0].kind).toBe('traffic-change');
    expect(r.stderr).toContain('1 risk(s) flagged (exit 1)');
  });

  test('is quiet on a no-op: exit 0, nothing on stdout or stderr, the JSON file still written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diff-cli-'));
    const r = run([
      '--base-out',
      path.join(FIXTURES, 'base'),
      '--head-out',
      path.join(FIXTURES, 'no-op'),
      '--format',
      'json',
      '--json',
      `${dir}/diff.json`,
    ]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(fs.readFileSync(`${dir}/diff.json`, 'utf8')).risks).toEqual([]);
  });

  test('prints JSON with --format json', () => {
    const r = run([
      '--base-out',
      path.join(FIXTURES, 'base'),
      '--head-out',
      path.join(FIXTURES, 'idle-fleet-release'),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stacks.find((s: { stack: string }) => s.stack === 'prod-blue').status).toBe('changed');
  });

  test('prints help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npm run diff');
  });

  test('fails without a base, with exit 2', () => {
    const r = run([]);
    expect(r.code).toBe(DIFF_EXIT.usage);
    expect(r.stderr).toContain('give exactly one of --base <git-ref> or --base-out <dir>');
  });

  test('fails on a base directory without stacks, naming it, with exit 1', () => {
    const r = run(['--base-out', '/nonexistent/out', '--head-out', path.join(FIXTURES, 'no-op')]);
    expect(r.code).toBe(DIFF_EXIT.error);
    expect(r.stderr).toContain('/nonexistent/out: no synthesized stacks');
  });
});
