/**
 * `npm run checkov`: runs checkov (framework `terraform_json`) on every synthesized stack
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`) and fails on any failed check that `checkov-skips.yaml` does not
 * accept. Every accepted finding is printed with its reason; a skip that matches nothing is reported as stale.
 *
 * checkov is the one `.ci/run` installs into `.venv/` from `.ci/requirements.txt`; `--checkov <path>` or
 * `CHECKOV` picks another. checkov runs offline (no download of guidelines, no update check).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Exit codes of `npm run checkov`. */
export const CHECKOV_EXIT = {
  /** No failed check outside the skips. */
  ok: 0,
  /** A failed check outside the skips, or a stale skip on a full run. */
  failed: 1,
  /** Bad command line or a bad skips file. */
  usage: 2,
  /** checkov is not installed where looked for, or crashed. */
  noCheckov: 4,
} as const;

/** The checked-in skips file, relative to the repository root. */
export const SKIPS_FILE = 'checkov-skips.yaml';
/** Where `.ci/run` installs checkov, relative to the repository root. */
export const VENV_CHECKOV = '.venv/bin/checkov';
/** Markers around the generated skips table in README.md. */
export const README_MARKERS = { start: '<!-- checkov-skips:start -->', end: '<!-- checkov-skips:end -->' } as const;

const CHECK_ID = /^CKV2?_[A-Z]+_\d+$/;

const skipSchema = z
  .object({
    id: z.string().regex(CHECK_ID, 'must be a checkov check id such as CKV_AWS_123 or CKV2_AWS_12'),
    reason: z.string().trim().min(20, 'say why the finding is acceptable here (at least 20 characters)'),
    paths: z.array(z.string().min(1)).min(1).optional(),
    stacks: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
const skipsFileSchema = z.object({ skips: z.array(skipSchema) }).strict();

/** One accepted checkov finding. */
export type CheckovSkip = z.infer<typeof skipSchema>;

/** A bad skips file: the message names the file, the key path and the reason. */
export class SkipsFileError extends Error {}

/** Reads and validates a skips file; a {@link SkipsFileError} names file, key path and reason. */
export function loadSkips(file: string): CheckovSkip[] {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SkipsFileError(`${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const parsed = skipsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SkipsFileError(
      parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n'),
    );
  }
  const seen = new Map<string, number>();
  parsed.data.skips.forEach((s, i) => {
    const key = `${s.id} ${JSON.stringify(s.stacks ?? [])} ${JSON.stringify(s.paths ?? [])}`;
    if (seen.has(key)) throw new SkipsFileError(`${file}: skips.${i}: duplicates skips.${seen.get(key)} (${s.id})`);
    seen.set(key, i);
  });
  return parsed.data.skips;
}

/** `*` matches within one path segment, `**` across segments; everything else literally. */
export function globMatches(glob: string, value: string): boolean {
  const re = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((lit) => lit.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${re}$`).test(value);
}

/** One failed checkov check, located by stack and construct path. */
export interface CheckovFinding {
  /** Check id, e.g. `CKV_AWS_145`. */
  readonly id: string;
  /** checkov's title of the check. */
  readonly name: string;
  /** Stack name (the directory under `cdktf.out/stacks/`). */
  readonly stack: string;
  /** Construct path inside the stack (`access-logs/bucket`), or checkov's resource address when unknown. */
  readonly path: string;
  /** checkov's resource address. */
  readonly resource: string;
}

/** The first skip that accepts a finding, if any. */
export function matchingSkip(finding: CheckovFinding, skips: readonly CheckovSkip[]): CheckovSkip | undefined {
  return skips.find(
    (s) =>
      s.id === finding.id &&
      (!s.stacks || s.stacks.some((g) => globMatches(g, finding.stack))) &&
      (!s.paths || s.paths.some((g) => globMatches(g, finding.path))),
  );
}

/** Maps each logical id in a stack's JSON to its construct path without the stack name. */
function constructPaths(stackJson: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of ['resource', 'data'] as const) {
    const blocks =
      (stackJson as Record<string, Record<string, Record<string, { '//'?: { metadata?: { path?: string } } }>>>)[
        kind
      ] ?? {};
    for (const byName of Object.values(blocks)) {
      for (const [logicalId, block] of Object.entries(byName)) {
        const p = block?.['//']?.metadata?.path;
        if (typeof p === 'string') out.set(logicalId, p.split('/').slice(1).join('/'));
      }
    }
  }
  return out;
}

/** The result of one checkov run over some stacks. */
export interface CheckovRun {
  /** Failed checks no skip accepts. */
  readonly failed: readonly CheckovFinding[];
  /** Failed checks a skip accepts, with that skip. */
  readonly skipped: ReadonlyArray<{ finding: CheckovFinding; skip: CheckovSkip }>;
  /** Skips that accepted nothing. */
  readonly unused: readonly CheckovSkip[];
  /** Number of passed checks. */
  readonly passed: number;
}

/** Options of {@link runCheckov}. */
export interface RunCheckovOptions {
  /** The checkov executable. */
  readonly checkov: string;
  /** `cdk.tf.json` files, one per stack (the stack is the name of the directory holding it). */
  readonly files: readonly string[];
  /** Accepted findings. */
  readonly skips: readonly CheckovSkip[];
}

/** A checkov that is missing or did not produce a report. */
export class CheckovUnavailableError extends Error {}

/**
 * The files checkov scans, by the original file: the original itself, or, for a stack with `moved` blocks, a copy
 * without them in `scratch`. checkov 3.3.30's terraform_json parser fails on `moved` (a list of blocks in JSON:
 * "this method receives only dicts") and then reports the whole file as a parsing error; a `moved` block only says
 * where a resource's state came from and holds no configuration to check, so nothing checkable is left out.
 */
function filesToScan(files: readonly string[], scratch: string): Map<string, string> {
  const scanned = new Map<string, string>();
  for (const f of files) {
    const tf = JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
    if (!('moved' in tf)) {
      scanned.set(path.resolve(f), path.resolve(f));
      continue;
    }
    delete tf.moved;
    // Same stack directory name, so findings still name their stack.
    const copy = path.join(scratch, path.basename(path.dirname(f)), path.basename(f));
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.writeFileSync(copy, JSON.stringify(tf));
    scanned.set(copy, path.resolve(f));
  }
  return scanned;
}

/** Runs checkov once over all files and sorts its failed checks into failed and skipped. */
export function runCheckov(options: RunCheckovOptions): CheckovRun {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-'));
  try {
    return runCheckovOn(options, filesToScan(options.files, scratch));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function runCheckovOn(options: RunCheckovOptions, scanned: ReadonlyMap<string, string>): CheckovRun {
  const args = ['--framework', 'terraform_json', '--output', 'json', '--quiet', '--skip-download'];
  for (const f of scanned.keys()) args.push('--file', f);
  const res = spawnSync(options.checkov, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // Offline: no guideline download, no update check (both would try the network).
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CKV_SKIP_PACKAGE_UPDATE_CHECK: 'TRUE' },
  });
  if (res.error) {
    throw new CheckovUnavailableError(
      `cannot run ${options.checkov}: ${res.error.message}; install it with \`bash .ci/run\` (or pip install -r .ci/requirements.txt into .venv)`,
    );
  }
  // checkov exits 1 when a check failed; anything else without a JSON report is a crash.
  let report: unknown;
  try {
    report = JSON.parse(res.stdout);
  } catch {
    throw new CheckovUnavailableError(
      `${options.checkov} exited ${res.status} without a JSON report:\n${(res.stderr || res.stdout).trim().slice(-2000)}`,
    );
  }
  const reports = (Array.isArray(report) ? report : [report]) as Array<{
    summary?: { passed?: number; parsing_errors?: number };
    results?: {
      failed_checks?: Array<{
        check_id: string;
        check_name: string;
        resource: string;
        file_abs_path?: string;
        file_path: string;
      }>;
      parsing_errors?: string[];
    };
  }>;
  const pathsByFile = new Map(
    options.files.map((f) => [path.resolve(f), constructPaths(JSON.parse(fs.readFileSync(f, 'utf8')))]),
  );
  const failed: CheckovFinding[] = [];
  const skipped: Array<{ finding: CheckovFinding; skip: CheckovSkip }> = [];
  const used = new Set<CheckovSkip>();
  let passed = 0;
  for (const r of reports) {
    passed += r.summary?.passed ?? 0;
    const parseErrors = r.results?.parsing_errors ?? [];
    if ((r.summary?.parsing_errors ?? 0) > 0 || parseErrors.length > 0) {
      throw new CheckovUnavailableError(`checkov could not parse: ${parseErrors.join(', ') || 'some files'}`);
    }
    for (const c of r.results?.failed_checks ?? []) {
      const reported = path.resolve(c.file_abs_path ?? c.file_path);
      const file = scanned.get(reported) ?? reported;
      const logicalId = c.resource.split('.').pop() ?? c.resource;
      const finding: CheckovFinding = {
        id: c.check_id,
        name: c.check_name,
        stack: path.basename(path.dirname(file)),
        path: pathsByFile.get(file)?.get(logicalId) ?? c.resource,
        resource: c.resource,
      };
      const skip = matchingSkip(finding, options.skips);
      if (skip) {
        used.add(skip);
        skipped.push({ finding, skip });
      } else {
        failed.push(finding);
      }
    }
  }
  return { failed, skipped, passed, unused: options.skips.filter((s) => !used.has(s)) };
}

/** The README table of the skips (between {@link README_MARKERS}). */
export function renderSkipsTable(skips: readonly CheckovSkip[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const scope = (s: CheckovSkip) =>
    [
      s.stacks ? `stacks ${s.stacks.map((g) => `\`${g}\``).join(', ')}` : '',
      s.paths ? s.paths.map((g) => `\`${g}\``).join(', ') : '',
    ]
      .filter(Boolean)
      .join('; ') || 'everywhere';
  // Reasons are prose: emphasis markers and angle brackets print as written, not as Markdown or HTML.
  const prose = (s: string) =>
    cell(s).replace(/[*<>]/g, (c) => ({ '*': '\\*', '<': '&lt;', '>': '&gt;' })[c] as string);
  return [
    '| Check | Where | Reason |',
    '| --- | --- | --- |',
    ...skips.map((s) => `| ${s.id} | ${cell(scope(s))} | ${prose(s.reason)} |`),
  ].join('\n');
}

/** Replaces the table between {@link README_MARKERS} in a README text; throws when the markers are missing. */
export function withSkipsTable(readme: string, skips: readonly CheckovSkip[]): string {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start)
    throw new SkipsFileError(`README.md: markers ${README_MARKERS.start} … ${README_MARKERS.end} not found`);
  return `${readme.slice(0, start + README_MARKERS.start.length)}\n${renderSkipsTable(skips)}\n${readme.slice(end)}`;
}

const HELP = `Usage: npm run checkov -- [options] [stack...]

Runs checkov (terraform_json) on cdktf.out/stacks/<stack>/cdk.tf.json for the given stacks (default: all) and
fails on any failed check that ${SKIPS_FILE} does not accept. Run \`npx cdktf synth\` first.

Options:
  --out <dir>        synth output directory (default: cdktf.out)
  --skips <file>     skips file (default: ${SKIPS_FILE})
  --checkov <path>   checkov executable (default: $CHECKOV, else ${VENV_CHECKOV})
  --write-readme     rewrite the skips table in README.md from the skips file, then exit
  -h, --help         this text

Exit codes: 0 no failed check outside the skips; 1 failed checks (or, on a run over all stacks, a skip that
matched nothing); 2 bad command line or skips file; 4 checkov missing or crashed.
`;

/** The command line of `npm run checkov`; returns the exit code. */
export function checkovMain(
  argv: readonly string[],
  io: { stdout?: (t: string) => void; stderr?: (t: string) => void; cwd?: string } = {},
): number {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const cwd = io.cwd ?? process.cwd();
  let values: { out?: string; skips?: string; checkov?: string; 'write-readme'?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        skips: { type: 'string' },
        checkov: { type: 'string' },
        'write-readme': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    err(`checkov: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return CHECKOV_EXIT.usage;
  }
  if (values.help) {
    out(HELP);
    return CHECKOV_EXIT.ok;
  }
  const skipsFile = path.resolve(cwd, values.skips ?? SKIPS_FILE);
  let skips: CheckovSkip[];
  try {
    skips = loadSkips(skipsFile);
    if (values['write-readme']) {
      const readme = path.join(cwd, 'README.md');
      fs.writeFileSync(readme, withSkipsTable(fs.readFileSync(readme, 'utf8'), skips));
      out(`checkov: wrote ${skips.length} skips into README.md\n`);
      return CHECKOV_EXIT.ok;
    }
  } catch (e) {
    if (!(e instanceof SkipsFileError)) throw e;
    err(`checkov: ${e.message}\n`);
    return CHECKOV_EXIT.usage;
  }

  const stacksDir = path.resolve(cwd, values.out ?? 'cdktf.out', 'stacks');
  const available = fs.existsSync(stacksDir)
    ? fs
        .readdirSync(stacksDir)
        .filter((s) => fs.existsSync(path.join(stacksDir, s, 'cdk.tf.json')))
        .sort()
    : [];
  if (available.length === 0) {
    err(`checkov: no synthesized stacks in ${stacksDir}; run \`npx cdktf synth\` first\n`);
    return CHECKOV_EXIT.usage;
  }
  const unknown = positionals.filter((s) => !available.includes(s));
  if (unknown.length > 0) {
    err(
      `checkov: no synthesized stack ${unknown.map((s) => `"${s}"`).join(', ')} in ${stacksDir} (have: ${available.join(', ')})\n`,
    );
    return CHECKOV_EXIT.usage;
  }
  const stacks = positionals.length > 0 ? positionals : available;
  const checkov = values.checkov ?? process.env.CHECKOV ?? path.join(cwd, VENV_CHECKOV);

  let run: CheckovRun;
  try {
    run = runCheckov({ checkov, files: stacks.map((s) => path.join(stacksDir, s, 'cdk.tf.json')), skips });
  } catch (e) {
    if (!(e instanceof CheckovUnavailableError)) throw e;
    err(`checkov: ${e.message}\n`);
    return CHECKOV_EXIT.noCheckov;
  }
  for (const skip of skips) {
    const where = run.skipped.filter((s) => s.skip === skip).map(({ finding: f }) => `${f.stack}/${f.path}`);
    if (where.length > 0) out(`skipped ${skip.id} on ${where.join(', ')}: ${skip.reason}\n`);
  }
  for (const f of run.failed) out(`FAILED  ${f.id} ${f.stack} ${f.path} (${f.resource}): ${f.name}\n`);
  // A skip that accepts nothing on a run over every stack is dead weight that would hide a future finding.
  const stale = positionals.length === 0 ? run.unused : [];
  for (const s of stale)
    out(
      `STALE   ${s.id}${s.paths ? ` ${s.paths.join(',')}` : ''}${s.stacks ? ` in ${s.stacks.join(',')}` : ''}: matched no failed check; remove it from ${SKIPS_FILE}\n`,
    );
  out(
    `checkov: ${stacks.length} stacks, ${run.passed} passed, ${run.failed.length} failed, ${run.skipped.length} skipped with a reason${stale.length ? `, ${stale.length} stale skips` : ''}\n`,
  );
  return run.failed.length > 0 || stale.length > 0 ? CHECKOV_EXIT.failed : CHECKOV_EXIT.ok;
}

if (require.main === module) {
  try {
    process.exitCode = checkovMain(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`checkov: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  }
}
