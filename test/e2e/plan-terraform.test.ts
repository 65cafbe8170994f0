// npm run plan with the real terraform binary: a provider-free stack (built-in terraform_data) plans fully
// offline; a stateful delete in a real plan fails; an AWS stack cannot install its provider here and says so.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { plan, PLAN_EXIT } from '../../lib/commands/plan';
import { REPO } from '../support/env-dir';

const FIXTURES = path.join(REPO, 'test/fixtures/plan');

function copyOut(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-plan-e2e-'));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

function planOut(out: string, extra: Partial<Parameters<typeof plan>[0]> = {}, env: NodeJS.ProcessEnv = process.env) {
  const lines: string[] = [];
  const result = plan({ out, projectDir: out, env: { ...env, TF_CLI_CONFIG_FILE: '/dev/null' }, log: (l) => lines.push(l), ...extra });
  return { result, log: lines.join('\n') };
}

describe('plan with terraform', () => {
  test('saves plan.tfplan and plan.json next to the stack', () => {
    const out = copyOut('builtin');
    const { result, log } = planOut(out);
    expect(log).toContain('plan: offline checks passed');
    expect(result.exitCode).toBe(PLAN_EXIT.ok);
    const dir = path.join(out, 'stacks/demo-shared');
    expect(fs.statSync(path.join(dir, 'plan.tfplan')).size).toBeGreaterThan(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    expect(json.resource_changes.map((c: { address: string; change: { actions: string[] } }) => [c.address, c.change.actions])).toEqual([
      ['terraform_data.archive', ['create']],
      ['terraform_data.release', ['create']],
    ]);
    expect(result.planned).toEqual([{ stack: 'demo-shared', changes: true, dir }]);
  });

  test('fails a plan that deletes a stateful resource', () => {
    const out = copyOut('builtin');
    const dir = path.join(out, 'stacks/demo-shared');
    // Create the state for real, then remove the "archive" resource from the configuration.
    planOut(out);
    const apply = spawnSync('terraform', ['apply', '-input=false', '-no-color', 'plan.tfplan'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
    expect(apply.status).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
    delete tf.resource.terraform_data.archive;
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(tf));
    const { result, log } = planOut(out, { statefulTypes: new Set(['terraform_data']) });
    expect(result.exitCode).toBe(PLAN_EXIT.failed);
    expect(result.problems).toEqual([
      'demo-shared terraform_data.archive: plan deletes a stateful terraform_data (delete); if intended, remove prevent_destroy and apply by hand after review',
    ]);
    expect(log).toContain('1 stateful delete(s)');
  });

  test('--skip-credential-check leaves credentials to Terraform, which reports them missing (exit 5)', () => {
    const out = copyOut('aws');
    const file = path.join(out, 'stacks/demo-shared/cdk.tf.json');
    const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
    tf.terraform.backend = { s3: { bucket: 'demo-state', key: 'demo-shared.tfstate', region: 'eu-west-1' } };
    fs.writeFileSync(file, JSON.stringify(tf));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-home-'));
    // Proxies on a closed loopback port and no instance metadata: nothing Terraform tries leaves the machine.
    const env = { PATH: process.env.PATH, HOME: home, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', AWS_EC2_METADATA_DISABLED: 'true', CHECKPOINT_DISABLE: '1' };
    expect(planOut(out, {}, env).result.exitCode).toBe(PLAN_EXIT.noCredentials); // the check, before terraform
    const { result, log } = planOut(out, { skipCredentialCheck: true }, env);
    expect(log).toContain('demo-shared: terraform init ...');
    expect(log).toContain('the cloud rejected the credentials or could not be reached to check them');
    expect(result.exitCode).toBe(PLAN_EXIT.noCredentials);
  });

  test('says the provider registry is unreachable, with exit 6, when providers cannot be installed', () => {
    const out = copyOut('aws');
    const { result, log } = planOut(out, {}, { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', AWS_EC2_METADATA_DISABLED: 'true' });
    expect(log).toContain('plan: offline checks passed');
    expect(log).toContain('cannot reach the provider registry (registry.terraform.io)');
    expect(result.exitCode).toBe(PLAN_EXIT.registryUnreachable);
  });
});
