/**
 * `npm run release -- <env> [options]`: the command line of {@link release}. Parses arguments with `node:util`
 * `parseArgs` (strict), runs the release, returns the exit code.
 */
import { defineCommand } from '../../cli/command';
import { UsageError } from '../../cli/errors';
import { COLORS, Color } from '../../config/sections/release';
import { release, ReleaseOptions } from './engine';

/** Where {@link releaseMain} writes and what it runs in: injectable for tests and embedding. */
export interface ReleaseIo {
  /**
   * Receives standard output.
   * @default - process.stdout
   */
  readonly stdout?: (text: string) => void;
  /**
   * Receives standard error.
   * @default - process.stderr
   */
  readonly stderr?: (text: string) => void;
  /**
   * Project directory.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Environment variables.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Replacements for the outside world (see {@link ReleaseOptions.ports}).
   * @default - the real commands and clouds
   */
  readonly ports?: ReleaseOptions['ports'];
}

/** `--help` text of `npm run release`. */
export const RELEASE_HELP = `Usage: npm run release -- <env> [options]
       npm run release -- <env> --wait-only <blue|green>
       npm run release -- <env> --rollback [--force]
       npm run release -- <env> --resume

Releases colors.<idle>.release of environments/<env>.yaml, the color with 0% of traffic:
  preflight  values valid; the idle color's deployed release differs (--force to redeploy it); the live
             listener applies the values' weights (else it stops and names the drift)
  deploy     npm run deploy -- <env>-<idle> (a deployment record is written)
  wait       the instance refresh (if one started) is Successful, every in-service instance runs the new
             launch template version, the target group has at least capacity.desired healthy targets
             (DigitalOcean: droplets active, preview load balancer active and serving them)
  smoke      the test listener (output test_url of <env>-cutover) answers 2xx containing the version
  steps      release.steps (default [100]; canary [10, 25, 100]): write the weights, deploy <env>-cutover,
             read them back from the listener, pause release.pauseSeconds, gates: the new color's alarms
             and release.gates.alarms must be OK
  bake       release.bakeSeconds with the gates watched; the old color keeps running
A failed gate rolls traffic back to the pre-release weights by itself. A release record (every step, weight,
gate reading and decision) is written to .deployments/<env>/<env>-release/ and archived like deploy records.

Options:
  --force                redeploy a release the idle color already runs; with --rollback, restore even
                         after an irreversible release
  --accept-irreversible  release a version declared migration.compatibleWithPrevious: false (straight to
                         100%, and a failed gate after the switch stops for an operator instead of rolling back)
  --wait-only <color>    only wait until <color> is ready (after a plain cdktf deploy)
  --rollback             restore the pre-release weights of the last release record
  --resume               continue an interrupted release from its step
  --outputs <file>       stack outputs (cdktf output --outputs-file) instead of running cdktf output
  --poll <seconds>       seconds between readings while waiting and baking (default 15)
  --bucket, --region, --endpoint, --shared-outputs, --path-style: where records go (as npm run deploy)
  -h, --help             this text

Ctrl-C / SIGTERM: forwarded to the running deploy, which stops gracefully; the values are left matching the
listener, the record says "interrupted at step N", and a second run refuses until --resume or --rollback.
Exit codes: 0 released (or ready, or restored), 2 bad input or refused in preflight (nothing changed),
3 missing credentials or an undeployed stack (nothing changed), 4 rolled back, 5 stopped before traffic moved, 6 needs an operator, 130/143 interrupted by SIGINT/SIGTERM.
`;

/** The CLI: parses `argv` (strict), runs {@link release}, returns the exit code (see the README's exit-code table). */
export const releaseMain = defineCommand<Promise<number>, ReleaseIo>({
  command: 'release',
  help: RELEASE_HELP,
  flags: {
    force: { type: 'boolean' },
    'accept-irreversible': { type: 'boolean' },
    'wait-only': { type: 'string' },
    rollback: { type: 'boolean' },
    resume: { type: 'boolean' },
    outputs: { type: 'string' },
    poll: { type: 'string' },
    bucket: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    'shared-outputs': { type: 'string' },
    'path-style': { type: 'boolean' },
  },
  run: async (args, io): Promise<number> => {
    const values = args.flags as ReleaseFlags;
    const positionals = [...args.positionals];
    const problem = usageProblem(values, positionals);
    if (problem) throw new UsageError(`${problem} (see --help)`);
    const result = await release({
      environment: positionals[0],
      cwd: io.cwd,
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      ports: io.ports,
      force: values.force,
      acceptIrreversible: values['accept-irreversible'],
      waitOnly: values['wait-only'] as Color | undefined,
      rollback: values.rollback,
      resume: values.resume,
      stackOutputsFile: values.outputs,
      pollSeconds: values.poll === undefined ? undefined : Number(values.poll),
      bucket: values.bucket,
      region: values.region,
      endpoint: values.endpoint,
      outputsFile: values['shared-outputs'],
      ...(values['path-style'] ? { pathStyle: true } : {}),
    });
    return result.exitCode;
  },
});

/** The flags of `release`, as parsed. */
interface ReleaseFlags {
  readonly force?: boolean;
  readonly 'accept-irreversible'?: boolean;
  readonly 'wait-only'?: string;
  readonly rollback?: boolean;
  readonly resume?: boolean;
  readonly outputs?: string;
  readonly poll?: string;
  readonly bucket?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly 'shared-outputs'?: string;
  readonly 'path-style'?: boolean;
}

/** What is wrong with the arguments, or `undefined`. */
function usageProblem(values: ReleaseFlags, positionals: string[]): string | undefined {
  if (positionals.length !== 1)
    return positionals.length === 0
      ? 'which environment? e.g. npm run release -- prod'
      : `expected one environment, got ${positionals.join(' ')}`;
  const wait = values['wait-only'];
  if (wait !== undefined && !(COLORS as readonly string[]).includes(wait))
    return `--wait-only takes blue or green, got "${wait}"`;
  const modes = [
    wait !== undefined && '--wait-only',
    values.rollback && '--rollback',
    values.resume && '--resume',
  ].filter(Boolean);
  if (modes.length > 1) return `${modes.join(' and ')} cannot be combined`;
  if (values.poll !== undefined && !/^[1-9]\d*$/.test(values.poll))
    return `--poll must be a whole number of seconds >= 1, got "${values.poll}"`;
  return undefined;
}
