/**
 * `npm run cutover -- <env> <color> [--weight N]`: moves live traffic by editing `traffic` in
 * `environments/<env>.yaml` (comments and formatting kept), validates the result with the project's loader
 * before anything is written, and prints the one stack to deploy next: `<env>-cutover`.
 *
 * Without `--weight` the color gets 100% and the other 0% (blue-green, hard-cutover, rolling, or the end of a
 * canary). `--weight N` gives the color N% and the other the rest, which only strategy `canary` allows. A rollback
 * is a cutover back to the previous color.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Document, isMap, isScalar, parseDocument, Scalar } from 'yaml';
import { ConfigError, EnvironmentConfig, formatIssue, loadEnvironments } from '../config';
import { DEFAULTS_FILE } from '../config/loader';
import { COLORS, Color } from '../config/sections/release';
import { otherColor } from '../config/sections/traffic';
import { stackName } from '../../stacks/contract';
import { UsageError } from './archive-target';
import { parseFlags, stringFlag, writers } from './cli-flags';

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
  if (!(COLORS as readonly string[]).includes(color)) throw new UsageError(`color must be blue or green, got "${color}"`);
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new UsageError(`--weight must be a whole number from 0 to 100, got ${weight}`);

  const file = path.join(dir, `${environment}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.yaml$/.test(f) && f !== DEFAULTS_FILE).map((f) => f.slice(0, -5)) : [];
    throw new UsageError(`no values file ${file} (environments: ${known.join(', ') || 'none'})`);
  }
  const text = fs.readFileSync(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError([{ file, path: [], message: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` }]);
  if (!isMap(doc.contents)) throw new ConfigError([{ file, path: [], message: 'must be a YAML mapping of keys to values' }]);

  const current = validate(dir, environment, text, file);
  const before = { blue: current.traffic.blue, green: current.traffic.green };
  const after = { [color]: weight, [otherColor(color)]: 100 - weight } as Record<Color, number>;
  const edited = setWeights(text, doc, after);
  const config = validate(dir, environment, edited, file);
  const changed = edited !== text;
  if (changed && !options.dryRun) {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, edited);
    fs.renameSync(tmp, file);
  }
  return { file, before, after, changed, nextStack: stackName(environment, 'cutover'), config };
}

/**
 * Writes the weights into the values text. Where `traffic.blue`/`traffic.green` are spelled out, only their
 * scalars are replaced in the source text, so every other byte (comments, alignment, flow style) stays as it
 * was; when the file does not set them yet, they are added through the YAML document (comments kept).
 */
export function setWeights(text: string, doc: Document.Parsed, weights: Readonly<Record<Color, number>>): string {
  const spots = COLORS.map((color) => ({ color, node: doc.getIn(['traffic', color], true) }));
  if (spots.every((s) => isScalar(s.node) && s.node.range)) {
    let out = text;
    const ordered = [...spots].sort((a, b) => (b.node as Scalar).range![0] - (a.node as Scalar).range![0]);
    for (const { color, node } of ordered) {
      const [start, end] = (node as Scalar).range!;
      out = out.slice(0, start) + String(weights[color]) + out.slice(end);
    }
    return out;
  }
  for (const color of COLORS) doc.setIn(['traffic', color], weights[color]);
  return doc.toString();
}

/**
 * Validates one environment's values text (overlaid on the directory's defaults) with the project loader, in a
 * scratch copy so nothing in `dir` is touched; problems are reported against the real file names.
 */
function validate(dir: string, environment: string, text: string, file: string): EnvironmentConfig {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-'));
  try {
    const defaults = path.join(dir, DEFAULTS_FILE);
    if (fs.existsSync(defaults)) fs.copyFileSync(defaults, path.join(scratch, DEFAULTS_FILE));
    fs.writeFileSync(path.join(scratch, `${environment}.yaml`), text);
    return loadEnvironments({ dir: scratch, only: [environment] })[0];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(
      e.issues.map((issue) => ({
        ...issue,
        file: path.basename(issue.file) === DEFAULTS_FILE ? path.join(dir, DEFAULTS_FILE) : file,
      })),
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
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
Exit codes: 0 done (or nothing to change), 1 the result would be invalid (nothing written), 2 bad arguments.
`;

/** The CLI: parses arguments, runs {@link cutover}, prints the outcome; returns the exit code. */
export function cutoverMain(
  argv: readonly string[],
  io: { stdout?: (t: string) => void; stderr?: (t: string) => void } = {},
): number {
  const { stdout, stderr } = writers(io);
  try {
    const { flags, rest } = parseFlags(argv, { values: ['weight', 'dir'], switches: ['help', 'dry-run'] });
    if (flags.help) {
      stdout(CUTOVER_HELP);
      return 0;
    }
    const unknown = rest.find((a) => a.startsWith('-'));
    if (unknown) throw new UsageError(`unknown option ${unknown} (see --help)`);
    if (rest.length !== 2) throw new UsageError(`expected <env> <color>, e.g. npm run cutover -- prod blue (got ${rest.length === 0 ? 'nothing' : rest.join(' ')}; see --help)`);
    const weightText = stringFlag(flags, 'weight');
    if (weightText !== undefined && !/^\d+$/.test(weightText)) throw new UsageError(`--weight must be a whole number from 0 to 100, got "${weightText}"`);
    const result = cutover({
      environment: rest[0],
      color: rest[1] as Color,
      weight: weightText === undefined ? undefined : Number(weightText),
      dir: stringFlag(flags, 'dir'),
      dryRun: flags['dry-run'] === true,
    });
    const show = (w: Record<Color, number>) => `blue ${w.blue}% / green ${w.green}%`;
    if (!result.changed) {
      stdout(`${result.file}: traffic is already ${show(result.after)}; nothing to change.\n`);
      return 0;
    }
    const strategy = result.config.traffic.strategy;
    stdout(`${result.file}: traffic ${show(result.before)} -> ${show(result.after)} (strategy ${strategy})\n`);
    stdout(flags['dry-run'] ? 'dry run: nothing written.\n' : `wrote ${result.file}\n`);
    stdout(`next: deploy ${result.nextStack} (the only stack this changes): npm run deploy -- ${result.nextStack}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      stderr(`cutover: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      stderr(`cutover: refused, nothing written:\n${e.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
      return 1;
    }
    throw e;
  }
}
