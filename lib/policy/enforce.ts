import * as fs from 'fs';
import { App } from 'cdktf';
import { formatReport, PolicyPack, reportPasses } from './pack';

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
 * Suppressions are listed either way.
 */
export function enforceGuardrails(app: App, options: EnforceOptions = {}): boolean {
  const report = (options.pack ?? new PolicyPack()).checkApp(app);
  const ok = reportPasses(report);
  const text = formatReport(report) + (ok ? '' : 'Nothing was synthesized: fix the violations above or suppress them with a reason.\n');
  (options.write ?? ((t, failed) => (failed ? process.stderr : process.stdout).write(t)))(text, !ok);
  if (!ok) removeIfEmpty(app.outdir);
  return ok;
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
