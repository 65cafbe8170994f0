// npm run release -- <env> [options]: see lib/commands/release/ (or --help).
import { runBin } from '../lib/commands/registry';

runBin('release');
