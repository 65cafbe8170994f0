// npm run deploy -- <stack> [options] [cdktf deploy args]: see lib/commands/deploy.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('deploy');
