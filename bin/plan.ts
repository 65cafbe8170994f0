// npm run plan -- [--changed --base <ref>] [stacks...]: see lib/commands/plan.ts (or --help).
import { planMain } from '../lib/commands/plan';

try {
  process.exitCode = planMain(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`plan: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
