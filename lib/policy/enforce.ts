import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { ref } from 'cdktf/lib/tfExpression';
import { IConstruct } from 'constructs';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { formatReport, PolicyPack, reportPasses } from './pack';
import { recordSuppressions } from './suppression';
import { withFastTokenResolution } from './token-resolution';

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
  const text =
    formatReport(report) +
    (ok ? '' : 'Nothing was synthesized: fix the violations above or suppress them with a reason.\n');
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
    suppressed: report.suppressed.map((f) => ({
      stack: f.stack,
      path: f.path,
      rule: f.ruleId,
      reason: f.suppressedBecause,
    })),
  };
  fs.writeFileSync(path.join(app.outdir, GUARDRAILS_REPORT), JSON.stringify(summary, null, 2) + '\n');
  return true;
}

/**
 * Renders every stack once, the way `app.synth()` would, and makes the stacks return that rendering from then on.
 * The guardrails then check exactly the JSON that `app.synth()` writes, and synth does not pay for a second full
 * token-resolution pass. Constructs added after this call are not rendered: call it last, right before `app.synth()`.
 *
 * `app.synth()` first runs a "preparing" resolution of every element of every stack, only to discover cross-stack
 * references (it adds the outputs and remote-state data sources they need), and throws the result away: about a
 * quarter of a large synth. This library's stacks hold no cross-stack references (stacks/contract.ts), so the
 * rendering first goes without that pass while watching every reference it resolves; if any reference points into
 * another stack (a consumer's own stacks may), it starts again the way `app.synth()` does, preparing every stack.
 * Either way the JSON is what `app.synth()` would write (tested, byte for byte).
 */
function renderOnce(app: App): void {
  const stacks = app.node.findAll().filter(TerraformStack.isStack);
  stacks.forEach((stack) => (stack as unknown as { ensureBackendExists(): void }).ensureBackendExists());
  const renderings = withFastTokenResolution(() => {
    const crossStack = watchCrossStackReferences();
    let rendered: Array<{ [key: string]: unknown }>;
    try {
      rendered = stacks.map((stack) => renderStack(stack));
    } finally {
      crossStack.stop();
    }
    if (!crossStack.seen()) return rendered;
    stacks.forEach((stack) => stack.prepareStack());
    return stacks.map((stack) => renderStack(stack));
  });
  stacks.forEach((stack, i) => {
    Object.defineProperty(stack, 'prepareStack', { value: () => undefined });
    Object.defineProperty(stack, 'toTerraform', { value: () => renderings[i] });
  });
}

/**
 * One stack's rendering, as `app.synth()` makes it: aspects first (the template escaping of every EnvironmentStack,
 * a user's own), then the JSON. app.synth() runs the aspects again later; the rendering is fixed by then, so that
 * pass cannot change the JSON (an aspect that adds annotations adds them twice).
 */
function renderStack(stack: TerraformStack): { [key: string]: unknown } {
  invokeAspects(stack);
  recordSuppressions(stack);
  return stack.toTerraform();
}

/** cdktf's reference token (`tfExpression.ts`): the only thing that can point into another stack. */
interface ReferenceToken {
  readonly originStack?: TerraformStack;
  readonly crossStackIdentifier: Record<string, string>;
  resolve(context: { scope: IConstruct; preparing?: boolean }): unknown;
}

/**
 * While active, notes whether any reference resolved outside a preparing pass belongs to another stack and was not
 * prepared as a cross-stack reference (it would render as a reference to a resource the stack does not hold).
 */
function watchCrossStackReferences(): { seen(): boolean; stop(): void } {
  const proto = Object.getPrototypeOf(ref('bluegreen.probe')) as ReferenceToken;
  const resolve = proto.resolve;
  let seen = false;
  proto.resolve = function (this: ReferenceToken, context) {
    if (!context.preparing && this.originStack) {
      const here = TerraformStack.of(context.scope);
      if (here !== this.originStack && !this.crossStackIdentifier[here.toString()]) seen = true;
    }
    return resolve.call(this, context);
  };
  return {
    seen: () => seen,
    stop: () => {
      proto.resolve = resolve;
    },
  };
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
