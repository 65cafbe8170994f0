// Pure parts of the deploy command; the command itself runs end to end in test/e2e/deploy.test.ts.
import { gitState, parseStackName, phaseOf, terraformPlanned, weakerRetention } from '../../lib/commands/deploy';
import {
  Manifest,
  manifestProblem,
  normalizePrefix,
  recordId,
  recordPrefix,
} from '../../lib/commands/deployment-record';

describe('deploy helpers', () => {
  test('weakerRetention refuses a weaker lock mode or fewer days than the environment, and accepts more', () => {
    const prod = { lockMode: 'COMPLIANCE' as const, retentionDays: 2555 };
    expect(weakerRetention(prod, { lockMode: 'GOVERNANCE', retentionDays: 2555 }, 'prod-green')).toBe(
      "lock mode GOVERNANCE is weaker than COMPLIANCE, the environment's archive.objectLockMode, for prod-green; records keep at least the environment's lock",
    );
    expect(weakerRetention(prod, { lockMode: 'none', retentionDays: 9999 }, 'prod-green')).toMatch(
      /^lock mode none is weaker than COMPLIANCE/,
    );
    expect(weakerRetention(prod, { lockMode: 'COMPLIANCE', retentionDays: 1 }, 'prod-green')).toBe(
      "retention of 1 days is below 2555, the environment's archive.retentionDays, for prod-green; records are kept at least that long",
    );
    expect(weakerRetention(prod, { lockMode: 'COMPLIANCE', retentionDays: 3000 }, 'prod-green')).toBeUndefined();
    expect(
      weakerRetention(
        { lockMode: 'GOVERNANCE', retentionDays: 30 },
        { lockMode: 'COMPLIANCE', retentionDays: 30 },
        'x',
      ),
    ).toBeUndefined();
  });

  test('manifestProblem refuses file names that leave the record directory and prefixes of another environment or stack', () => {
    const good = {
      environment: 'prod',
      stack: 'prod-green',
      record: 'deployments/prod/prod-green/20261122T013000.250Z-3f2a9c1b7d4e/',
      files: [{ name: 'deploy.log' }],
    } as unknown as Manifest;
    expect(manifestProblem(good)).toBeUndefined();
    for (const name of ['../../../.ssh/id_rsa', '/etc/passwd', 'a/b', 'a\\b', '..', '.', '', 'manifest.json']) {
      expect(manifestProblem({ ...good, files: [{ name, sha256: '', bytes: 0 }] })).toMatch(
        /is not a plain file name inside the record directory/,
      );
    }
    expect(
      manifestProblem({ ...good, record: 'deployments/staging/prod-green/20261122T013000.250Z-3f2a9c1b7d4e/' }),
    ).toMatch(/does not match deployments\/prod\/prod-green\//);
    expect(manifestProblem({ ...good, record: 'deployments/prod/prod-green/../../x/' })).toMatch(/does not match/);
    expect(
      manifestProblem({
        ...good,
        stack: 'staging-green',
        record: 'deployments/prod/staging-green/20261122T013000.250Z-3f2a9c1b7d4e/',
      }),
    ).toBe('stack "staging-green" is not a stack of environment prod');
  });

  test('splits <env>-<role>, also for environment names with dashes', () => {
    expect(parseStackName('prod-green')).toEqual({ environment: 'prod', role: 'green' });
    expect(parseStackName('eu-prod-shared')).toEqual({ environment: 'eu-prod', role: 'shared' });
  });

  test('fails on a stack name without a known role', () => {
    expect(() => parseStackName('prod-purple')).toThrow(
      '"prod-purple" is not a stack name: expected <env>-<role> with role one of shared, blue, green, cutover',
    );
  });

  test('record ids are UTC basic-format times with milliseconds and a 12-digit sha, and sort by time', () => {
    const a = recordId(new Date('2026-11-22T01:30:00.250Z'), '3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345');
    const b = recordId(new Date('2026-11-22T01:30:00.251Z'), '0000000000000000000000000000000000000000');
    expect(a).toBe('20261122T013000.250Z-3f2a9c1b7d4e');
    expect([b, a].sort()).toEqual([a, b]);
    expect(recordPrefix('prod', 'prod-green', a)).toBe(
      'deployments/prod/prod-green/20261122T013000.250Z-3f2a9c1b7d4e/',
    );
  });

  test('recognizes the cdktf phases in its output', () => {
    expect(
      [
        'prod-green  Synthesizing',
        'Initializing the backend...',
        'Plan: 1 to add',
        'aws_instance.web: Creating...',
        'Apply complete! Resources: 1 added',
      ].map(phaseOf),
    ).toEqual(['synth', 'init', 'plan', 'apply', 'done']);
    expect(phaseOf('some other line')).toBeUndefined();
  });

  test('counts a deploy as having reached the cloud once Terraform planned, not before', () => {
    expect([undefined, 'synth', 'init'].map(terraformPlanned)).toEqual([false, false, false]);
    expect(['plan', 'apply', 'done'].map(terraformPlanned)).toEqual([true, true, true]);
  });

  test('normalizes record prefixes given with or without a slash, or as s3:// URLs', () => {
    expect(normalizePrefix('deployments/prod/prod-green/x-y')).toEqual({
      prefix: 'deployments/prod/prod-green/x-y/',
      environment: 'prod',
    });
    expect(normalizePrefix('s3://b/deployments/prod/prod-green/x-y/')).toEqual({
      bucket: 'b',
      prefix: 'deployments/prod/prod-green/x-y/',
      environment: 'prod',
    });
  });

  test('fails on a prefix that is not one record', () => {
    expect(() => normalizePrefix('deployments/prod/prod-green/')).toThrow('is not a record prefix');
    expect(() => normalizePrefix('logs/prod/prod-green/x/')).toThrow('is not a record prefix');
  });
});

describe('gitState (a real git repository in a temp dir)', () => {
  const { execFileSync } = require('child_process') as typeof import('child_process');
  const fs = require('fs') as typeof import('fs');
  const os = require('os') as typeof import('os');
  const path = require('path') as typeof import('path');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'pipe' });

  test('dirty when the values file is untracked or modified; clean when committed; own output ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-state-'));
    git(dir, 'init', '-q');
    fs.writeFileSync(path.join(dir, 'main.ts'), '// app\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    expect(gitState(dir).dirty).toBe(false);
    fs.mkdirSync(path.join(dir, 'environments'));
    fs.writeFileSync(path.join(dir, 'environments', 'qa.yaml'), 'name: qa\n');
    expect(gitState(dir)).toMatchObject({ dirty: true }); // untracked values file
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'qa');
    expect(gitState(dir).dirty).toBe(false);
    fs.mkdirSync(path.join(dir, '.deployments', 'qa'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.deployments', 'qa', 'x.log'), 'x');
    fs.mkdirSync(path.join(dir, 'cdktf.out'));
    fs.writeFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), '{}');
    expect(gitState(dir).dirty).toBe(false); // the command's own output does not count
    fs.appendFileSync(path.join(dir, 'environments', 'qa.yaml'), 'traffic: {}\n');
    expect(gitState(dir).dirty).toBe(true); // modified values file
    expect(gitState(dir).commit).toMatch(/^[0-9a-f]{40}$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
