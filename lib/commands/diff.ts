/**
 * `npm run diff`: compares the synthesized stacks of a base (a git ref, or an existing cdktf.out) with the
 * working tree, and the values files of both sides. The computation lives in `diff-compute.ts` (resources and
 * attributes), `diff-blast-radius.ts` (consumers across stacks, verdicts), `diff-release.ts` (release
 * consistency) and `diff-values.ts` (which values changed in which file); the Markdown in `diff-render.ts`. This
 * file runs both sides ({@link runDiff}) and holds the CLI ({@link diffMain}).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../cli/exit-codes';
import { stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { CommandIo } from '../cli/io';
import { diffSynth } from './diff-compute';
import { DiffReport } from './diff-model';
import { hasChanges, renderMarkdown } from './diff-render';
import { mergedValues, readValuesTree, valuesChanges, valuesDirAtRef } from './diff-values';
import { Log, readSynthOutput, StackJson, synthesizeProject, synthesizeRef, SynthOutputError } from './synth-output';

export { diffSynth, diffValues, trafficOf, formatWeights, DiffInputs } from './diff-compute';
export { renderMarkdown, hasChanges, RISK_TITLES } from './diff-render';
export {
  stackRole,
  DiffReport,
  StackDiff,
  ResourceChange,
  ResourceAction,
  AttributeChange,
  Risk,
  RiskKind,
  Consumer,
  BlastRadius,
  Verdict,
  ValuesChange,
  RISK_ORDER,
} from './diff-model';
export { valuesChanges, readValuesTree, mergedValues, ValuesTree } from './diff-values';
export { releaseFacts, releaseRisks, ReleaseFacts } from './diff-release';
export { describeChange, lineDiff, decodeUserData, changedMiddle, DiffLine } from './diff-text';

/** Exit codes of `npm run diff` (from the one table, `lib/cli/exit-codes.ts`). */
export const DIFF_EXIT = {
  /** Nothing flagged (changes may exist). */
  clean: ExitCode.OK,
  /** At least one risk flagged. */
  risks: ExitCode.FAILED,
  /** Bad command line, or a side that cannot be read or synthesized (nothing was compared). */
  usage: ExitCode.USAGE,
  /** The diff could not be computed (synth failed, unreadable output): bad input, nothing was compared. */
  error: ExitCode.USAGE,
} as const;

/** Options for {@link runDiff}. */
export interface DiffOptions {
  /**
   * Git ref to synthesize as the base (in a temporary worktree).
   * @default - none: give exactly one of `baseRef` and `baseOut`
   */
  readonly baseRef?: string;
  /**
   * An already synthesized base output directory (instead of `baseRef`).
   * @default - none: give exactly one of `baseRef` and `baseOut`
   */
  readonly baseOut?: string;
  /**
   * An already synthesized head output directory.
   * @default - the working tree is synthesized into its cdktf.out (as `cdktf synth` would)
   */
  readonly headOut?: string;
  /**
   * The base's values directory (`defaults.yaml` and `<env>.yaml`), for the values summary.
   * @default - with `baseRef`, the ref's `environments/`; with `baseOut`, none (no values summary)
   */
  readonly baseValues?: string;
  /**
   * The head's values directory.
   * @default - the project's `environments/` (the working tree's values)
   */
  readonly headValues?: string;
  /**
   * The project directory (holding cdktf.json).
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Progress lines.
   * @default - none
   */
  readonly log?: Log;
}

/** The result of {@link runDiff}. */
export interface DiffResult {
  /** The comparison. */
  readonly report: DiffReport;
  /** The Markdown summary. */
  readonly markdown: string;
  /** {@link DIFF_EXIT}.risks when anything is flagged, else clean. */
  readonly exitCode: number;
  /** The synthesized stacks of each side (for `plan --changed`). */
  readonly base: Map<string, StackJson>;
  /** The head's stacks. */
  readonly head: Map<string, StackJson>;
  /** Where the head's synthesized stacks are (`headOut`, or the project's cdktf.out after synthesizing it). */
  readonly headOut: string;
}

/** Synthesizes (or reads) both sides once each and compares them, values files included. */
export function runDiff(options: DiffOptions): DiffResult {
  const project = path.resolve(options.projectDir ?? process.cwd());
  const log = options.log ?? (() => {});
  if (!options.baseRef === !options.baseOut)
    throw new UsageError('give exactly one of --base <git-ref> or --base-out <dir>');
  const base = options.baseOut
    ? readSynthOutput(path.resolve(project, options.baseOut))
    : synthesizeRef(project, options.baseRef!, log);
  const synthesized = options.headOut ? undefined : synthesizeProject(project, 'working tree', log);
  const headOut = synthesized?.outdir ?? path.resolve(project, options.headOut!);
  const head = synthesized?.stacks ?? readSynthOutput(headOut);
  const refValues = !options.baseValues && options.baseRef ? valuesDirAtRef(project, options.baseRef) : undefined;
  const baseValues = options.baseValues ? path.resolve(project, options.baseValues) : refValues;
  const headValues = options.headValues
    ? path.resolve(project, options.headValues)
    : path.join(project, 'environments');
  const headTree = headValues && fs.existsSync(headValues) ? readValuesTree(headValues) : undefined;
  const baseTree = baseValues && fs.existsSync(baseValues) ? readValuesTree(baseValues) : undefined;
  if (refValues) fs.rmSync(refValues, { recursive: true, force: true });
  const report = diffSynth(base, head, {
    labels: { base: options.baseRef ?? options.baseOut!, head: options.headOut ?? 'working tree' },
    values: baseTree && headTree ? valuesChanges(baseTree, headTree) : [],
    headValues: headTree ? mergedValues(headTree) : undefined,
  });
  return {
    report,
    markdown: renderMarkdown(report),
    exitCode: report.risks.length > 0 ? DIFF_EXIT.risks : DIFF_EXIT.clean,
    base,
    head,
    headOut,
  };
}

/** What `--markdown` holds when nothing changed (stdout stays empty). */
export const NO_CHANGES = 'No infrastructure or values changes.\n';

/** `npm run diff -- --help`. */
export const DIFF_HELP = `Usage: npm run diff -- (--base <git-ref> | --base-out <dir>) [options]

Compares the synthesized stacks and the values of a base with the working tree: which values changed in which
file, resources added, removed and changed with attribute-level detail, each replacement with its blast radius
across stacks and whether it deploys safely, in order, only with downtime or not at all, release consistency,
and risk flags (stateful removal or replacement, a change to the live color's fleet, a traffic change, a backend
change, a new suppression).

  --base <git-ref>     synthesize this ref in a temporary git worktree (node_modules linked from here)
  --base-out <dir>     use an already synthesized cdktf.out as the base
  --head-out <dir>     use an already synthesized cdktf.out as the head (default: synthesize the working
                       tree into its cdktf.out, as cdktf synth does)
  --markdown <file>    also write the Markdown summary to <file>
  --json <file>        also write the JSON report to <file>
  --base-values <dir>  the base's values directory, for the values summary (default: the ref's
                       environments/ with --base; none with --base-out)
  --head-values <dir>  the head's values directory (default: environments/)
  --format md|json     what to print on stdout (default: md)
  -h, --help           this text

SYNTH_ENVS=<env,...> limits synthesis on both sides. Exit codes: 0 nothing flagged (and nothing printed when
nothing changed), 1 risks flagged, 2 bad arguments or a side that cannot be read or synthesized.
`;

/** The CLI: parses `argv`, runs the diff, prints and writes the outputs, returns the exit code. */
export const diffMain = defineCommand<number, CommandIo & { cwd?: string }>({
  command: 'diff',
  synchronous: true,
  help: DIFF_HELP,
  flags: {
    base: { type: 'string' },
    'base-out': { type: 'string' },
    'head-out': { type: 'string' },
    'base-values': { type: 'string' },
    'head-values': { type: 'string' },
    markdown: { type: 'string' },
    json: { type: 'string' },
    format: { type: 'string' },
  },
  run: (args, io): number => {
    const { stdout, stderr } = io;
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (see --help)`);
    const format = stringFlag(args, 'format') ?? 'md';
    if (format !== 'md' && format !== 'json') throw new UsageError(`--format must be md or json, got "${format}"`);
    let result: DiffResult;
    try {
      result = runDiff({
        baseRef: stringFlag(args, 'base'),
        baseOut: stringFlag(args, 'base-out'),
        headOut: stringFlag(args, 'head-out'),
        baseValues: stringFlag(args, 'base-values'),
        headValues: stringFlag(args, 'head-values'),
        projectDir: io.cwd,
        log: (line) => stderr(`diff: ${line}\n`),
      });
    } catch (e) {
      if (!(e instanceof SynthOutputError)) throw e;
      stderr(`diff: ${e.message}\n`);
      return DIFF_EXIT.error;
    }
    const json = JSON.stringify(result.report, null, 2) + '\n';
    const md = stringFlag(args, 'markdown');
    if (md) fs.writeFileSync(md, result.markdown || NO_CHANGES);
    const js = stringFlag(args, 'json');
    if (js) fs.writeFileSync(js, json);
    // Nothing changed: nothing to say (the files above are still written, for CI steps that read them).
    if (!hasChanges(result.report)) return result.exitCode;
    stdout(format === 'json' ? json : result.markdown);
    stderr(
      `diff: ${result.report.risks.length} risk(s) flagged${result.report.risks.length ? ` (exit ${DIFF_EXIT.risks})` : ''}\n`,
    );
    return result.exitCode;
  },
});
