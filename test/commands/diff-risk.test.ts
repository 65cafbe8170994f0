// The risk-aware diff on real synthesized stacks: each case edits a copy of the shipped values, synthesizes prod
// (all four stacks) on both sides, and diffs them with the values files, as `npm run diff -- --base <ref>` does.
import {
  diffSynth,
  hasChanges,
  mergedValues,
  readValuesTree,
  renderMarkdown,
  valuesChanges,
  DiffReport,
  DIFF_EXIT,
  diffMain,
} from '../../lib/commands/diff';
import { StackJson } from '../../lib/commands/synth-output';
import { envDir, edited, REPO } from '../support/env-dir';
import { synthEnvironments } from '../support/synth';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const baseDir = envDir();
const baseStacks = synthEnvironments(baseDir, ['prod']) as unknown as Map<string, StackJson>;

/** Diffs the shipped prod values against `edits` (file → new text). */
function diffEdit(edits: Record<string, string>): { report: DiffReport; markdown: string } {
  const dir = envDir(edits);
  const head = synthEnvironments(dir, ['prod']) as unknown as Map<string, StackJson>;
  const headTree = readValuesTree(dir);
  const report = diffSynth(baseStacks, head, {
    labels: { base: 'main', head: 'edit' },
    values: valuesChanges(readValuesTree(baseDir), headTree),
    headValues: mergedValues(headTree),
  });
  return { report, markdown: renderMarkdown(report) };
}
const kinds = (report: DiffReport) => [...new Set(report.risks.map((r) => r.kind))].sort();

describe('app.port 8080 → 9090 in the defaults', () => {
  const { report, markdown } = diffEdit({ 'defaults.yaml': edited('defaults.yaml', 'port: 8080', 'port: 9090') });

  test('the values summary names the file, the key and the environment', () => {
    expect(report.values).toContainEqual({
      environment: 'prod',
      file: 'defaults.yaml',
      path: 'app.port',
      before: 8080,
      after: 9090,
    });
    expect(markdown.indexOf('### Values changed')).toBeLessThan(markdown.indexOf('### Risks'));
    expect(markdown).toContain('| prod | `defaults.yaml` | `app.port` | `8080` | `9090` |');
  });

  test('both target groups are replaced (forced by port, and the name that carries it) and their consumers in the cutover and color stacks are listed', () => {
    const shared = report.stacks.find((s) => s.stack === 'prod-shared')!;
    const groups = shared.resources.filter((r) => r.type === 'aws_lb_target_group');
    expect(groups.map((g) => [g.action, g.replacedBecause])).toEqual([
      ['replace', ['name', 'port']],
      ['replace', ['name', 'port']],
    ]);
    const risk = report.risks.find((r) => r.address === groups[0].address)!;
    expect(new Set(risk.consumers!.map((c) => c.stack))).toEqual(new Set(['prod-shared', 'prod-blue', 'prod-cutover']));
    expect(risk.consumers).toContainEqual(
      expect.objectContaining({
        stack: 'prod-cutover',
        via: expect.stringMatching(/^published blueTargetGroupArn → default_action/),
        effect: 'update',
      }),
    );
    expect(risk.consumers).toContainEqual(
      expect.objectContaining({
        stack: 'prod-blue',
        via: 'published blueTargetGroupArn → target_group_arns',
        effect: 'update',
      }),
    );
  });

  test('the groups are created before the old ones go (create_before_destroy), so the diff gives the deploy order', () => {
    const group = report.stacks
      .find((s) => s.stack === 'prod-shared')!
      .resources.find((r) => r.type === 'aws_lb_target_group')!;
    const risk = report.risks.find((r) => r.address === group.address)!;
    expect(risk.kind).toBe('deploy-in-order');
    expect(risk.steps).toEqual([
      'npx cdktf deploy prod-shared',
      'npx cdktf deploy prod-blue',
      'npx cdktf deploy prod-cutover',
      expect.stringMatching(/^npx cdktf deploy prod-shared \(again: deletes the old ones/),
    ]);
  });

  test('with fixed names and no create_before_destroy (the constructs before this change) it will fail at apply: ResourceInUse', () => {
    const fixed = (stacks: Map<string, StackJson>) =>
      new Map(
        [...stacks].map(([name, tf]) => {
          const copy = JSON.parse(JSON.stringify(tf));
          for (const [id, group] of Object.entries<Record<string, unknown>>(copy.resource?.aws_lb_target_group ?? {})) {
            delete group.lifecycle;
            group.name = `shop-prod-${id.includes('blue') ? 'blue' : 'green'}`;
          }
          return [name, copy];
        }),
      );
    const dir = envDir({ 'defaults.yaml': edited('defaults.yaml', 'port: 8080', 'port: 9090') });
    const old = diffSynth(
      fixed(baseStacks),
      fixed(synthEnvironments(dir, ['prod']) as unknown as Map<string, StackJson>),
    );
    const failing = old.risks.filter(
      (r) => r.kind === 'will-fail-at-apply' && r.address?.startsWith('aws_lb_target_group.'),
    );
    expect(failing).toHaveLength(2);
    expect(failing[0].message).toMatch(
      /is deleted before its replacement exists while .*\(prod-cutover\).* still use it: the cloud refuses \(ResourceInUse/,
    );
  });

  test('the cutover stack is not listed as unchanged: it reads the changed target group ARNs', () => {
    const cutover = report.stacks.find((s) => s.stack === 'prod-cutover')!;
    expect(cutover.readsChanged).toEqual(expect.arrayContaining(['blueTargetGroupArn', 'greenTargetGroupArn']));
    expect(markdown).not.toMatch(/Unchanged:.*prod-cutover/);
  });

  test('the security group rules moving to the new port while green serves on the old one is planned downtime', () => {
    const downtime = report.risks.filter((r) => r.kind === 'planned-downtime');
    expect(downtime.some((r) => /instance-in-app|alb-out-app/.test(r.path ?? '') && /prod-green/.test(r.message))).toBe(
      true,
    );
  });
});

describe('network.vpcCidr changed (with its subnets)', () => {
  const prod = edited('prod.yaml', /10\.30\./g, '10.31.');
  const { report } = diffEdit({ 'prod.yaml': prod });

  test('the VPC is replaced and the load balancer and log store cannot follow it: will fail at apply', () => {
    const vpc = report.stacks.find((s) => s.stack === 'prod-shared')!.resources.find((r) => r.type === 'aws_vpc')!;
    expect(vpc).toMatchObject({ action: 'replace', replacedBecause: ['cidr_block'] });
    const risk = report.risks.find((r) => r.address === vpc.address)!;
    expect(risk.kind).toBe('will-fail-at-apply');
    expect(risk.message).toMatch(/aws_lb\.[^ ]+ \(aws_lb\) in prod-shared cannot move to another VPC/);
    expect(risk.message).toMatch(
      /aws_opensearch_domain\.[^ ]+ \(aws_opensearch_domain\) in prod-shared cannot move to another VPC/,
    );
    const replaced = risk.consumers!.filter((c) => c.effect === 'replace').map((c) => c.address.split('.')[0]);
    expect(replaced).toEqual(
      expect.arrayContaining(['aws_subnet', 'aws_security_group', 'aws_lb_target_group', 'aws_route_table']),
    );
    expect(new Set(risk.consumers!.map((c) => c.stack))).toEqual(
      new Set(['prod-shared', 'prod-blue', 'prod-green', 'prod-cutover']),
    );
  });

  test('the subnets, replaced with the VPC, are not flagged again on their own', () => {
    const subnetRisks = report.risks.filter((r) => r.address?.startsWith('aws_subnet.'));
    expect(subnetRisks).toEqual([]);
  });
});

describe('release consistency', () => {
  test('a new version whose image and artifact did not change is flagged', () => {
    const { report } = diffEdit({ 'prod.yaml': edited('prod.yaml', 'version: 1.4.1', 'version: 1.5.1') });
    const risk = report.risks.find((r) => r.kind === 'release-mismatch')!;
    expect(risk.stack).toBe('prod-blue');
    expect(risk.message).toContain('the version changes (1.4.1 → 1.5.1) but the image and artifact do not');
  });

  test('version and image changed, artifact digest left alone (the README example) is flagged', () => {
    const prod = edited(
      'prod.yaml',
      /version: 1\.4\.1\n(\s+)image: ami-0a1b2c3d4e5f60718/,
      'version: 1.5.1\n$1image: ami-0123456789abcdef0',
    );
    const { report } = diffEdit({ 'prod.yaml': prod });
    expect(report.risks.find((r) => r.kind === 'release-mismatch')?.message).toContain('but the artifact does not');
  });

  test('a release of version, image and artifact together is not flagged (idle color)', () => {
    const prod = edited(
      'prod.yaml',
      /version: 1\.4\.1\n(\s+)image: ami-0a1b2c3d4e5f60718\n(\s+)artifact: (.*)@sha256:3b5c/,
      'version: 1.5.1\n$1image: ami-0123456789abcdef0\n$2artifact: $3@sha256:4b5c',
    );
    const { report } = diffEdit({ 'prod.yaml': prod });
    expect(kinds(report)).toEqual([]);
    expect(report.stacks.find((s) => s.stack === 'prod-blue')!.status).toBe('changed');
  });
});

describe('readable output', () => {
  test('a live-fleet release: user data decoded and shown as changed lines, the release parameter as changed keys', () => {
    const prod = edited(
      'prod.yaml',
      /version: 1\.5\.0\n(\s+)image: ami-0f1e2d3c4b5a69788\n(\s+)artifact: (.*)@sha256:9e8d/,
      'version: 1.5.1\n$1image: ami-0123456789abcdef0\n$2artifact: $3@sha256:8e8d',
    );
    const { report, markdown } = diffEdit({ 'prod.yaml': prod });
    expect(kinds(report)).toEqual(['live-fleet-change']);
    expect(report.risks[0].stack).toBe('prod-green');
    expect(markdown).toMatch(/user_data`, user data decoded, changed lines:/);
    expect(markdown).toContain('-        set $!doc!release = "1.5.0";\n+        set $!doc!release = "1.5.1";');
    expect(markdown).not.toMatch(/H4sI[A-Za-z0-9+/]{20}/);
    // The release parameter (JSON): the changed keys, each long value cut to the part that changed.
    expect(markdown).toMatch(
      /`value`, changed keys:\n\n```text\nartifact: …[^ ]*sha256:9e8d7c[^ ]* → …[^ ]*sha256:8e8d7c[^ ]*\nimage: ami-0f1e2d3c4b5a69788 → ami-0123456789abcdef0\nversion: 1\.5\.0 → 1\.5\.1\n```/,
    );
    // The values summary shows where the digest changed, not the registry prefix both sides share.
    expect(markdown).toMatch(
      /\| prod \| `prod\.yaml` \| `colors\.green\.release\.artifact` \| `…[^`]*9e8d7c[^`]*` \| `…[^`]*8e8d7c[^`]*` \|/,
    );
  });

  test('a traffic flip names each color with its weight before and after', () => {
    const prod = edited('prod.yaml', /traffic:\n  blue: 0\n  green: 100/, 'traffic:\n  blue: 100\n  green: 0');
    const { report, markdown } = diffEdit({ 'prod.yaml': prod });
    const flip = report.risks.find((r) => r.kind === 'traffic-change')!;
    expect(flip.message).toBe('traffic moves: blue 0% → 100%, green 100% → 0%');
    expect(markdown).toMatch(
      /`default_action\[0\]\.forward\.target_group\[0\]\.weight` \(blue weight\) \| `0` \| `100` \|/,
    );
    expect(markdown).toMatch(/\(green weight\) \| `100` \| `0` \|/);
  });
});

describe('no-op', () => {
  test('the same values: nothing changes, nothing flagged, nothing rendered', () => {
    const { report, markdown } = diffEdit({});
    expect(hasChanges(report)).toBe(false);
    expect(markdown).toBe('');
  });

  test('diffMain prints nothing and exits 0', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-noop-'));
    for (const [name, tf] of baseStacks) {
      fs.mkdirSync(path.join(out, 'stacks', name), { recursive: true });
      fs.writeFileSync(path.join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(tf));
    }
    let printed = '';
    const code = diffMain(['--base-out', out, '--head-out', out, '--base-values', baseDir, '--head-values', baseDir], {
      stdout: (t) => (printed += t),
      stderr: (t) => (printed += t),
      cwd: REPO,
    });
    expect({ code, printed }).toEqual({ code: DIFF_EXIT.clean, printed: '' });
  });
});

describe('DigitalOcean: blast radius through lookups by name', () => {
  test('a new VPC range replaces the VPC, and the droplets of both colors (vpc_uuid from the lookup) with it', () => {
    const base = synthEnvironments(baseDir, ['dev']) as unknown as Map<string, StackJson>;
    const dir = envDir({ 'dev.yaml': edited('dev.yaml', 'vpcCidr: 10.10.0.0/20', 'vpcCidr: 10.11.0.0/20') });
    const report = diffSynth(base, synthEnvironments(dir, ['dev']) as unknown as Map<string, StackJson>);
    const vpc = report.stacks
      .find((s) => s.stack === 'dev-shared')!
      .resources.find((r) => r.type === 'digitalocean_vpc')!;
    expect(vpc).toMatchObject({ action: 'replace', replacedBecause: ['ip_range'] });
    const consumers = vpc.blastRadius!.consumers;
    for (const color of ['blue', 'green']) {
      expect(consumers).toContainEqual(
        expect.objectContaining({
          stack: `dev-${color}`,
          address: expect.stringMatching(/^digitalocean_droplet\./),
          via: 'vpc_uuid',
          effect: 'replace',
        }),
      );
    }
    // The log store follows the VPC (private_network_uuid forces a new cluster), and the colors look it up by name too.
    expect(report.stacks.find((s) => s.stack === 'dev-blue')!.readsChanged).toEqual(
      expect.arrayContaining(['digitalocean_vpc "shop-dev"', 'digitalocean_database_cluster "shop-dev-logs"']),
    );
    expect(
      report.risks.some(
        (r) => r.kind === 'stateful-replacement' && r.address?.startsWith('digitalocean_database_cluster.'),
      ),
    ).toBe(true);
  });
});

describe('incompatible releases', () => {
  test('a release whose values declare migration.compatibleWithPrevious: false is flagged', () => {
    const dir = envDir({
      'prod.yaml': edited(
        'prod.yaml',
        /version: 1\.4\.1\n(\s+)image: ami-0a1b2c3d4e5f60718\n(\s+)artifact: (.*)@sha256:3b5c/,
        'version: 2.0.0\n$1image: ami-0123456789abcdef0\n$2artifact: $3@sha256:4b5c',
      ),
    });
    const head = synthEnvironments(dir, ['prod']) as unknown as Map<string, StackJson>;
    // The values key of the release work (issue 18): read from the merged values, whatever the schema says of it.
    const values = mergedValues(readValuesTree(dir)) as Map<
      string,
      { colors: { blue: { release: Record<string, unknown> } } }
    >;
    values.get('prod')!.colors.blue.release.migration = { compatibleWithPrevious: false };
    const report = diffSynth(baseStacks, head, { headValues: values });
    expect(report.risks.map((r) => [r.kind, r.stack])).toEqual([['release-incompatible', 'prod-blue']]);
    expect(report.risks[0].message).toContain('blue release 2.0.0 is declared incompatible with the previous one');
    expect(diffSynth(baseStacks, head).risks).toEqual([]);
  });
});
