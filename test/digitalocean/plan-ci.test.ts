// npm run plan on DigitalOcean stacks in CI: local state is refused (a plan against an empty state says nothing),
// a stack holding the Spaces bucket needs Spaces keys, and both workflows hand the plan read-only Spaces keys.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { findExecutable, localStateInCi, missingSpacesCredentials, PLAN_EXIT, planMain } from '../../lib/commands/plan';
import { loadEnvironments } from '../../lib/config';
import { envDir, REPO, withValue } from '../support/env-dir';
import { synthConfigs } from '../support/synth';

/** dev synthesized into a cdktf.out-like tree (`stacks/<name>/cdk.tf.json`). */
function devOut(dir: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-do-plan-'));
  for (const [name, text] of synthConfigs(loadEnvironments({ dir, only: ['dev'] }))) {
    fs.mkdirSync(path.join(out, 'stacks', name), { recursive: true });
    fs.writeFileSync(path.join(out, 'stacks', name, 'cdk.tf.json'), text);
  }
  return out;
}

function run(argv: string[], env: NodeJS.ProcessEnv) {
  let stderr = '';
  const code = planMain(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: REPO, env });
  return { code, stderr };
}

const terraform = findExecutable('terraform', process.env.PATH);
const bare = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  PATH: path.dirname(process.execPath),
  HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'bg-home-')),
  ...extra,
});

describe('npm run plan: DigitalOcean stacks in CI', () => {
  const localOut = devOut(envDir({ 'dev.yaml': withValue('dev.yaml', ['backend'], { type: 'local' }) }));
  const spacesOut = devOut(envDir());

  test('fails on a DigitalOcean stack with local state in CI, naming the stack and the fix, before any terraform step (exit 1)', () => {
    const r = run(
      ['--out', localOut, 'dev-blue'],
      bare({ CI: 'true', TERRAFORM_BIN: terraform, DIGITALOCEAN_TOKEN: 'x' }),
    );
    expect(r.code).toBe(PLAN_EXIT.failed);
    expect(r.stderr).toContain(
      'dev-blue: keeps local state, so a plan in CI would compare against an empty state; give the environment a remote backend',
    );
    expect(fs.existsSync(path.join(localOut, 'stacks/dev-blue/.terraform'))).toBe(false);
  });

  test('outside CI the same stack passes the offline checks', () => {
    const r = run(['--out', localOut, 'dev-blue'], bare({}));
    expect(r.stderr).toContain('plan: offline checks passed');
    expect(r.code).toBe(PLAN_EXIT.noTerraform);
  });

  test('the shipped dev (state in Spaces) passes in CI; dev-shared then needs the Spaces keys (exit 5)', () => {
    const env = bare({
      CI: 'true',
      TERRAFORM_BIN: terraform,
      DIGITALOCEAN_TOKEN: 'x',
      AWS_ACCESS_KEY_ID: 'spaces-key',
      AWS_SECRET_ACCESS_KEY: 'spaces-secret',
    });
    const r = run(['--out', spacesOut, 'dev-shared'], env);
    expect(r.stderr).toContain('plan: offline checks passed');
    expect(r.stderr).toContain(
      'plan: no Spaces credentials: set SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY (a read-only key is enough for a plan)',
    );
    expect(r.code).toBe(PLAN_EXIT.noCredentials);
  });

  test('helpers: CI=false is not CI; stacks without a bucket need no Spaces keys', () => {
    const stack = { terraform: { backend: { local: { path: 'x' } } }, provider: { digitalocean: [{}] } };
    expect(localStateInCi('s', stack, { CI: 'false' })).toBeUndefined();
    expect(localStateInCi('s', stack, { CI: '1' })).toMatch(/^s: keeps local state/);
    expect(localStateInCi('s', { ...stack, provider: { aws: [{}] } }, { CI: 'true' })).toBeUndefined();
    expect(missingSpacesCredentials({ resource: { digitalocean_droplet: {} } }, {})).toBeUndefined();
    expect(
      missingSpacesCredentials(
        { resource: { digitalocean_spaces_bucket: {} } },
        { SPACES_ACCESS_KEY_ID: 'a', SPACES_SECRET_ACCESS_KEY: 'b' },
      ),
    ).toBeUndefined();
  });

  test.each([
    ['pr.yml', 'plan', 'Plan the changed stacks'],
    ['deploy.yml', 'plan', 'Plan'],
  ])('%s: the plan step gets read-only Spaces keys for the provider and the state backend', (file, job, stepName) => {
    const workflow = parseYaml(fs.readFileSync(path.join(REPO, '.github/workflows', file), 'utf8')) as {
      jobs: Record<string, { steps: Array<{ name?: string; env?: Record<string, string> }> }>;
    };
    const step = workflow.jobs[job].steps.find((s) => s.name === stepName)!;
    expect(step.env).toMatchObject({
      DIGITALOCEAN_TOKEN: '${{ secrets.DIGITALOCEAN_PLAN_TOKEN }}',
      SPACES_ACCESS_KEY_ID: '${{ secrets.SPACES_PLAN_ACCESS_KEY_ID }}',
      SPACES_SECRET_ACCESS_KEY: '${{ secrets.SPACES_PLAN_SECRET_ACCESS_KEY }}',
    });
  });
});
