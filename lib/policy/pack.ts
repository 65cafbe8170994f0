import { App, Annotations, IAspect, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { outcomeOf, PolicyRule } from './rule';
import { ALL_RULES } from './rules';
import { AppView, StackView } from './stack-view';
import { recordSuppressions } from './suppression';

/** One rule's non-compliant verdict on one resource. */
export interface Finding {
  /** Stack name, e.g. `prod-shared`. */
  readonly stack: string;
  /** Construct path of the resource. */
  readonly path: string;
  /** Terraform address (`type.name`). */
  readonly address: string;
  /** The rule id. */
  readonly ruleId: string;
  /** The matching checkov id, where one exists. */
  readonly checkovId?: string;
  /** The rule's one-line explanation. */
  readonly explanation: string;
  /** What exactly is wrong on this resource, when the rule says. */
  readonly detail?: string;
  /** How to fix it. */
  readonly fix: string;
  /** The suppression reason, when the finding is suppressed. */
  readonly suppressedBecause?: string;
}

/** The result of checking stacks against a pack. */
export interface GuardrailReport {
  /** Stacks checked. */
  readonly stacks: readonly string[];
  /** Number of rules in the pack. */
  readonly rules: number;
  /** Unsuppressed findings: each one fails synth. */
  readonly violations: readonly Finding[];
  /** Suppressed findings, with their reasons. */
  readonly suppressed: readonly Finding[];
  /** Suppressions that name a rule the pack does not have (each one fails synth: a typo hides nothing). */
  readonly unknownSuppressions: ReadonlyArray<{
    readonly stack: string;
    readonly path: string;
    readonly ruleId: string;
  }>;
}

/** Whether a report lets synth go ahead. */
export function reportPasses(report: GuardrailReport): boolean {
  return report.violations.length === 0 && report.unknownSuppressions.length === 0;
}

/**
 * A set of guardrail rules, applied to synthesized stacks. {@link checkApp} runs it over a cdktf app before
 * `app.synth()` (nothing is written when it fails); {@link GuardrailAspect} applies it as an Aspect instead.
 */
export class PolicyPack {
  /** The rules, by id. */
  public readonly rules: readonly PolicyRule[];

  constructor(rules: readonly PolicyRule[] = ALL_RULES) {
    const ids = new Set<string>();
    for (const r of rules) {
      if (ids.has(r.id)) throw new Error(`PolicyPack: rule id "${r.id}" appears twice`);
      ids.add(r.id);
    }
    this.rules = rules;
  }

  /**
   * Evaluates every rule on every resource of one synthesized stack; `app` holds the stacks checked together
   * with it (rules that span stacks, such as unique names, compare against all of them).
   */
  public checkStack(stack: StackView, app: AppView = new AppView([stack])): GuardrailReport {
    const violations: Finding[] = [];
    const suppressed: Finding[] = [];
    const unknownSuppressions: Array<{ stack: string; path: string; ruleId: string }> = [];
    const known = new Set(this.rules.map((r) => r.id));
    for (const resource of stack.resources) {
      for (const s of resource.suppressions) {
        if (!known.has(s.id)) unknownSuppressions.push({ stack: stack.name, path: resource.path, ruleId: s.id });
      }
      for (const rule of this.rules) {
        if (!rule.resourceTypes.includes(resource.type)) continue;
        const outcome = outcomeOf(rule.evaluate(resource, stack, app));
        if (outcome.compliance !== 'non-compliant') continue;
        const suppression = resource.suppressions.find((s) => s.id === rule.id);
        const finding: Finding = {
          stack: stack.name,
          path: resource.path,
          address: resource.address,
          ruleId: rule.id,
          checkovId: rule.checkovId,
          explanation: rule.explanation,
          detail: outcome.detail,
          fix: rule.fix,
          suppressedBecause: suppression?.reason,
        };
        (suppression ? suppressed : violations).push(finding);
      }
    }
    return { stacks: [stack.name], rules: this.rules.length, violations, suppressed, unknownSuppressions };
  }

  /** Checks several synthesized stacks (`{ name: cdk.tf.json content }`). */
  public checkSynthesized(stacks: Record<string, Record<string, unknown>>): GuardrailReport {
    const app = new AppView(Object.entries(stacks).map(([name, tf]) => new StackView(name, tf)));
    return this.checkViews(app);
  }

  /**
   * Checks every stack of an app before synthesis: prepares the stacks (cross-stack references), records
   * suppressions into the resources, and evaluates the Terraform JSON each stack would write. Writes nothing.
   */
  public checkApp(app: App): GuardrailReport {
    const stacks = app.node.findAll().filter(TerraformStack.isStack);
    stacks.forEach((s) => s.prepareStack());
    const view = new AppView(
      stacks.map((s) => {
        recordSuppressions(s);
        return new StackView(s.node.id, s.toTerraform());
      }),
    );
    return this.checkViews(view);
  }

  /** Checks every stack of `app`, each with the whole app in view. */
  private checkViews(app: AppView): GuardrailReport {
    return mergeReports(
      this.rules.length,
      app.stacks.map((s) => this.checkStack(s, app)),
    );
  }
}

function mergeReports(rules: number, reports: GuardrailReport[]): GuardrailReport {
  return {
    stacks: reports.flatMap((r) => r.stacks),
    rules,
    violations: reports.flatMap((r) => r.violations),
    suppressed: reports.flatMap((r) => r.suppressed),
    unknownSuppressions: reports.flatMap((r) => r.unknownSuppressions),
  };
}

/** One violation as one line: `<stack> <construct path> <rule id>: <explanation> (<detail>). Fix: <fix>`. */
export function formatFinding(f: Finding): string {
  const detail = f.detail ? ` (${f.detail})` : '';
  return `${f.stack} ${f.path} ${f.ruleId}: ${f.explanation}${detail}. Fix: ${f.fix}`;
}

/** One suppression as one line: `<stack> <construct path> <rule id> suppressed: <reason>`. */
export function formatSuppressed(f: Finding): string {
  return `${f.stack} ${f.path} ${f.ruleId} suppressed: ${f.suppressedBecause}`;
}

/** The whole report as text: the summary line, then violations, unknown suppressions and suppressions. */
export function formatReport(report: GuardrailReport): string {
  const lines = [
    `guardrails: ${report.rules} rules over ${report.stacks.length} stacks: ${report.violations.length} violation(s), ${report.suppressed.length} suppressed`,
  ];
  for (const f of report.violations) lines.push(`  ${formatFinding(f)}`);
  for (const u of report.unknownSuppressions)
    lines.push(
      `  ${u.stack} ${u.path} ${u.ruleId}: suppression names a rule the pack does not have. Fix: use one of the rule ids listed in the README`,
    );
  for (const f of report.suppressed) lines.push(`  ${formatSuppressed(f)}`);
  return lines.join('\n') + '\n';
}

/**
 * The pack as a cdktf Aspect: adds an error annotation per violation to the stack it visits. It sees one stack
 * at a time, so rules that span stacks (unique names) compare within that stack only; `checkApp` sees them all. Note that the
 * cdktf CLI synthesizes with `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true`, so annotations alone do not
 * stop `cdktf synth`; main.ts uses {@link PolicyPack.checkApp} before `app.synth()` for that.
 */
export class GuardrailAspect implements IAspect {
  constructor(private readonly pack: PolicyPack = new PolicyPack()) {}

  /** Visits one construct; acts on stacks only. */
  public visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    recordSuppressions(node);
    const report = this.pack.checkStack(new StackView(node.node.id, node.toTerraform()));
    for (const f of report.violations) Annotations.of(node).addError(formatFinding(f));
    for (const f of report.suppressed) Annotations.of(node).addInfo(formatSuppressed(f));
  }
}
