// npm run diff -- (--base <ref> | --base-out <dir>) [options]: see lib/commands/diff.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('diff');
