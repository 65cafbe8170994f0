import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { createEnvironmentStacks, enforceGuardrails, loadEnvironments, PolicyPack } from '../../lib';
import { envDir } from '../support/env-dir';
import { readTree } from '../support/tree';

describe('enforceGuardrails renders each stack once for the check and for synth', () => {
  test('the synthesized stacks are byte-identical to checking with PolicyPack.checkApp and then synthesizing', () => {
    const configs = loadEnvironments({ dir: envDir() });
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-render-once-'));
    const outs = ['plain', 'guarded'].map((name) => {
      const outdir = path.join(root, name, 'cdktf.out');
      fs.mkdirSync(path.dirname(outdir));
      const app = new App({ outdir, stackTraces: false });
      for (const c of configs) createEnvironmentStacks(app, c);
      // plain: the pack renders the stacks for its check (recording suppressions), then synth renders them again
      if (name === 'plain') expect(new PolicyPack().checkApp(app).violations).toEqual([]);
      else expect(enforceGuardrails(app, { write: () => undefined })).toBe(true);
      app.synth();
      const files = readTree(outdir);
      delete files['guardrails.json']; // the guardrail report is the one extra file
      return files;
    });
    expect(Object.keys(outs[1]).filter((f) => f.endsWith('cdk.tf.json'))).toHaveLength(12);
    expect(outs[1]).toEqual(outs[0]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('enforceGuardrails without the preparing pass', () => {
  // A consumer's app may reference one stack's resource from another: cdktf's preparing pass turns that into an
  // output and a remote-state lookup. The fast path must notice the reference and fall back to that pass.
  function crossStackApp(outdir: string): App {
    const app = new App({ outdir, stackTraces: false });
    const producer = new TerraformStack(app, 'producer');
    new AwsProvider(producer, 'aws', { region: 'eu-central-1' });
    const parameter = new SsmParameter(producer, 'p', { name: '/x', type: 'String', value: 'v' });
    const consumer = new TerraformStack(app, 'consumer');
    new AwsProvider(consumer, 'aws', { region: 'eu-central-1' });
    new TerraformOutput(consumer, 'arn', { value: parameter.arn });
    return app;
  }

  test('a cross-stack reference renders exactly as app.synth() alone renders it (remote state, not a dangling address)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-render-once-xs-'));
    const [plain, guarded] = ['plain', 'guarded'].map((name) => {
      const outdir = path.join(root, name);
      const app = crossStackApp(outdir);
      if (name === 'guarded') expect(enforceGuardrails(app, { write: () => undefined })).toBe(true);
      app.synth();
      const files = readTree(outdir);
      delete files['guardrails.json'];
      return files;
    });
    const consumer = JSON.parse(guarded['stacks/consumer/cdk.tf.json']);
    expect(Object.keys(consumer.data?.terraform_remote_state ?? {})).toHaveLength(1);
    expect(JSON.stringify(consumer.output)).not.toContain('aws_ssm_parameter.p');
    expect(guarded).toEqual(plain);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
