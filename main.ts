// The app: load every environment's values, then create the four stacks of each and synthesize.
// Nothing is built, and cdktf.out/ is not touched, unless every environment is valid.
// It uses the library exactly as a consumer's main.ts does: through the public index only.
import { App } from 'cdktf';
import { ConfigError, ConstructPropsError, createEnvironmentStacks, EnvironmentConfig, enforceGuardrails, loadEnvironments, skipTokenCreationTraces } from './lib';

skipTokenCreationTraces(); // same output, a quarter less synth time (see lib/token-traces.ts)

// Values first: `new App()` creates cdktf.out/, so it must not exist before every environment is valid.
let environments: EnvironmentConfig[];
try {
  environments = loadEnvironments({ dir: 'environments' });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
  process.exit(1);
}
const app = new App({ stackTraces: false });
try {
  for (const config of environments) createEnvironmentStacks(app, config);
} catch (e) {
  // A construct refused its props: the message names the construct path, value, limit and fix; no stack trace.
  if (!(e instanceof ConstructPropsError)) throw e;
  process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
  process.exit(1);
}
// Guardrails run on the Terraform JSON every stack would write, before anything is written: any violation
// prints `<stack> <construct path> <rule id>: <explanation>. Fix: ...` and stops here (the cdktf CLI would
// carry on past error annotations, so this does not rely on them).
if (!enforceGuardrails(app)) process.exit(1);
app.synth();
