// The app: load every environment's values, then create the four stacks of each and synthesize.
// Nothing is built, and cdktf.out/ is not touched, unless every environment is valid.
import { App } from 'cdktf';
import { ConfigError, loadEnvironments } from './lib/config';
import { createEnvironmentStacks } from './stacks/environment-stacks';

function main(): void {
  let environments;
  try {
    environments = loadEnvironments();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
    process.exit(1);
  }
  const app = new App();
  for (const config of environments) createEnvironmentStacks(app, config);
  app.synth();
}

main();
