// npm run deploy -- <stack> [options] [cdktf deploy args]: see lib/commands/deploy.ts (or --help).
import { deployMain } from '../lib/commands/deploy';

deployMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`deploy: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
