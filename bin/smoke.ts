// npm run smoke -- <url> [--path /health] [--attempts N] [--timeout S]: see lib/commands/smoke.ts (or --help).
import { smokeMain } from '../lib/commands/smoke';

smokeMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`smoke: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
