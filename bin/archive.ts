// npm run archive -- verify <prefix> | list <env> | push <dir>: see lib/commands/archive.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('archive');
