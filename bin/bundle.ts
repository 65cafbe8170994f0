// npm run bundle -- <env> | --verify <file>: see lib/commands/bundle.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('bundle');
