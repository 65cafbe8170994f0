// npm run promote -- <env> <color> --artifact <ref@sha256:…> [--image <id> --from-region <r>]: see lib/commands/promote.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('promote');
