// npm run smoke -- <url> [--path /health] [--attempts N] [--timeout S]: see lib/commands/smoke.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('smoke');
