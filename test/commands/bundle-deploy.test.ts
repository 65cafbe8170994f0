// npm run deploy -- <stack> --bundle <file> with the real cdktf CLI and Terraform (no double): a bundle of provider-free
// stacks (outputs only, local backend) is deployed from its extracted directory with --skip-synth, the state lands in
// the project as after a normal synth (the local backend's relative path), and the record (written to s3rver on
// loopback) stores the bundle's digest. Only the caller identity is a test double (STS cannot run here).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildBundle } from '../../lib/commands/bundle';
import { deploy } from '../../lib/commands/deploy';
import { Manifest } from '../../lib/commands/deployment-record';
import { STACK_ROLES } from '../../stacks/contract';
import { collector } from '../support/deploy-project';
import { envDir, REPO } from '../support/env-dir';
import { S3RVER_CREDENTIALS, startS3Server } from '../support/s3-server';
import { offlineTerraformEnv, writeCliConfig } from '../support/terraform';

const BUCKET = 'shop-prod-deployment-records';

test('deploys exactly the bundled stack with the real cdktf and terraform; the state lands in the project and the record names the bundle', async () => {
  const root = path.dirname(envDir());
  const s3 = await startS3Server([BUCKET]);
  try {
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(root, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'false' })); // never run: --skip-synth
    fs.writeFileSync(
      path.join(root, '.gitignore'),
      'node_modules\ncdktf.out/\n.bundles/\n.deployments/\n*.tfstate\n.bundle-*/\ntf.rc\n',
    );
    for (const role of STACK_ROLES) {
      const stack = `prod-${role}`;
      fs.mkdirSync(path.join(root, 'cdktf.out', 'stacks', stack), { recursive: true });
      fs.writeFileSync(
        path.join(root, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'),
        JSON.stringify({
          '//': {
            metadata: { backend: 'local', stackName: stack, version: '0.21.0' },
            outputs: { [stack]: { release_version: 'release_version' } },
          },
          terraform: { backend: { local: { path: `../../../terraform.${stack}.tfstate` } } },
          output: { release_version: { value: `bundled ${stack}` } },
        }),
      );
    }
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
        .toString()
        .trim();
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'values');
    const built = await buildBundle({ environment: 'prod', cwd: root });
    // The working tree's synth changes after the bundle was built: the deploy must still run the bundle's stack.
    fs.rmSync(path.join(root, 'cdktf.out'), { recursive: true });

    const out = collector();
    const result = await deploy({
      stack: 'prod-green',
      bundle: built.file,
      cdktfArgs: ['--auto-approve'],
      cwd: root,
      stdin: 'ignore',
      bucket: BUCKET,
      endpoint: s3.endpoint,
      region: 'eu-west-1',
      attempts: 2,
      baseDelayMs: 20,
      stdout: out.write,
      stderr: out.write,
      callerIdentity: async () => ({
        principal: 'arn:aws:sts::111111111111:assumed-role/deploy/ci',
        source: 'test double of STS',
      }),
      env: {
        ...offlineTerraformEnv(writeCliConfig(root, process.env.TF_PLUGIN_MIRROR ?? '/opt/tf-plugins')),
        ...S3RVER_CREDENTIALS,
      },
    });
    expect({ exitCode: result.exitCode, log: result.exitCode === 0 ? '' : out.text().slice(-3000) }).toEqual({
      exitCode: 0,
      log: '',
    });
    const state = JSON.parse(fs.readFileSync(path.join(root, 'terraform.prod-green.tfstate'), 'utf8')) as {
      outputs: Record<string, { value: string }>;
    };
    expect(state.outputs.release_version.value).toBe('bundled prod-green');
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tfstate'))).toEqual(['terraform.prod-green.tfstate']); // one stack, no other
    const manifest = JSON.parse(fs.readFileSync(path.join(result.recordDir!, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.bundle).toEqual({
      file: path.basename(built.file),
      sha256: built.digest,
      commit: manifest.git.commit,
    });
    expect(manifest.outcome).toBe('succeeded');
    expect(result.uploadedTo).toMatch(new RegExp(`^s3://${BUCKET}/deployments/prod/prod-green/`));
  } finally {
    await s3.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}, 180_000);
