import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../support/env-dir';

// Synth is the hot path of every user and PR job, and needs no Terraform: a stack with `moved` blocks written
// through cdktf's moveFromId made synth run `terraform version` (a Terraform >= 1.5 validation) and fail without it.
describe('synth needs no terraform binary', () => {
  test('the app synthesizes every environment (moved blocks included) with no terraform on PATH', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-synth-no-tf-'));
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-path-'));
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      const res = spawnSync(process.execPath, ['--require', path.join(REPO, 'bin/register.js'), 'main.ts'], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, PATH: bin, CDKTF_OUTDIR: out },
      });
      expect(res.stderr).not.toMatch(/Could not determine version of terraform/);
      expect(res.status).toBe(0);
      const shared = JSON.parse(fs.readFileSync(path.join(out, 'stacks/prod-shared/cdk.tf.json'), 'utf8'));
      expect(shared.moved.length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
