// npm run vpn-config -- <env> [--outputs file.json] [--mode route-based|policy-based]: see lib/commands/vpn-config.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('vpn-config');
