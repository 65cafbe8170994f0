// npm run diff -- (--base <ref> | --base-out <dir>) [options]: see lib/commands/diff.ts (or --help).
import { diffMain } from '../lib/commands/diff';

try {
  process.exitCode = diffMain(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`diff: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
