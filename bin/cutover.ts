// npm run cutover -- <env> <blue|green> [--weight N]: see lib/commands/cutover.ts (or --help).
import { cutoverMain } from '../lib/commands/cutover';

try {
  process.exit(cutoverMain(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`cutover: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
}
