// A generated composition for the benchmark: BENCH_ENVS copies of the shipped AWS environments (four stacks
// each), checked by the guardrails and synthesized into CDKTF_OUTDIR: the same path as main.ts, at a larger scale.
import { App } from 'cdktf';
import {
  createEnvironmentStacks,
  enforceGuardrails,
  loadEnvironments,
  parseEnvironment,
  skipTokenCreationTraces,
} from '../lib';

skipTokenCreationTraces();

const count = Number(process.env.BENCH_ENVS ?? '50');
const templates = loadEnvironments().filter((c) => c.cloud === 'aws');
const app = new App({ stackTraces: false });
for (let i = 0; i < count; i++) {
  const template = JSON.parse(JSON.stringify(templates[i % templates.length]));
  template.name = `env${String(i + 1).padStart(2, '0')}`;
  if (template.backend.type === 's3') template.backend.keyPrefix = `bench/${template.name}`;
  createEnvironmentStacks(app, parseEnvironment(template, `bench:${template.name}`));
}
if (!enforceGuardrails(app, { write: () => undefined }))
  throw new Error('guardrails failed on the generated composition');
app.synth();
