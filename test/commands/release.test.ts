// `npm run release` against the AWS emulator (moto's server on loopback): the readers make real AWS SDK calls
// (SSM GetParameter, ELBv2 DescribeListeners/DescribeTargetHealth, Auto Scaling DescribeAutoScalingGroups,
// CloudWatch DescribeAlarms), the test moves alarms with the real SetAlarmState, the record goes through the real
// archive store to a real S3-compatible server (s3rver). What cannot run here is a stand-in, and the test names say so
// (see release-aws-world.ts): the stack deploys, and instance refreshes (moto does not model them).
import * as fs from 'fs';
import { EventEmitter } from 'events';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { ExitCode } from '../../lib/cli/exit-codes';
import { loadEnvironments } from '../../lib/config';
import { cutover } from '../../lib/commands/cutover';
import { release } from '../../lib/commands/release/engine';
import { releaseMain } from '../../lib/commands/release/cli';
import { lastReleaseRecord } from '../../lib/commands/release/record';
import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Emulator, EMULATOR_CREDENTIALS, startEmulator } from '../support/aws-emulator';
import { S3Server, startS3Server } from '../support/s3-server';
import {
  ALARMS,
  AwsWorld,
  RECORDS_BUCKET,
  awsWorld,
  ENV,
  IMAGE,
  motoServer,
  NEW_VERSION,
  releaseOptions,
  scratch,
  startApp,
  startRefreshStandIn,
} from './release-aws-world';

const CANARY = (text: string) =>
  text.replace('strategy: blue-green', 'strategy: canary') +
  '\nrelease:\n  steps: [10, 60, 100]\n  pauseSeconds: 30\n  bakeSeconds: 60\n';
const IRREVERSIBLE = (text: string) =>
  CANARY(text).replace(
    `version: ${NEW_VERSION}`,
    `version: ${NEW_VERSION}\n      migration: { compatibleWithPrevious: false }`,
  );

const suite = motoServer ? describe : describe.skip;
if (!motoServer && process.env.CI) {
  test('the AWS emulator is installed (CI)', () => {
    throw new Error('moto_server not found: bash .ci/run installs it into .venv (MOTO_SERVER names another)');
  });
}

suite(
  'release on the AWS emulator (deploy port: stand-in applying weights via ModifyListener; instance refresh: loopback stand-in, moto lacks DescribeInstanceRefreshes)',
  () => {
    let emulator: Emulator;
    let refresh: Awaited<ReturnType<typeof startRefreshStandIn>>;
    let app: Awaited<ReturnType<typeof startApp>>;
    let appVersion = NEW_VERSION;
    let world: AwsWorld;
    let records: S3Server;

    beforeAll(async () => {
      emulator = await startEmulator(motoServer!, path.join(scratch(), 'moto.log'), [
        { id: IMAGE, rootDeviceName: '/dev/xvda' },
      ]);
      refresh = await startRefreshStandIn();
      app = await startApp(() => appVersion);
      records = await startS3Server([RECORDS_BUCKET]);
    }, 60_000);
    afterAll(async () => {
      await records?.close();
      await app?.close();
      await refresh?.close();
      await emulator?.stop();
    });
    beforeEach(() => {
      appVersion = NEW_VERSION;
    });

    const values = () => loadEnvironments({ dir: path.dirname(world.valuesFile), only: [ENV] })[0];

    test('a canary through 10/60/100 (50 is refused by the cutover checks): after each step the listener applies the step, then the bake; the record is archived (object-locked) on an S3-compatible server', async () => {
      world = await awsWorld(emulator, refresh, app.url, CANARY);
      const seen: Array<Record<string, number>> = [];
      world.onCutoverDeployed = async () => void seen.push(await world.listenerWeights());
      const out: string[] = [];
      const err: string[] = [];
      const result = await release({
        ...releaseOptions(world, records),
        stdout: (t) => void out.push(t),
        stderr: (t) => void err.push(t),
      });

      expect(err.join('')).toBe('');
      expect(result.reason).toMatch(/green 1\.6\.0 serves 100%/);
      expect(result.exitCode).toBe(ExitCode.OK);
      expect(seen).toEqual([
        { blue: 90, green: 10 },
        { blue: 40, green: 60 },
        { blue: 0, green: 100 },
      ]);
      expect(world.deployed).toEqual(['staging-green', 'staging-cutover', 'staging-cutover', 'staging-cutover']);
      expect(await world.listenerWeights()).toEqual({ blue: 0, green: 100 });
      expect(values().traffic).toMatchObject({ blue: 0, green: 100 });
      expect(refresh.calls).toContain('DescribeInstanceRefreshes');
      // Pauses of 30 s after each of three steps, then a bake of 60 s (fake clock).
      expect(world.slept()).toBe(150);
      const record = result.record!;
      expect(record.stepRecords.map((s) => [s.step, s.readBack, s.decision])).toEqual([
        [1, { blue: 90, green: 10 }, 'continue'],
        [2, { blue: 40, green: 60 }, 'continue'],
        [3, { blue: 0, green: 100 }, 'continue'],
      ]);
      expect(record.stepRecords[0].gates.map((g) => g.reading)).toEqual([
        `${ALARMS.green5xx} OK (test setup)`,
        `${ALARMS.greenUnhealthy} OK (test setup)`,
      ]);
      expect(record.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual([
        'preflight:ok',
        'deploy:ok',
        'wait:ok',
        'smoke:ok',
        'step 1:ok',
        'step 2:ok',
        'step 3:ok',
        'bake:ok',
      ]);
      const text = out.join('');
      expect(text).toMatch(/\[step 2\/3\] blue 40% \/ green 60%: write values, deploy staging-cutover \(\d+s\)/);
      expect(text).toMatch(/\nphase +outcome +seconds +detail\n/);
      const prefix = `/${RECORDS_BUCKET}/deployments/staging/staging-release/${path.basename(result.recordDir!)}/`;
      const puts = records.requests.filter((r) => r.method === 'PUT' && r.path.startsWith(prefix));
      expect(puts.map((r) => r.path.slice(prefix.length))).toEqual([
        'release.json',
        'release.log',
        'values.json',
        'manifest.json',
      ]);
      expect(puts.every((r) => r.headers['x-amz-object-lock-mode'] === 'GOVERNANCE')).toBe(true);
      const manifest = JSON.parse(fs.readFileSync(path.join(result.recordDir!, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({
        format: 'cdktf-bluegreen/deployment-record@1',
        stack: 'staging-release',
        outcome: 'succeeded',
        user: expect.stringMatching(/^arn:aws:/),
      });
      expect(fs.readFileSync(path.join(result.recordDir!, 'release.json'), 'utf8')).not.toMatch(
        /secret|password|AWS_SECRET/i,
      );
    });

    test('an alarm put into ALARM with SetAlarmState during step 2 rolls traffic back to the pre-release weights (exit 4, reason in the record)', async () => {
      world = await awsWorld(emulator, refresh, app.url, CANARY);
      world.onCutoverDeployed = async (n) => {
        if (n === 2) await world.setAlarm(ALARMS.green5xx, 'ALARM');
      };
      const result = await release(releaseOptions(world, records));

      expect(result.exitCode).toBe(ExitCode.ROLLED_BACK);
      expect(result.outcome).toBe('rolled-back');
      expect(result.reason).toContain(
        `gate alarm ${ALARMS.green5xx}: ${ALARMS.green5xx} ALARM (set by the test: ALARM)`,
      );
      expect(await world.listenerWeights()).toEqual({ blue: 100, green: 0 });
      expect(values().traffic).toMatchObject({ blue: 100, green: 0 });
      expect(world.deployed).toEqual(['staging-green', 'staging-cutover', 'staging-cutover', 'staging-cutover']);
      const record = lastReleaseRecord(world.cwd, ENV)!.record;
      expect(record.outcome).toBe('rolled-back');
      expect(record.stepRecords.map((s) => s.decision)).toEqual(['continue', 'rollback']);
      expect(record.phases.map((p) => `${p.phase}:${p.outcome}`).slice(-2)).toEqual(['step 2:failed', 'rollback:ok']);
      expect(record.finalWeights).toEqual({ blue: 100, green: 0 });
    });

    test('a fleet that never becomes healthy (instances stopped: the target group reports them unused) stops before traffic (exit 5)', async () => {
      world = await awsWorld(emulator, refresh, app.url, (t) => `${t}\nrelease:\n  waitTimeoutSeconds: 60\n`);
      await world.stopFleet();
      const result = await release(releaseOptions(world, records));

      expect(result.exitCode).toBe(ExitCode.STOPPED_BEFORE_TRAFFIC);
      expect(result.reason).toMatch(
        /not ready after release\.waitTimeoutSeconds \(60s\): .*0\/1 healthy in the green target group/,
      );
      expect(world.deployed).toEqual(['staging-green']);
      expect(await world.listenerWeights()).toEqual({ blue: 100, green: 0 });
      expect(values().traffic).toMatchObject({ blue: 100, green: 0 });
      expect(world.slept()).toBeGreaterThanOrEqual(60);
    });

    test('a failed instance refresh (refresh stand-in reports Failed) stops before traffic with the refresh reason', async () => {
      world = await awsWorld(emulator, refresh, app.url);
      const deploy = world.ports.deployStack!;
      (world.ports as { deployStack: typeof deploy }).deployStack = async (stack) => {
        const res = await deploy(stack);
        refresh.refreshes.push({
          id: 'r-failed',
          status: 'Failed',
          startTime: new Date(),
          reason: 'instances failed the ELB health check',
        });
        return res;
      };
      const result = await release(releaseOptions(world, records));
      expect(result.exitCode).toBe(ExitCode.STOPPED_BEFORE_TRAFFIC);
      expect(result.reason).toContain('ended Failed: instances failed the ELB health check');
      expect(await world.listenerWeights()).toEqual({ blue: 100, green: 0 });
    });

    test('weights changed outside the tool: preflight refuses and names the drift, nothing deployed (exit 2)', async () => {
      world = await awsWorld(emulator, refresh, app.url, CANARY);
      await world.setListener(80, 20);
      const err: string[] = [];
      const result = await release({ ...releaseOptions(world, records), stderr: (t) => void err.push(t) });

      expect(result.exitCode).toBe(ExitCode.USAGE);
      expect(err.join('')).toContain(
        'the live listener applies blue 80% / green 20%, but environments/staging.yaml says blue 100% / green 0%',
      );
      expect(world.deployed).toEqual([]);
      expect(lastReleaseRecord(world.cwd, ENV)).toBeUndefined();
    });

    test('a shared stack that published nothing (its SSM parameter missing): exit 3, nothing deployed, the message says what to deploy', async () => {
      world = await awsWorld(emulator, refresh, app.url);
      await new SSMClient({ region: 'eu-west-1', endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS }).send(
        new DeleteParameterCommand({ Name: '/shop/staging/shared/load-balancer-arn' }),
      );
      const result = await release(releaseOptions(world, records));
      expect(result.exitCode).toBe(ExitCode.PREREQUISITE);
      expect(result.reason).toBe(
        'SSM parameter /shop/staging/shared/load-balancer-arn not found: deploy staging-shared first; nothing was changed',
      );
      expect(world.deployed).toEqual([]);
    });

    test('the idle color already runs the release: refused without --force', async () => {
      world = await awsWorld(emulator, refresh, app.url, (t) => t.replace(`version: ${NEW_VERSION}`, 'version: 1.4.1'));
      const result = await release(releaseOptions(world, records));
      expect(result.exitCode).toBe(ExitCode.USAGE);
      expect(result.reason).toContain('green already runs 1.4.1');
      expect(world.deployed).toEqual([]);
    });

    test('a smoke test that finds the old version behind the test listener stops before traffic', async () => {
      world = await awsWorld(emulator, refresh, app.url);
      appVersion = '1.4.1';
      const result = await release({
        ...releaseOptions(world, records),
        ports: {
          ...world.ports,
          smoke: (o) => jest.requireActual('../../lib/commands/smoke').smoke({ ...o, attempts: 1 }),
        },
      });
      expect(result.exitCode).toBe(ExitCode.STOPPED_BEFORE_TRAFFIC);
      expect(result.reason).toContain(`the body does not contain "${NEW_VERSION}"`);
      expect(world.deployed).toEqual(['staging-green']);
    });

    // The signal comes through the engine's injected signal source: a real SIGINT to this process would also reach
    // jest's own handler, which ends the test run. The bin (lib/commands/release/cli.ts) passes `process`.
    test('SIGINT during step 2 (through the injected signal source): values and listener agree, the record says interrupted at step 2 (exit 130); a second run refuses, --resume finishes', async () => {
      world = await awsWorld(emulator, refresh, app.url, CANARY);
      const signals = new EventEmitter();
      world.onCutoverDeployed = async (n) => {
        if (n !== 2) return;
        signals.emit('SIGINT');
        return { exitCode: 130, outcome: 'interrupted' }; // what the deploy command returns after forwarding the signal to cdktf
      };
      const result = await release({ ...releaseOptions(world, records), signals });
      expect(signals.listenerCount('SIGINT')).toBe(0);

      expect(result.exitCode).toBe(130);
      expect(result.reason).toBe('interrupted by SIGINT at step 2');
      expect(await world.listenerWeights()).toEqual({ blue: 40, green: 60 });
      expect(values().traffic).toMatchObject({ blue: 40, green: 60 });
      const record = lastReleaseRecord(world.cwd, ENV)!.record;
      expect(record).toMatchObject({
        outcome: 'interrupted',
        interruptedAtStep: 2,
        signal: 'SIGINT',
        finalWeights: { blue: 40, green: 60 },
      });

      world.onCutoverDeployed = undefined;
      const again = await release(releaseOptions(world, records));
      expect(again.exitCode).toBe(ExitCode.USAGE);
      expect(again.reason).toMatch(
        /was interrupted at step 2 with traffic blue 40% \/ green 60%; continue it with --resume, or restore blue 100% \/ green 0% with --rollback/,
      );

      const resumed = await release({ ...releaseOptions(world, records), resume: true });
      expect(resumed.exitCode).toBe(ExitCode.OK);
      expect(resumed.record!.stepRecords.map((s) => s.step)).toEqual([3]);
      expect(await world.listenerWeights()).toEqual({ blue: 0, green: 100 });
    });

    test('--rollback restores the pre-release weights of the last record', async () => {
      world = await awsWorld(emulator, refresh, app.url, CANARY);
      expect((await release(releaseOptions(world, records))).exitCode).toBe(ExitCode.OK);
      expect(await world.listenerWeights()).toEqual({ blue: 0, green: 100 });
      const code = await releaseMain(
        ['staging', '--rollback', '--outputs', path.join(world.cwd, 'outputs.json'), '--bucket', 'x'],
        {
          cwd: world.cwd,
          stdout: () => undefined,
          stderr: () => undefined,
          env: releaseOptions(world, records).env,
          ports: { ...world.ports, archiveRecord: async () => 'not archived in this test' },
        },
      );
      expect(code).toBe(ExitCode.OK);
      expect(await world.listenerWeights()).toEqual({ blue: 100, green: 0 });
      expect(lastReleaseRecord(world.cwd, ENV)!.record).toMatchObject({ kind: 'rollback', outcome: 'restored' });
    });

    test('--wait-only green: ready when the refresh succeeded, every instance runs the group launch template version and the target group is healthy', async () => {
      world = await awsWorld(emulator, refresh, app.url, (t) => `${t}\nrelease:\n  waitTimeoutSeconds: 30\n`);
      refresh.refreshes.push({ id: 'r-1', status: 'Successful', startTime: new Date() });
      const ok = await release({ ...releaseOptions(world, records), waitOnly: 'green' });
      expect(ok).toMatchObject({ exitCode: ExitCode.OK, outcome: 'ready' });
      expect(ok.reason).toBe(
        'refresh Successful 100%; 1/1 in service on launch template version 2; 1/1 healthy in the green target group',
      );
      refresh.refreshes.push({ id: 'r-2', status: 'InProgress', startTime: new Date() });
      const busy = await release({ ...releaseOptions(world, records), waitOnly: 'green' });
      expect(busy.exitCode).toBe(ExitCode.STOPPED_BEFORE_TRAFFIC);
      expect(busy.reason).toContain('refresh InProgress 40%');
    });

    describe('an irreversible release (migration.compatibleWithPrevious: false)', () => {
      test('is refused without --accept-irreversible, nothing deployed', async () => {
        world = await awsWorld(emulator, refresh, app.url, IRREVERSIBLE);
        const result = await release(releaseOptions(world, records));
        expect(result.exitCode).toBe(ExitCode.USAGE);
        expect(result.reason).toContain('--accept-irreversible');
        expect(world.deployed).toEqual([]);
      });

      test('goes straight to 100% (canary refused), and the record says irreversible', async () => {
        world = await awsWorld(emulator, refresh, app.url, IRREVERSIBLE);
        const out: string[] = [];
        const result = await release({
          ...releaseOptions(world, records),
          acceptIrreversible: true,
          stdout: (t) => void out.push(t),
        });
        expect(result.exitCode).toBe(ExitCode.OK);
        expect(out.join('')).toContain('canary steps [10,60,100] refused');
        expect(world.deployed).toEqual(['staging-green', 'staging-cutover']);
        expect(result.record).toMatchObject({ irreversible: true, steps: [100] });
      });

      test('a failed gate after the switch stops for an operator instead of rolling back (exit 6, traffic stays)', async () => {
        world = await awsWorld(emulator, refresh, app.url, IRREVERSIBLE);
        world.onCutoverDeployed = async () => world.setAlarm(ALARMS.greenUnhealthy, 'ALARM');
        const result = await release({ ...releaseOptions(world, records), acceptIrreversible: true });
        expect(result.exitCode).toBe(ExitCode.NEEDS_OPERATOR);
        expect(result.reason).toMatch(/irreversible .* page an operator/);
        expect(await world.listenerWeights()).toEqual({ blue: 0, green: 100 });
        expect(world.deployed).toEqual(['staging-green', 'staging-cutover']);
        expect(result.record!.stepRecords[0].decision).toBe('stop: needs operator');
      });

      test('npm run cutover back to the older release refuses without --force (cutover compute), and --rollback too', async () => {
        world = await awsWorld(emulator, refresh, app.url, IRREVERSIBLE);
        expect((await release({ ...releaseOptions(world, records), acceptIrreversible: true })).exitCode).toBe(
          ExitCode.OK,
        );
        const dir = path.dirname(world.valuesFile);
        expect(() => cutover({ environment: ENV, color: 'blue', dir })).toThrow(
          /green runs 1\.6\.0, declared migration\.compatibleWithPrevious: false, so blue's older 1\.5\.0 may not run on its data.*needs --force/,
        );
        const refused = await release({ ...releaseOptions(world, records), rollback: true });
        expect(refused.exitCode).toBe(ExitCode.USAGE);
        expect(refused.reason).toContain('--rollback needs --force');
        expect(cutover({ environment: ENV, color: 'blue', dir, force: true, dryRun: true }).after).toEqual({
          blue: 100,
          green: 0,
        });
      });
    });
  },
);

describe('release values', () => {
  const { configProblems } = jest.requireActual(
    '../support/config-problems',
  ) as typeof import('../support/config-problems');
  const { envDir, withValue } = jest.requireActual('../support/env-dir') as typeof import('../support/env-dir');
  const staging = (
    keyPath: Array<string | number>,
    value: unknown,
    more: Array<[Array<string | number>, unknown]> = [],
  ) => {
    const doc = parseDocument(withValue('staging.yaml', keyPath, value));
    for (const [p, v] of more) doc.setIn(p, v);
    return envDir({ 'staging.yaml': doc.toString() });
  };

  test('fails on steps that do not rise, do not end at 100, or split traffic under blue-green', () => {
    expect(configProblems(staging(['release', 'steps'], [50, 10, 90]), ['staging'])).toEqual([
      'environments/staging.yaml: release.steps[1]: steps must rise: 10 follows 50; e.g. [10, 25, 100]',
      'environments/staging.yaml: release.steps[2]: the last step must be 100 (got 90), so the release ends with all traffic on the new color',
      'environments/staging.yaml: release.steps: steps below 100 split traffic, which only strategy canary allows (strategy is blue-green); use [100] or set traffic.strategy: canary',
    ]);
  });

  test('fails on a bad insufficientData rule and on alarms gates on DigitalOcean; steps other than [100] on DigitalOcean', () => {
    expect(configProblems(staging(['release', 'gates'], { insufficientData: 'maybe' }), ['staging'])[0]).toBe(
      'environments/staging.yaml: release.gates.insufficientData: must be one of ok, fail (got "maybe")',
    );
    const dev = parseDocument(fs.readFileSync(path.join(path.dirname(envDir()), 'environments', 'dev.yaml'), 'utf8'));
    dev.setIn(['release'], { steps: [50, 100], gates: { alarms: ['x'] } });
    expect(configProblems(envDir({ 'dev.yaml': dev.toString() }), ['dev'])).toEqual([
      'environments/dev.yaml: release.steps: a load balancer on DigitalOcean sends traffic to one droplet tag, so a release moves 100% at once: use [100] (or drop release.steps)',
      'environments/dev.yaml: release.gates.alarms: alarm gates are CloudWatch alarms (AWS only); remove them, or use gates.smokeLive',
    ]);
  });

  test('fails on a canary step of 50 (the test listener would serve a live color)', () => {
    expect(
      configProblems(staging(['release', 'steps'], [10, 50, 100], [[['traffic', 'strategy'], 'canary']]), ['staging']),
    ).toEqual([
      'environments/staging.yaml: release.steps[1]: at 50 both colors carry half the traffic: the cutover checks allow that only with loadBalancer.testListener.color pinned to the new color, which a release does not set; use e.g. 40 or 60',
    ]);
  });

  test('defaults: [100] under blue-green, [10, 25, 100] under canary; migration is optional and strict', () => {
    const { releaseSteps } = jest.requireActual(
      '../../lib/config/sections/release-rollout',
    ) as typeof import('../../lib/config/sections/release-rollout');
    const [bg] = loadEnvironments({ dir: envDir(), only: ['staging'] });
    expect(releaseSteps(bg)).toEqual([100]);
    expect(bg.release).toEqual({
      pauseSeconds: 60,
      bakeSeconds: 300,
      waitTimeoutSeconds: 1800,
      gates: { alarms: [], insufficientData: 'ok', smokeLive: false },
    });
    const [canary] = loadEnvironments({ dir: staging(['traffic', 'strategy'], 'canary'), only: ['staging'] });
    expect(releaseSteps(canary)).toEqual([10, 25, 100]);
    expect(
      configProblems(staging(['colors', 'green', 'release', 'migration'], { compatible: false }), ['staging'])[0],
    ).toMatch(/colors\.green\.release\.migration/);
  });
});

describe('release command line', () => {
  test('fails on unknown flags, a missing environment, a bad --wait-only color and combined modes, with exit 2', async () => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => void err.push(t) };
    expect(await releaseMain(['staging', '--bogus'], io)).toBe(ExitCode.USAGE);
    expect(await releaseMain([], io)).toBe(ExitCode.USAGE);
    expect(await releaseMain(['staging', '--wait-only', 'red'], io)).toBe(ExitCode.USAGE);
    expect(await releaseMain(['staging', '--rollback', '--resume'], io)).toBe(ExitCode.USAGE);
    expect(err.join('')).toMatch(
      /unknown option --bogus[\s\S]*which environment\?[\s\S]*--wait-only takes blue or green, got "red"[\s\S]*--rollback and --resume cannot be combined/,
    );
  });

  test('refuses invalid values with file, key path and reason (exit 2)', async () => {
    const { envDir, edited } = jest.requireActual('../support/env-dir') as typeof import('../support/env-dir');
    const dir = envDir({
      'staging.yaml': edited(
        'staging.yaml',
        'strategy: blue-green',
        'strategy: blue-green\nrelease:\n  steps: [100, 100]',
      ),
    });
    const err: string[] = [];
    const code = await releaseMain(['staging'], {
      cwd: path.dirname(dir),
      stdout: () => undefined,
      stderr: (t) => void err.push(t),
    });
    expect(code).toBe(ExitCode.USAGE);
    expect(err.join('')).toContain('environments/staging.yaml: release.steps[1]: steps must rise: 100 follows 100');
  });
});
