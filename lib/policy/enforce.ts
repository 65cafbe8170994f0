import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { formatReport, PolicyPack, reportPasses } from './pack';
import { recordSuppressions } from './suppression';

/** File name of the guardrail report written into the output directory on success. */
export const GUARDRAILS_REPORT = 'guardrails.json';

/** Output streams for {@link enforceGuardrails}. */
export interface EnforceOptions {
  /**
   * The pack to apply.
   * @default - every rule of this library
   */
  readonly pack?: PolicyPack;
  /**
   * Where the report goes.
   * @default process.stderr on failure, process.stdout otherwise
   */
  readonly write?: (text: string, failed: boolean) => void;
}

/**
 * The guardrail step of `main.ts`: checks every stack of the app before `app.synth()`. On any violation it
 * prints each one as `<stack> <construct path> <rule id>: <explanation>. Fix: ...`, removes the output
 * directory if the app created it empty, and returns false, so the caller exits non-zero with nothing written.
 * Suppressions are listed either way; on success the report is also written to `<outdir>/guardrails.json`
 * (the cdktf CLI does not show the app's output when synth succeeds).
 */
export function enforceGuardrails(app: App, options: EnforceOptions = {}): boolean {
  renderOnce(app);
  const report = (options.pack ?? new PolicyPack()).checkApp(app);
  const ok = reportPasses(report);
  const text = formatReport(report) + (ok ? '' : 'Nothing was synthesized: fix the violations above or suppress them with a reason.\n');
  (options.write ?? ((t, failed) => (failed ? process.stderr : process.stdout).write(t)))(text, !ok);
  if (!ok) {
    removeIfEmpty(app.outdir);
    return false;
  }
  fs.mkdirSync(app.outdir, { recursive: true });
  const summary = {
    rules: report.rules,
    stacks: report.stacks,
    violations: 0,
    suppressed: report.suppressed.map((f) => ({ stack: f.stack, path: f.path, rule: f.ruleId, reason: f.suppressedBecause })),
  };
  fs.writeFileSync(path.join(app.outdir, GUARDRAILS_REPORT), JSON.stringify(summary, null, 2) + '\n');
  return true;
}

/**
 * Renders every stack once, the way `app.synth()` would (prepare all stacks, then apply each stack's aspects and
 * render it), and makes the
 * stacks return that rendering from then on. The guardrails then check exactly the JSON that `app.synth()` writes,
 * and synth does not pay for a second full token-resolution pass (about a quarter of a 12-stack synth).
 * Constructs added after this call are not rendered: call it last, right before `app.synth()`.
 */
function renderOnce(app: App): void {
  const stacks = app.node.findAll().filter(TerraformStack.isStack);
  stacks.forEach((stack) => stack.prepareStack());
  for (const stack of stacks) {
    // Aspects change what a stack renders (the template escaping of every EnvironmentStack, a user's own), so they
    // run first, as in app.synth(). app.synth() runs them again later; the rendering is fixed by then, so that pass
    // cannot change the JSON (an aspect that adds annotations adds them twice).
    invokeAspects(stack);
    recordSuppressions(stack);
    const rendered = stack.toTerraform();
    Object.defineProperty(stack, 'prepareStack', { value: () => undefined });
    Object.defineProperty(stack, 'toTerraform', { value: () => rendered });
  }
}

/** Removes the directories `new App()` creates (outdir and outdir/stacks) if nothing is in them. */
function removeIfEmpty(outdir: string): void {
  try {
    const stacks = `${outdir}/stacks`;
    if (fs.existsSync(stacks) && fs.readdirSync(stacks).length === 0) fs.rmdirSync(stacks);
    if (fs.existsSync(outdir) && fs.readdirSync(outdir).length === 0) fs.rmdirSync(outdir);
  } catch {
    // Leave a non-empty or unreadable directory alone.
  }
}
