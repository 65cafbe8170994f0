// The shared-stack gate on a real Terraform plan: a provider-free shared stack (terraform_data, built into
// terraform) is applied, then changed so that Terraform plans a replacement; the plan fails unless allowed with a
// reason, which the stack's plan-summary.json then keeps. Fully offline (no provider to install).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { plan, PLAN_EXIT } from '../../lib/commands/plan';
import { REPO } from '../support/env-dir';

describe('plan with terraform: replacements in <env>-shared', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-gate-tf-'));
  fs.cpSync(path.join(REPO, 'test/fixtures/plan/builtin'), out, { recursive: true });
  const dir = path.join(out, 'stacks/demo-shared');
  const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
  const planOut = (allowSharedReplace?: string) => {
    const lines: string[] = [];
    const result = plan({ out, projectDir: out, env, log: (l) => lines.push(l), allowSharedReplace });
    return { result, log: lines.join('\n') };
  };

  beforeAll(() => {
    expect(planOut().result.exitCode).toBe(PLAN_EXIT.ok);
    const apply = spawnSync('terraform', ['apply', '-input=false', '-no-color', 'plan.tfplan'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(apply.status).toBe(0);
    // A replacement Terraform itself decides: triggers_replace changes.
    const file = path.join(dir, 'cdk.tf.json');
    const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
    tf.resource.terraform_data.release.triggers_replace = '1.4.2';
    fs.writeFileSync(file, JSON.stringify(tf));
  }, 120_000);

  test('fails without an allowance, naming the replaced resource and what forces it', () => {
    const { result, log } = planOut();
    expect(result.exitCode).toBe(PLAN_EXIT.failed);
    expect(log).toContain(
      'demo-shared terraform_data.release: replace (forced by triggers_replace) in the shared stack',
    );
    expect(
      JSON.parse(fs.readFileSync(path.join(dir, 'plan-summary.json'), 'utf8')).sharedReplaceAllowed,
    ).toBeUndefined();
  }, 120_000);

  test('passes with --allow-shared-replace, and plan-summary.json keeps the reason and what it allowed', () => {
    const reason = 'release marker is recreated on purpose (ticket OPS-42)';
    const { result } = planOut(reason);
    expect(result.exitCode).toBe(PLAN_EXIT.ok);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'plan-summary.json'), 'utf8'));
    expect(summary.sharedReplaceAllowed).toEqual({
      reason,
      changes: [
        {
          stack: 'demo-shared',
          address: 'terraform_data.release',
          action: 'replace',
          because: 'forced by triggers_replace',
        },
      ],
    });
  }, 120_000);
});
