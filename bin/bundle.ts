// npm run bundle -- <env> | --verify <file>: see lib/commands/bundle.ts (or --help).
import { bundleMain } from '../lib/commands/bundle';

bundleMain(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => (process.stderr.write(`bundle: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`), process.exit(1)));
