// The synth path of main.ts, phase by phase, for `npm run bench`: prints one JSON object of cumulative
// milliseconds since process start at the end of each phase.
import { performance } from 'perf_hooks';

const marks: Record<string, number> = {};
const mark = (name: string) => (marks[name] = Math.round(performance.now()));

/* eslint-disable @typescript-eslint/no-require-imports */
const { App } = require('cdktf') as typeof import('cdktf');
mark('load cdktf');
const lib = require('../lib') as typeof import('../lib');
mark('load this library');
lib.skipTokenCreationTraces();
const environments = lib.loadEnvironments({ dir: 'environments' });
mark('load and validate values');
const app = new App({ stackTraces: false });
for (const config of environments) lib.createEnvironmentStacks(app, config);
mark('construct stacks');
if (!lib.enforceGuardrails(app, { write: () => undefined })) throw new Error('guardrails failed');
mark('render + guardrails');
app.synth();
mark('write cdktf.out');
process.stdout.write(JSON.stringify(marks));
