// The deploy CLI exactly as bin/deploy.ts runs it (deployMain with process.argv, the process's own signals and
// exit code), with one test double: the caller-identity lookup, because STS cannot run here. Tests start it as a
// separate process and send it signals.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { deployMain } from '../../lib/commands/deploy';

deployMain(process.argv.slice(2), {
  callerIdentity: async () => ({
    principal: 'arn:aws:sts::123456789012:assumed-role/deploy/gh-run-42',
    account: '123456789012',
    source: 'test double of STS',
  }),
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`deploy: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
