// npm run deploy -- <stack> [options] [cdktf deploy args]: see lib/commands/deploy.ts (or --help).
// The pinned SDK works on Node 20; its notice about future releases needing Node 22 is not for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { deployMain } from '../lib/commands/deploy';

deployMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`deploy: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
