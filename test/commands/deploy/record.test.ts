// The manifest of a deploy's record (lib/commands/deploy/record.ts), from the project's own prod values and real files;
// the whole record is written and uploaded end to end in test/e2e/deploy.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEnvironments } from '../../../lib/config';
import { MANIFEST_FORMAT } from '../../../lib/commands/deployment-record';
import { deployManifest, NO_PLAN_ARCHIVED } from '../../../lib/commands/deploy/record';

const ROOT = path.resolve(__dirname, '../../..');
const [prod] = loadEnvironments({ dir: path.join(ROOT, 'environments'), only: ['prod'] });

describe('deploy record manifest', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-manifest-'));
    fs.writeFileSync(path.join(dir, 'values.json'), '{}\n');
    fs.writeFileSync(path.join(dir, 'deploy.log'), 'Apply complete!\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const facts = (overrides: { interrupted?: 'SIGINT'; lockMode?: 'none' } = {}) => ({
    cwd: '/p',
    stack: 'prod-green',
    environment: 'prod',
    config: prod,
    record: { id: 'x', prefix: 'deployments/prod/prod-green/x/', dir, logFile: path.join(dir, 'deploy.log') },
    retention: { lockMode: overrides.lockMode ?? ('COMPLIANCE' as const), retentionDays: 2 },
    args: ['deploy', 'prod-green', '--auto-approve'],
    end: {
      code: overrides.interrupted ? 130 : 0,
      outcome: overrides.interrupted ? ('interrupted' as const) : ('succeeded' as const),
      interrupted: overrides.interrupted,
    },
    started: new Date('2026-11-22T01:30:00.000Z'),
    finished: new Date('2026-11-22T01:35:00.000Z'),
    deployer: { principal: 'arn:aws:iam::123456789012:user/ci', source: 'aws-sts:GetCallerIdentity' },
    env: { GITHUB_ACTOR: 'octocat' },
    git: { commit: 'abc', dirty: false },
  });

  test('states the deploy, the object lock counted from its end, and the digest of every file sorted by name', () => {
    const manifest = deployManifest(facts(), ['values.json', 'deploy.log']);
    expect(manifest).toMatchObject({
      format: MANIFEST_FORMAT,
      record: 'deployments/prod/prod-green/x/',
      outcome: 'succeeded',
      exitCode: 0,
      command: ['cdktf', 'deploy', 'prod-green', '--auto-approve'],
      user: 'arn:aws:iam::123456789012:user/ci',
      requestedBy: 'octocat',
      plan: NO_PLAN_ARCHIVED,
      objectLock: { mode: 'COMPLIANCE', retainUntil: '2026-11-24T01:35:00.000Z' },
    });
    expect(manifest.files.map((f) => [f.name, f.bytes])).toEqual([
      ['deploy.log', 16],
      ['values.json', 3],
    ]);
    expect(manifest.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest).not.toHaveProperty('signal');
  });

  test('names the signal of an interrupted deploy and no lock for a store without one', () => {
    const manifest = deployManifest(facts({ interrupted: 'SIGINT', lockMode: 'none' }), ['deploy.log']);
    expect(manifest).toMatchObject({ outcome: 'interrupted', signal: 'SIGINT', exitCode: 130, objectLock: null });
  });
});
