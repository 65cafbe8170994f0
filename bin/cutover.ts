// npm run cutover -- <env> <blue|green> [--weight N]: see lib/commands/cutover.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('cutover');
