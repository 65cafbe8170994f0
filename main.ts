// The app: load every environment's values, then create the four stacks of each and synthesize.
// Nothing is built, and cdktf.out/ is not touched, unless every environment is valid.
// It uses the library exactly as a consumer's main.ts does: through the public index only.
import { App } from 'cdktf';
import { ConfigError, createEnvironmentsFromDir } from './lib';

const app = new App();
try {
  createEnvironmentsFromDir(app, 'environments');
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\nNothing was synthesized.\n`);
  process.exit(1);
}
app.synth();
