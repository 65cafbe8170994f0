import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
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
