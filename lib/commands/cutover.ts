/**
 * `npm run cutover -- <env> <color> [--weight N]`: moves live traffic by editing `traffic` in
 * `environments/<env>.yaml` (comments and formatting kept), validates the result with the project's loader
 * before anything is written, and prints the one stack to deploy next: `<env>-cutover`.
 *
 * The edit is refused unless, with every environment parsed again, nothing changed but the two weights of the one
 * environment (an anchor on a weight, for example, would carry the edit elsewhere). A values file that is a
 * symlink stays one (its target is rewritten), and the file keeps its mode.
 *
 * Without `--weight` the color gets 100% and the other 0% (blue-green, hard-cutover, rolling, or the end of a
 * canary). `--weight N` gives the color N% and the other the rest, which only strategy `canary` allows. A rollback
 * is a cutover back to the previous color.
 */
import { Document } from 'yaml';
import * as path from 'path';
import { ConfigError, EnvironmentConfig, formatIssue, loadEnvironments } from '../config';
import { valuesFilesOf } from '../config/loader';
import { COLORS, Color } from '../config/sections/release';
import { irreversibleRollbackProblem } from '../config/sections/release-rollout';
import { otherColor } from '../config/sections/traffic';
import { stackName } from '../../stacks/contract';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { commandLine } from '../cli/invocation';
import { editValuesFile, setValues } from './values-edit';

/** Options for {@link cutover}. */
export interface CutoverOptions {
  /** Environment name (`environments/<env>.yaml`). */
  readonly environment: string;
  /** The color that receives traffic. */
  readonly color: Color;
  /**
   * Percent of traffic for `color` (the other color gets the rest).
   * @default 100
   */
  readonly weight?: number;
  /**
   * Directory of the values files.
   * @default 'environments'
   */
  readonly dir?: string;
  /**
   * Validate and report, but do not write the file.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Move traffic back to an older release even though the newer one declared `migration.compatibleWithPrevious:
   * false` (its data may not be readable by the older release).
   * @default false
   */
  readonly force?: boolean;
}

/** What {@link cutover} did. */
export interface CutoverResult {
  /** The values file edited. */
  readonly file: string;
  /** Weights before the change. */
  readonly before: Readonly<Record<Color, number>>;
  /** Weights after the change. */
  readonly after: Readonly<Record<Color, number>>;
  /** True when the file was (or, in a dry run, would be) changed. */
  readonly changed: boolean;
  /** The stack to deploy next, `<env>-cutover`. */
  readonly nextStack: string;
  /** The environment's values after the change. */
  readonly config: EnvironmentConfig;
}

/**
 * Sets the traffic weights of one environment in its values file, keeping comments and formatting, after
 * validating the edited values with the loader. Nothing is written when validation fails.
 *
 * @throws UsageError for bad arguments; ConfigError (with the file, key path and reason) for invalid results
 */
export function cutover(options: CutoverOptions): CutoverResult {
  const dir = options.dir ?? 'environments';
  const { environment, color } = options;
  const weight = options.weight ?? 100;
  if (!/^[a-z][a-z0-9-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name`);
  if (!(COLORS as readonly string[]).includes(color))
    throw new UsageError(`color must be blue or green, got "${color}"`);
  if (!Number.isInteger(weight) || weight < 0 || weight > 100)
    throw new UsageError(`--weight must be a whole number from 0 to 100, got ${weight}`);

  const after = { [color]: weight, [otherColor(color)]: 100 - weight } as Record<Color, number>;
  if (!options.force && valuesFilesOf(dir, environment).length > 0) {
    // Moving traffic back to an older release after an irreversible one: refused before anything is edited.
    const [current] = loadEnvironments({ dir, only: [environment] });
    const irreversible = irreversibleRollbackProblem(current, current.traffic, after);
    if (irreversible)
      throw new ConfigError([
        {
          file: valuesFilesOf(dir, environment)[0] ?? path.join(dir, `${environment}.yaml`),
          path: ['traffic', color],
          message: irreversible,
        },
      ]);
  }
  const result = editValuesFile({
    dir,
    environment,
    edits: COLORS.map((c) => ({ path: ['traffic', c], value: after[c] })),
    what: 'setting the weights',
    issuePath: ['traffic'],
    strayFix: "(an anchor or alias shares the weight's value?); write traffic.blue and traffic.green as plain numbers",
    dryRun: options.dryRun,
  });
  const { file, changed, after: config } = result;
  const before = { blue: result.before.traffic.blue, green: result.before.traffic.green };
  return { file, before, after, changed, nextStack: stackName(environment, 'cutover'), config };
}

/**
 * Writes the weights into the values text: only their scalars are replaced where they are spelled out, so every
 * other byte stays as it was (see {@link setValues}).
 */
export function setWeights(text: string, doc: Document.Parsed, weights: Readonly<Record<Color, number>>): string {
  return setValues(
    text,
    doc,
    COLORS.map((color) => ({ path: ['traffic', color], value: weights[color] })),
  );
}

/** `--help` text of `npm run cutover`. */
export const CUTOVER_HELP = `Usage: npm run cutover -- <env> <blue|green> [--weight N] [--dir environments] [--dry-run]

Moves live traffic to a color by editing traffic.blue/traffic.green in environments/<env>.yaml (comments and
formatting kept), validates the values (capacity of the color, strategy, test listener) before writing, and
prints the one stack to deploy next: <env>-cutover.

  <color>        the color that gets the traffic
  --weight N     give the color N% and the other 100-N% (splits need traffic.strategy: canary); default 100
  --dir D        directory of the values files (default: environments)
  --dry-run      validate and show the change, write nothing

Roll back by cutting over to the previous color: it still runs the previous release.
Exit codes: 0 done (or nothing to change), 1 the result would be invalid (nothing written), 2 bad arguments or
unknown environment (nothing written).
`;

/** The CLI: parses arguments, runs {@link cutover}, prints the outcome; returns the exit code. */
export const cutoverMain = defineCommand({
  command: 'cutover',
  synchronous: true,
  help: CUTOVER_HELP,
  flags: { weight: { type: 'string' }, dir: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  run: (args, io): number => {
    const rest = args.positionals;
    if (rest.length !== 2) {
      throw new UsageError(
        `expected <env> <color>, e.g. ${commandLine('cutover', ['prod', 'blue'], io)} (got ${rest.length === 0 ? 'nothing' : rest.join(' ')}; see --help)`,
      );
    }
    const weightText = stringFlag(args, 'weight');
    if (weightText !== undefined && !/^\d+$/.test(weightText))
      throw new UsageError(`--weight must be a whole number from 0 to 100, got "${weightText}"`);
    const dryRun = args.flags['dry-run'] === true;
    let result: CutoverResult;
    try {
      result = cutover({
        environment: rest[0],
        color: rest[1] as Color,
        weight: weightText === undefined ? undefined : Number(weightText),
        dir: stringFlag(args, 'dir'),
        dryRun,
      });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // The values are fine as they are; the change asked for would make them invalid: a refused outcome, not a usage error.
      io.stderr(`cutover: refused, nothing written:\n${e.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
      return ExitCode.FAILED;
    }
    const show = (w: Record<Color, number>) => `blue ${w.blue}% / green ${w.green}%`;
    if (!result.changed) {
      io.stdout(`${result.file}: traffic is already ${show(result.after)}; nothing to change.\n`);
      return ExitCode.OK;
    }
    const strategy = result.config.traffic.strategy;
    io.stdout(`${result.file}: traffic ${show(result.before)} -> ${show(result.after)} (strategy ${strategy})\n`);
    io.stdout(dryRun ? 'dry run: nothing written.\n' : `wrote ${result.file}\n`);
    io.stdout(
      `next: deploy ${result.nextStack} (the only stack this changes): ${commandLine('deploy', [result.nextStack], io)}\n`,
    );
    if (result.config.cloud === 'digitalocean' && result.config.digitalocean?.cutoverJoining === undefined) {
      // A one-step tag swap hands the live load balancer droplets it has never health-checked (README "DigitalOcean").
      io.stdout(
        'note: on DigitalOcean this one-step switch answers 503 until the new droplets pass the health check; for no ' +
          'outage, first set digitalocean.cutoverJoining to the new color and deploy, wait, then cut over (README "DigitalOcean").\n',
      );
    }
    return ExitCode.OK;
  },
});
