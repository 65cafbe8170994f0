// The app: load every environment's values, then create the four stacks of each and synthesize.
// Nothing is built, and cdktf.out/ is not touched, unless every environment is valid.
// It uses the library exactly as a consumer's main.ts does: through the public index only.
import { App } from 'cdktf';
import { ConfigError, createEnvironmentsFromDir, enforceGuardrails } from './lib';

const app = new App();
try {
  createEnvironmentsFromDir(app, 'environments');
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
  process.exit(1);
}
// Guardrails run on the Terraform JSON every stack would write, before anything is written: any violation
// prints `<stack> <construct path> <rule id>: <explanation>. Fix: ...` and stops here (the cdktf CLI would
// carry on past error annotations, so this does not rely on them).
if (!enforceGuardrails(app)) process.exit(1);
app.synth();
