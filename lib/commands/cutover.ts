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
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Document, isMap, isScalar, parseDocument, Scalar } from 'yaml';
import { ConfigError, EnvironmentConfig, formatIssue, loadEnvironments } from '../config';
import { DEFAULTS_FILE, listEnvironments, readValuesFile } from '../config/loader';
import { COLORS, Color } from '../config/sections/release';
import { irreversibleRollbackProblem } from '../config/sections/release-rollout';
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
  if (!(COLORS as readonly string[]).includes(color)) throw new UsageError(`color must be blue or green, got "${color}"`);
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new UsageError(`--weight must be a whole number from 0 to 100, got ${weight}`);

  const file = path.join(dir, `${environment}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.yaml$/.test(f) && f !== DEFAULTS_FILE).map((f) => f.slice(0, -5)) : [];
    throw new UsageError(`no values file ${file} (environments: ${known.join(', ') || 'none'})`);
  }
  const checked = readValuesFile(file); // the loader's limits (regular file, size, UTF-8, plain data) before anything else
  if (checked.issues.length > 0) throw new ConfigError(checked.issues.map((issue) => ({ ...issue, file })));
  const text = fs.readFileSync(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError([{ file, path: [], message: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` }]);
  if (!isMap(doc.contents)) throw new ConfigError([{ file, path: [], message: 'must be a YAML mapping of keys to values' }]);

  const all = loadAll(dir, environment, text);
  const current = all.get(environment)!;
  const before = { blue: current.traffic.blue, green: current.traffic.green };
  const after = { [color]: weight, [otherColor(color)]: 100 - weight } as Record<Color, number>;
  const irreversible = options.force ? undefined : irreversibleRollbackProblem(current, before, after);
  if (irreversible) throw new ConfigError([{ file, path: ['traffic', color], message: irreversible }]);
  const edited = setWeights(text, doc, after);
  const allAfter = loadAll(dir, environment, edited);
  const config = allAfter.get(environment)!;
  const strayChanges = changesBeyondWeights(all, allAfter, environment);
  if (strayChanges.length > 0) {
    throw new ConfigError(
      strayChanges.map((where) => ({
        file,
        path: ['traffic'],
        message: `setting the weights would also change ${where} (an anchor or alias shares the weight's value?); write traffic.blue and traffic.green as plain numbers`,
      })),
    );
  }
  const changed = edited !== text;
  if (changed && !options.dryRun) writeKeepingLinkAndMode(file, edited);
  return { file, before, after, changed, nextStack: stackName(environment, 'cutover'), config };
}

/**
 * Replaces a file's content atomically. A symlink is followed, so the link stays a link and its target gets the
 * new content; the new file keeps the old one's permission bits.
 */
function writeKeepingLinkAndMode(file: string, text: string): void {
  const target = fs.realpathSync(file);
  const mode = fs.statSync(target).mode & 0o7777;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode); // the umask may have narrowed the mode given at creation
  fs.renameSync(tmp, target);
}

/**
 * What differs between two parses of every environment other than `traffic.blue`/`traffic.green` of
 * `environment`, as `<env>: <key path>` (or `<env>` for an environment that appeared or disappeared).
 */
function changesBeyondWeights(before: ReadonlyMap<string, EnvironmentConfig>, after: ReadonlyMap<string, EnvironmentConfig>, environment: string): string[] {
  const out: string[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (!a || !b) {
      out.push(`environment ${name}`);
      continue;
    }
    const ignore = name === environment ? (p: string) => p === 'traffic.blue' || p === 'traffic.green' : () => false;
    for (const p of differingPaths(a, b)) if (!ignore(p)) out.push(`${name}: ${p}`);
  }
  return out;
}

/** Key paths (`a.b[0].c`) whose values differ between two plain values. */
function differingPaths(a: unknown, b: unknown, at = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return Object.is(a, b) ? [] : [at || '(root)'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differingPaths(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k));
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
 * Parses every environment of `dir` with the project loader, with `text` as `<environment>.yaml`, in a scratch
 * copy (symlinks followed) so nothing in `dir` is touched; problems are reported against the real file names.
 */
function loadAll(dir: string, environment: string, text: string): Map<string, EnvironmentConfig> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-'));
  try {
    for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      const from = path.join(dir, name);
      // Regular files are copied (symlinks followed); anything else is linked, for the loader to refuse unread.
      if (fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(scratch, name));
      else fs.symlinkSync(path.resolve(from), path.join(scratch, name));
    }
    fs.writeFileSync(path.join(scratch, `${environment}.yaml`), text);
    return new Map(loadEnvironments({ dir: scratch, only: listEnvironments(scratch) }).map((c) => [c.name, c]));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(e.issues.map((issue) => ({ ...issue, file: path.join(dir, path.basename(issue.file)) })));
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
    if (result.config.cloud === 'digitalocean' && result.config.digitalocean?.cutoverJoining === undefined) {
      // A one-step tag swap hands the live load balancer droplets it has never health-checked (README "DigitalOcean").
      stdout(
        'note: on DigitalOcean this one-step switch answers 503 until the new droplets pass the health check; for no ' +
          'outage, first set digitalocean.cutoverJoining to the new color and deploy, wait, then cut over (README "DigitalOcean").\n',
      );
    }
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
