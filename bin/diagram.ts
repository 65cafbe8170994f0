// npm run diagram -- <env> [options]: see lib/commands/diagram.ts (or --help).
import { diagramMain } from '../lib/commands/diagram';

try {
  process.exitCode = diagramMain(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`diagram: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
