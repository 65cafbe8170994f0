// npm run archive -- verify <prefix> | list <env> | push <dir>: see lib/commands/archive.ts (or --help).
import { archiveMain } from '../lib/commands/archive';

archiveMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`archive: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
