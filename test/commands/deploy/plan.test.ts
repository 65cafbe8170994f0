// The pure parts of a deploy's plan (lib/commands/deploy/plan.ts, and the signal's exit code from run.ts), on the
// project's own environment values; the command runs end to end in test/e2e/deploy.test.ts.
import * as path from 'path';
import { loadEnvironments } from '../../../lib/config';
import { ArchiveError } from '../../../lib/commands/archive-store';
import { PrerequisiteError } from '../../../lib/cli/errors';
import {
  answersPrompts,
  cdktfDeployArgs,
  deployOutcome,
  deploysWithoutArchive,
  recordEncryption,
  recordLocation,
  recordRetention,
} from '../../../lib/commands/deploy/plan';
import { afterSignal } from '../../../lib/commands/deploy/run';

const ROOT = path.resolve(__dirname, '../../..');
const [prod] = loadEnvironments({ dir: path.join(ROOT, 'environments'), only: ['prod'] });
const [dev] = loadEnvironments({ dir: path.join(ROOT, 'environments'), only: ['dev'] });

describe('deploy plan', () => {
  test('the record keeps the environment retention unless more is asked for; DigitalOcean has no lock', () => {
    expect(prod.cloud).toBe('aws');
    expect(recordRetention(prod, {})).toEqual({ lockMode: 'COMPLIANCE', retentionDays: 2555 });
    expect(recordRetention(prod, { retentionDays: 3000 })).toEqual({ lockMode: 'COMPLIANCE', retentionDays: 3000 });
    expect(recordRetention(dev, {})).toEqual({ lockMode: 'none', retentionDays: dev.archive.retentionDays });
    expect(recordEncryption(prod)).toBe('aws:kms');
    expect(recordEncryption(dev)).toBe('none');
  });

  test('the record goes under .deployments/<env>/<stack>/<UTC time>-<sha12>/ locally and deployments/... in the archive', () => {
    const where = recordLocation(
      '/p',
      'prod',
      'prod-green',
      new Date('2026-11-22T01:30:00.250Z'),
      '3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345',
    );
    expect(where).toEqual({
      id: '20261122T013000.250Z-3f2a9c1b7d4e',
      prefix: 'deployments/prod/prod-green/20261122T013000.250Z-3f2a9c1b7d4e/',
      dir: '/p/.deployments/prod/prod-green/20261122T013000.250Z-3f2a9c1b7d4e',
      logFile: '/p/.deployments/prod/prod-green/20261122T013000.250Z-3f2a9c1b7d4e/deploy.log',
    });
  });

  test('cdktf runs deploy <stack> with the arguments passed on, and keeps its prompt only on a terminal without --auto-approve', () => {
    expect(cdktfDeployArgs('prod-green')).toEqual(['deploy', 'prod-green']);
    expect(cdktfDeployArgs('prod-green', ['--auto-approve'])).toEqual(['deploy', 'prod-green', '--auto-approve']);
    expect(answersPrompts('inherit', true, ['deploy', 'prod-green'])).toBe(true);
    expect(answersPrompts('inherit', true, ['deploy', 'prod-green', '--auto-approve'])).toBe(false);
    expect(answersPrompts('inherit', false, ['deploy', 'prod-green'])).toBe(false);
    expect(answersPrompts('ignore', true, ['deploy', 'prod-green'])).toBe(false);
  });

  test('only a deploy of <env>-shared goes on without its archive, and only when the bucket is missing or unresolved', () => {
    const missing = new ArchiveError('missing-bucket', 'no bucket');
    const denied = new ArchiveError('denied', 'access denied');
    const noOutputs = new PrerequisiteError('shared outputs unreadable');
    expect(deploysWithoutArchive('shared', missing)).toBe(true);
    expect(deploysWithoutArchive('shared', noOutputs)).toBe(true);
    expect(deploysWithoutArchive('shared', denied)).toBe(false);
    expect(deploysWithoutArchive('green', missing)).toBe(false);
    expect(deploysWithoutArchive('cutover', noOutputs)).toBe(false);
  });

  test('the outcome follows cdktf exit code, and a signal overrides both outcome and exit code', () => {
    expect(deployOutcome(0, undefined)).toBe('succeeded');
    expect(deployOutcome(1, undefined)).toBe('failed');
    expect(deployOutcome(0, 'SIGTERM')).toBe('interrupted');
    const result = { exitCode: 1, outcome: 'interrupted', error: 'cdktf exited 1' };
    expect(afterSignal(result, undefined)).toBe(result);
    expect(afterSignal(result, 'SIGINT')).toEqual({
      exitCode: 130,
      outcome: 'interrupted',
      error: 'interrupted by SIGINT',
    });
    expect(afterSignal(result, 'SIGTERM')).toMatchObject({ exitCode: 143, error: 'interrupted by SIGTERM' });
  });
});
