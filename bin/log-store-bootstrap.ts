// npm run log-store-bootstrap -- <env> [--outputs file.json] [--connect localhost:9443]: see lib/commands/log-store-bootstrap.ts (or --help).
import { logStoreBootstrapMain } from '../lib/commands/log-store-bootstrap';

logStoreBootstrapMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`log-store-bootstrap: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
