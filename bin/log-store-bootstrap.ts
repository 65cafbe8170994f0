// npm run log-store-bootstrap -- <env> [--outputs file.json] [--connect localhost:9443]: see lib/commands/log-store-bootstrap.ts (or --help).
import { runBin } from '../lib/commands/registry';

runBin('log-store-bootstrap');
