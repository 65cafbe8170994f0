// npm run diagram -- <env> [options]: see lib/commands/diagram.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('diagram');
