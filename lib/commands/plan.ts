/**
 * `npm run plan`: runs `terraform plan` for the given stacks (or for those whose synthesized JSON differs from a
 * base), saves each plan as `plan.tfplan` (Terraform's binary plan, which embeds state: owner-only, never uploaded
 * or archived) and a redacted summary as `plan-summary.json` next to the stack, and fails on any delete of a
 * stateful resource and on any replace or delete in `<env>-shared` (unless allowed with a written reason). The raw
 * `terraform show -json` (sensitive values in clear text) is never written.
 *
 * Offline checks run first and always: the guardrail pack over each stack's JSON and, with a base, the diff's
 * stateful removals and replacements and the shared-stack gate. Then, without Terraform, without credentials, or
 * without access to the provider registry, it says exactly that and exits 3 (a missing prerequisite).
 *
 * The steps live in their own modules: `plan-prerequisites.ts` (terraform, credentials, error classes),
 * `plan-gate.ts` (stateful deletes, the shared gate), `plan-summary.ts` (the redacted summary).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../cli/exit-codes';
import { formatFinding, PolicyPack } from '../policy/pack';
import { booleanFlag, stringFlag } from '../cli/args';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { DiffReport, runDiff } from './diff';
import {
  allowanceReasonProblem,
  formatSharedChange,
  SharedChange,
  sharedChangesInDiff,
  sharedChangesInPlan,
  SharedReplaceAllowance,
  statefulDeletes,
} from './plan-gate';
import {
  classifyTerraformError,
  cloudsOf,
  findExecutable,
  localStateInCi,
  missingCredentials,
  missingSpacesCredentials,
} from './plan-prerequisites';
import { PlanSummary, summarizePlan } from './plan-summary';
import { STATEFUL_TYPES } from './resource-knowledge';
import { Log, readSynthOutput, StackJson, synthesizeProject, SynthOutputError } from './synth-output';

export {
  statefulDeletes,
  StatefulDelete,
  sharedChangesInDiff,
  sharedChangesInPlan,
  SharedChange,
  SharedReplaceAllowance,
  MIN_ALLOWANCE_REASON_LENGTH,
} from './plan-gate';
export {
  findExecutable,
  cloudsOf,
  missingCredentials,
  isCi,
  localStateInCi,
  missingSpacesCredentials,
  classifyTerraformError,
} from './plan-prerequisites';

/** Exit codes of `npm run plan` (from the one table, `lib/cli/exit-codes.ts`). */
export const PLAN_EXIT = {
  /** Every plan was made; nothing stateful is deleted and nothing in a shared stack replaced (or it was allowed). */
  ok: ExitCode.OK,
  /** A check failed: guardrail violation, stateful removal, shared replacement, stateful delete in a plan, or a Terraform error. */
  failed: ExitCode.FAILED,
  /** Bad command line. */
  usage: ExitCode.USAGE,
  /** `terraform` is not on PATH. */
  noTerraform: ExitCode.PREREQUISITE,
  /** No credentials for a cloud the stacks use (or the cloud rejected them). */
  noCredentials: ExitCode.PREREQUISITE,
  /** The provider registry (registry.terraform.io) cannot be reached, so providers cannot be installed. */
  registryUnreachable: ExitCode.PREREQUISITE,
} as const;

/** Names of the saved plan files inside `cdktf.out/stacks/<stack>/`. */
export const PLAN_FILE = 'plan.tfplan';
/** The redacted summary of {@link PLAN_FILE} (see `plan-summary.ts`): the only rendering of a plan written to disk. */
export const PLAN_SUMMARY_FILE = 'plan-summary.json';
/** Where earlier versions wrote the raw `terraform show -json`; removed when found, since it holds secrets. */
export const LEGACY_PLAN_JSON_FILE = 'plan.json';

/** Options for {@link plan}. */
export interface PlanOptions {
  /**
   * Stacks to plan.
   * @default - every synthesized stack (or, with `changed`, the changed ones)
   */
  readonly stacks?: readonly string[];
  /**
   * Plan only the stacks whose synthesized JSON differs from the base (`baseRef` or `baseOut`).
   * @default false
   */
  readonly changed?: boolean;
  /**
   * Git ref of the base, for `changed` and the offline stateful-removal check.
   * @default - no base (then `changed` is not allowed)
   */
  readonly baseRef?: string;
  /**
   * Already synthesized base output, instead of `baseRef`.
   * @default - no base (see `baseRef`)
   */
  readonly baseOut?: string;
  /**
   * The JSON report of an earlier `npm run diff` (`--json`), instead of a base: no second synthesis.
   * @default - no report (see `baseRef`)
   */
  readonly diffJson?: string;
  /**
   * Already synthesized output to plan.
   * @default - the working tree is synthesized into its cdktf.out first
   */
  readonly out?: string;
  /**
   * Project directory.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Environment for the credential checks and Terraform (PATH, credentials).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Skip the credentials check, for credentials the check cannot see (an EC2 instance profile, a credential
   * process); Terraform still reports missing or rejected credentials (exit 3).
   * @default false
   */
  readonly skipCredentialCheck?: boolean;
  /**
   * Resource types whose delete fails the plan.
   * @default STATEFUL_TYPES
   */
  readonly statefulTypes?: ReadonlySet<string>;
  /**
   * Allow replaces and deletes in `<env>-shared`, with a written reason (what is replaced, why, the deploy order);
   * the shared stack's `plan-summary.json` keeps the reason and what it allowed.
   * @default - any replace or delete in a shared stack fails the plan
   */
  readonly allowSharedReplace?: string;
  /**
   * Progress and results, line by line.
   * @default - stderr
   */
  readonly log?: Log;
}

/** The result of {@link plan}. */
export interface PlanResult {
  /** One of {@link PLAN_EXIT}. */
  readonly exitCode: number;
  /** Stacks selected. */
  readonly stacks: readonly string[];
  /** Stacks whose plan was saved, with whether the plan has changes. */
  readonly planned: ReadonlyArray<{ readonly stack: string; readonly changes: boolean; readonly dir: string }>;
  /** Problems found (one line each). */
  readonly problems: readonly string[];
  /** Replaces and deletes in shared stacks that `allowSharedReplace` allowed, with its reason. */
  readonly allowance?: SharedReplaceAllowance;
}

/** What to plan: the synthesized head, where it is, the diff against the base (when there is one), the stacks. */
interface Selection {
  readonly outdir: string;
  readonly head: Map<string, StackJson>;
  readonly diff?: DiffReport;
  readonly stacks: string[];
}

function select(options: PlanOptions, project: string, log: Log): Selection {
  const hasBase = Boolean(options.baseRef || options.baseOut || options.diffJson);
  if (options.changed && !hasBase)
    throw new UsageError('--changed needs --base <git-ref>, --base-out <dir> or --diff-json <file>');
  let outdir: string;
  let head: Map<string, StackJson>;
  let diff: DiffReport | undefined;
  if (options.diffJson) {
    diff = readDiffReport(path.resolve(project, options.diffJson));
    outdir = path.resolve(project, options.out ?? 'cdktf.out');
    head = readSynthOutput(outdir);
  } else if (hasBase) {
    const result = runDiff({
      baseRef: options.baseRef,
      baseOut: options.baseOut,
      headOut: options.out,
      projectDir: project,
      log: (l) => log(`plan: ${l}`),
    });
    diff = result.report;
    outdir = result.headOut;
    head = result.head;
  } else if (options.out) {
    outdir = path.resolve(project, options.out);
    head = readSynthOutput(outdir);
  } else {
    const synth = synthesizeProject(project, 'working tree', (l) => log(`plan: ${l}`));
    outdir = synth.outdir;
    head = synth.stacks;
  }
  let stacks: string[];
  if (options.stacks && options.stacks.length > 0) {
    const unknown = options.stacks.filter((s) => !head.has(s));
    if (unknown.length > 0)
      throw new UsageError(
        `no synthesized stack named ${unknown.join(', ')} in ${outdir} (have: ${[...head.keys()].join(', ')})`,
      );
    stacks = [...options.stacks];
  } else if (options.changed && diff) {
    stacks = diff.stacks.filter((s) => s.status === 'added' || s.status === 'changed').map((s) => s.stack);
    const removed = diff.stacks.filter((s) => s.status === 'removed').map((s) => s.stack);
    if (removed.length > 0)
      log(`plan: stacks removed since the base (destroy them deliberately; not planned here): ${removed.join(', ')}`);
  } else {
    stacks = [...head.keys()];
  }
  log(
    `plan: ${stacks.length} stack(s) to plan${options.changed ? ' (changed since the base)' : ''}: ${stacks.join(', ') || 'none'}`,
  );
  return { outdir, head, diff, stacks };
}

/**
 * The shared gate: replaces and deletes in shared stacks become problems, unless `reason` allows them (then they
 * are logged and added to `allowed`).
 */
function gateShared(
  changes: readonly SharedChange[],
  reason: string | undefined,
  problems: string[],
  allowed: SharedChange[],
  log: Log,
): void {
  for (const c of changes) {
    if (reason !== undefined) {
      allowed.push(c);
      log(`  allowed (--allow-shared-replace "${reason}"): ${formatSharedChange(c)}`);
    } else {
      problems.push(
        `${formatSharedChange(c)}: it reaches every stack of the environment; review the diff's blast radius, then allow it with --allow-shared-replace "<reason>"`,
      );
    }
  }
}

/** Runs the offline checks, then Terraform, for the selected stacks. */
export function plan(options: PlanOptions = {}): PlanResult {
  const project = path.resolve(options.projectDir ?? process.cwd());
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const reason = options.allowSharedReplace;
  if (reason !== undefined && allowanceReasonProblem(reason)) throw new UsageError(allowanceReasonProblem(reason)!);
  const problems: string[] = [];
  const allowed: SharedChange[] = [];
  const allowance = () => (allowed.length > 0 ? { allowance: { reason: reason!, changes: allowed } } : {});
  const fail = (code: number, stacks: string[], planned: PlanResult['planned'] = []) => ({
    exitCode: code,
    stacks,
    planned,
    problems,
    ...allowance(),
  });

  // 1. What to plan.
  const { outdir, head, diff, stacks } = select(options, project, log);

  // 2. Offline checks.
  const pack = new PolicyPack();
  const report = pack.checkSynthesized(Object.fromEntries(stacks.map((s) => [s, head.get(s)!])));
  log(
    `plan: offline check: guardrails (${report.rules} rules): ${report.violations.length} violation(s), ${report.suppressed.length} suppressed`,
  );
  for (const f of report.violations) problems.push(formatFinding(f));
  const localInCi = stacks.map((s) => localStateInCi(s, head.get(s)!, env)).filter((m): m is string => Boolean(m));
  problems.push(...localInCi);
  if (diff) {
    const removals = diff.risks.filter(
      (r) => (r.kind === 'stateful-removal' || r.kind === 'stateful-replacement') && stacks.includes(r.stack),
    );
    log(`plan: offline check: stateful removals or replacements since the base: ${removals.length}`);
    for (const r of removals) problems.push(`${r.stack} ${r.path ?? r.address ?? ''} ${r.kind}: ${r.message}`);
    const shared = sharedChangesInDiff(diff, stacks);
    log(`plan: offline check: replaces or deletes in shared stacks since the base: ${shared.length}`);
    gateShared(shared, reason, problems, allowed, log);
  }
  for (const p of problems) log(`  ${p}`);
  const offlineFailed = problems.length > 0;
  if (offlineFailed) log('plan: offline checks FAILED');
  else log('plan: offline checks passed');
  const offlineVerdict = offlineFailed ? 'the offline checks failed (above)' : 'the offline checks passed';
  if (stacks.length === 0) return fail(offlineFailed ? PLAN_EXIT.failed : PLAN_EXIT.ok, stacks);
  if (localInCi.length > 0) {
    log('plan: refusing to plan against local state in CI (no terraform step ran)');
    return fail(PLAN_EXIT.failed, stacks);
  }

  // 3. Terraform and credentials.
  const terraform = env.TERRAFORM_BIN ?? findExecutable('terraform', env.PATH);
  if (!terraform) {
    log(
      `plan: terraform not found on PATH; cannot make plans (${offlineVerdict}). Install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) or set TERRAFORM_BIN.`,
    );
    return fail(offlineFailed ? PLAN_EXIT.failed : PLAN_EXIT.noTerraform, stacks);
  }
  const clouds = options.skipCredentialCheck ? [] : [...new Set(stacks.flatMap((s) => cloudsOf(head.get(s)!)))];
  const missing = [
    ...clouds.map((c) => missingCredentials(c, env)),
    options.skipCredentialCheck
      ? undefined
      : stacks.map((s) => missingSpacesCredentials(head.get(s)!, env)).find(Boolean),
  ].filter((m): m is string => Boolean(m));
  if (missing.length > 0) {
    for (const m of missing) log(`plan: ${m}`);
    log(`plan: cannot make plans without credentials (${offlineVerdict})`);
    return fail(offlineFailed ? PLAN_EXIT.failed : PLAN_EXIT.noCredentials, stacks);
  }

  // 4. Plans.
  const planned: Array<{ stack: string; changes: boolean; dir: string }> = [];
  const tfEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  const statefulTypes = options.statefulTypes ?? STATEFUL_TYPES;
  let worst: number = offlineFailed ? PLAN_EXIT.failed : PLAN_EXIT.ok;
  for (const [i, stack] of stacks.entries()) {
    const dir = path.join(outdir, 'stacks', stack);
    const step = (what: string, args: string[]) => {
      log(`plan: [${i + 1}/${stacks.length}] ${stack}: terraform ${what} ...`);
      return spawnSync(terraform, args, {
        cwd: dir,
        env: tfEnv,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: 15 * 60_000,
      });
    };
    const init = step('init', ['init', '-input=false', '-no-color']);
    if (init.status !== 0) {
      const output = `${init.stdout ?? ''}${init.stderr ?? ''}`;
      const { code, reason: why } = classifyTerraformError(output);
      log(`plan: ${stack}: terraform init failed: ${why}`);
      log(indent(lastLines(output, 12)));
      problems.push(`${stack}: terraform init failed: ${why}`);
      // Registry or credential problems affect every stack the same way: stop here.
      return fail(offlineFailed ? PLAN_EXIT.failed : code, stacks, planned);
    }
    const run = step('plan', [
      'plan',
      '-input=false',
      '-no-color',
      '-lock-timeout=60s',
      '-detailed-exitcode',
      `-out=${PLAN_FILE}`,
    ]);
    if (run.status !== 0 && run.status !== 2) {
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
      const { code, reason: why } = classifyTerraformError(output);
      log(`plan: ${stack}: terraform plan failed: ${why}`);
      log(indent(lastLines(output, 20)));
      problems.push(`${stack}: terraform plan failed: ${why}`);
      worst = worst || code;
      continue;
    }
    const show = step('show -json', ['show', '-json', '-no-color', PLAN_FILE]);
    if (show.status !== 0) {
      problems.push(`${stack}: terraform show -json failed`);
      log(indent(lastLines(`${show.stdout ?? ''}${show.stderr ?? ''}`, 12)));
      worst = PLAN_EXIT.failed;
      continue;
    }
    const showJson: unknown = JSON.parse(show.stdout);
    const deletes = statefulDeletes(showJson, statefulTypes);
    const shared = sharedChangesInPlan(stack, showJson);
    const before = problems.length;
    gateShared(
      shared.filter((c) => !allowed.some((a) => a.stack === c.stack && a.address === c.address)),
      reason,
      problems,
      allowed,
      log,
    );
    const stackAllowance = reason !== undefined && shared.length > 0 ? { reason, changes: shared } : undefined;
    writePlanSummary(dir, showJson, stackAllowance);
    planned.push({ stack, changes: run.status === 2, dir });
    log(
      `plan: ${stack}: saved ${path.relative(project, path.join(dir, PLAN_FILE))} (owner-only) and ${PLAN_SUMMARY_FILE} (sensitive values redacted); ${run.status === 2 ? 'changes' : 'no changes'}; ${deletes.length} stateful delete(s); ${shared.length} shared replace(s) or delete(s)`,
    );
    for (const p of problems.slice(before)) log(`  ${p}`);
    if (problems.length > before) worst = PLAN_EXIT.failed;
    for (const d of deletes) {
      const line = `${stack} ${d.address}: plan deletes a stateful ${d.type} (${d.actions.join(', ')}); if intended, remove prevent_destroy and apply by hand after review`;
      problems.push(line);
      log(`  ${line}`);
      worst = PLAN_EXIT.failed;
    }
  }
  log(`plan: ${planned.length}/${stacks.length} plan(s) saved; ${problems.length} problem(s)`);
  return { exitCode: worst, stacks, planned, problems, ...allowance() };
}

/**
 * Writes the redacted {@link PLAN_SUMMARY_FILE} of a plan (with the allowance of a shared replacement, when one was
 * given: the record keeps the reason), makes the binary plan owner-only (it embeds the prior
 * state), and removes a raw `plan.json` an earlier version left behind. The raw show-JSON is never written.
 */
export function writePlanSummary(dir: string, showJson: unknown, allowance?: SharedReplaceAllowance): void {
  const summary: PlanSummary = {
    ...summarizePlan(showJson),
    ...(allowance ? { sharedReplaceAllowed: allowance } : {}),
  };
  fs.writeFileSync(path.join(dir, PLAN_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o644 });
  if (fs.existsSync(path.join(dir, PLAN_FILE))) fs.chmodSync(path.join(dir, PLAN_FILE), 0o600);
  fs.rmSync(path.join(dir, LEGACY_PLAN_JSON_FILE), { force: true });
}

/** Reads the JSON report of `npm run diff --json`. */
function readDiffReport(file: string): DiffReport {
  let report: DiffReport;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as DiffReport;
  } catch (e) {
    throw new SynthOutputError(`${file}: cannot read the diff report (${(e as Error).message})`);
  }
  if (!Array.isArray(report.stacks) || !Array.isArray(report.risks))
    throw new SynthOutputError(
      `${file}: not a diff report (no stacks/risks); write one with npm run diff -- --json <file>`,
    );
  return report;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** `npm run plan -- --help`. */
export const PLAN_HELP = `Usage: npm run plan -- [--changed (--base <git-ref> | --base-out <dir> | --diff-json <file>)] [--out <dir>] [stacks...]

Runs terraform plan per stack in cdktf.out/stacks/<stack>/, saves plan.tfplan (binary, embeds state: owner-only,
never upload it) and plan-summary.json (actions and changed attributes, sensitive values shown as (sensitive))
there, and fails on any delete of a stateful resource and on any replace or delete in <env>-shared (which
every other stack of the environment uses) unless --allow-shared-replace gives a written reason. Offline
checks run first: the guardrails over each stack's JSON and, with a base, the diff's stateful removals and
replacements and the shared-stack gate.

  --changed            plan only stacks whose synthesized JSON differs from the base
  --base <git-ref>     the base, synthesized in a temporary git worktree
  --base-out <dir>     the base, already synthesized
  --diff-json <file>   the JSON report of an earlier npm run diff (no second synthesis; --out defaults to cdktf.out)
  --out <dir>          plan this synthesized output (default: synthesize the working tree into cdktf.out)
  --allow-shared-replace "<reason>"
                       allow replaces and deletes in shared stacks; the reason (what, why, the deploy order)
                       is kept in the shared stack's plan-summary.json
  --skip-credential-check
                       credentials come from where the check cannot see (instance profile, credential_process)
  stacks...            plan these stacks (default: all, or the changed ones)
  -h, --help           this text

Exit codes: 0 plans saved, nothing stateful deleted, no unallowed shared replacement; 1 a check or terraform
failed; 2 bad arguments; 3 a prerequisite is missing (terraform not on PATH, no or rejected credentials, provider
registry unreachable), said only after the offline checks have run and passed.
`;

/** The CLI: parses `argv` and runs {@link plan}. */
export const planMain = defineCommand({
  command: 'plan',
  synchronous: true,
  help: PLAN_HELP,
  flags: {
    base: { type: 'string' },
    'base-out': { type: 'string' },
    'diff-json': { type: 'string' },
    out: { type: 'string' },
    'allow-shared-replace': { type: 'string' },
    changed: { type: 'boolean' },
    'skip-credential-check': { type: 'boolean' },
  },
  run: (args, io): number => {
    try {
      return plan({
        stacks: [...args.positionals],
        changed: booleanFlag(args, 'changed'),
        baseRef: stringFlag(args, 'base'),
        baseOut: stringFlag(args, 'base-out'),
        diffJson: stringFlag(args, 'diff-json'),
        skipCredentialCheck: booleanFlag(args, 'skip-credential-check'),
        allowSharedReplace: stringFlag(args, 'allow-shared-replace'),
        out: stringFlag(args, 'out'),
        projectDir: io.cwd,
        env: io.env,
        log: (line) => io.stderr(`${line}\n`),
      }).exitCode;
    } catch (e) {
      if (!(e instanceof SynthOutputError)) throw e;
      io.stderr(`plan: ${e.message}\n`);
      return PLAN_EXIT.failed;
    }
  },
});
