// Pure parts of the deploy command; the command itself runs end to end in test/e2e/deploy.test.ts.
import { parseStackName, phaseOf, PLAN_FILES, terraformPlanned } from '../../lib/commands/deploy';
import { normalizePrefix, recordId, recordPrefix } from '../../lib/commands/deployment-record';
import { PLAN_FILE, PLAN_JSON_FILE } from '../../lib/commands/plan';

describe('deploy helpers', () => {
  test('archives exactly the plan files npm run plan saves', () => {
    expect(PLAN_FILES).toEqual([PLAN_FILE, PLAN_JSON_FILE]);
  });

  test('splits <env>-<role>, also for environment names with dashes', () => {
    expect(parseStackName('prod-green')).toEqual({ environment: 'prod', role: 'green' });
    expect(parseStackName('eu-prod-shared')).toEqual({ environment: 'eu-prod', role: 'shared' });
  });

  test('fails on a stack name without a known role', () => {
    expect(() => parseStackName('prod-purple')).toThrow('"prod-purple" is not a stack name: expected <env>-<role> with role one of shared, blue, green, cutover');
  });

  test('record ids are UTC basic-format times with milliseconds and a 12-digit sha, and sort by time', () => {
    const a = recordId(new Date('2026-11-22T01:30:00.250Z'), '3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345');
    const b = recordId(new Date('2026-11-22T01:30:00.251Z'), '0000000000000000000000000000000000000000');
    expect(a).toBe('20261122T013000.250Z-3f2a9c1b7d4e');
    expect([b, a].sort()).toEqual([a, b]);
    expect(recordPrefix('prod', 'prod-green', a)).toBe('deployments/prod/prod-green/20261122T013000.250Z-3f2a9c1b7d4e/');
  });

  test('recognizes the cdktf phases in its output', () => {
    expect(['prod-green  Synthesizing', 'Initializing the backend...', 'Plan: 1 to add', 'aws_instance.web: Creating...', 'Apply complete! Resources: 1 added'].map(phaseOf)).toEqual([
      'synth',
      'init',
      'plan',
      'apply',
      'done',
    ]);
    expect(phaseOf('some other line')).toBeUndefined();
  });

  test('counts a deploy as having reached the cloud once Terraform planned, not before', () => {
    expect([undefined, 'synth', 'init'].map(terraformPlanned)).toEqual([false, false, false]);
    expect(['plan', 'apply', 'done'].map(terraformPlanned)).toEqual([true, true, true]);
  });

  test('normalizes record prefixes given with or without a slash, or as s3:// URLs', () => {
    expect(normalizePrefix('deployments/prod/prod-green/x-y')).toEqual({ prefix: 'deployments/prod/prod-green/x-y/', environment: 'prod' });
    expect(normalizePrefix('s3://b/deployments/prod/prod-green/x-y/')).toEqual({ bucket: 'b', prefix: 'deployments/prod/prod-green/x-y/', environment: 'prod' });
  });

  test('fails on a prefix that is not one record', () => {
    expect(() => normalizePrefix('deployments/prod/prod-green/')).toThrow('is not a record prefix');
    expect(() => normalizePrefix('logs/prod/prod-green/x/')).toThrow('is not a record prefix');
  });
});
