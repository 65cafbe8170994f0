// npm run plan -- [--changed --base <ref>] [stacks...]: see lib/commands/plan.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('plan');
