// npm run promote -- <env> <color> --artifact <ref@sha256:…> [--image <id> --from-region <r>]: see lib/commands/promote.ts (or --help).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { promoteMain } from '../lib/commands/promote';

promoteMain(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => (process.stderr.write(`promote: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`), process.exit(1)));
