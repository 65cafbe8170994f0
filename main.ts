// The app: load every environment's values, then create the four stacks of each and synthesize.
// Nothing is built, and cdktf.out/ is not touched, unless every environment is valid.
// It uses the library exactly as a consumer's main.ts does: through the public index only.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import {
  ConfigError,
  ConstructPropsError,
  createEnvironmentStacks,
  EnvironmentConfig,
  enforceGuardrails,
  loadEnvironments,
  skipTokenCreationTraces,
} from './lib';

skipTokenCreationTraces(); // same output, a quarter less synth time (see lib/token-traces.ts)

/**
 * Ends the run after the reason was printed (once). Run directly (`node main.ts`), that is exit code 1. Under the
 * cdktf CLI (`cdktf synth|deploy|diff`, which sets CDKTF_OUTDIR and CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS),
 * a non-zero exit makes the CLI print everything the app wrote a second time, after echoing it live; so there the
 * app exits 0 having written no manifest (a stale one from an earlier synth is removed, so no old stacks pass
 * for new ones), and the CLI fails on the missing manifest (exit 1) without repeating the problems.
 */
function stop(): never {
  const outdir = process.env.CDKTF_OUTDIR;
  if (outdir && process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === 'true') {
    fs.rmSync(path.join(outdir, 'manifest.json'), { force: true });
    process.exit(0);
  }
  process.exit(1);
}

// Values first: `new App()` creates cdktf.out/, so it must not exist before every environment is valid.
let environments: EnvironmentConfig[];
try {
  environments = loadEnvironments({ dir: 'environments' });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
  stop();
}
const app = new App({ stackTraces: false });
try {
  for (const config of environments) createEnvironmentStacks(app, config);
} catch (e) {
  // A construct refused its props: the message names the construct path, value, limit and fix; no stack trace.
  if (!(e instanceof ConstructPropsError)) throw e;
  process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
  stop();
}
// Guardrails run on the Terraform JSON every stack would write, before anything is written: any violation
// prints `<stack> <construct path> <rule id>: <explanation>. Fix: ...` and stops here (the cdktf CLI would
// carry on past error annotations, so this does not rely on them).
if (!enforceGuardrails(app)) stop();
app.synth();
