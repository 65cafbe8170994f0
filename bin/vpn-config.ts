// npm run vpn-config -- <env> [--outputs file.json] [--mode route-based|policy-based]: see lib/commands/vpn-config.ts (or --help).
import { vpnConfigMain } from '../lib/commands/vpn-config';

vpnConfigMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`vpn-config: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
