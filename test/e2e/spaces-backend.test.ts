// The S3-compatible state backend documented for DigitalOcean Spaces, proven with the real Terraform against a
// real S3-compatible server (s3rver) on loopback: init, apply, state object written, lock file taken and released.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { envDir, withValue } from '../support/env-dir';
import { S3RVER_CREDENTIALS, S3Server, startS3Server } from '../support/s3-server';
import { synthEnvironments, TfJson } from '../support/synth';

const BUCKET = 'shop-terraform-state';

function terraform(cwd: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  const env = {
    ...process.env,
    ...S3RVER_CREDENTIALS,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((resolve) => {
    execFile(
      'terraform',
      [...args, '-input=false', '-no-color'],
      { cwd, env, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}` }),
    );
  });
}

describe('state on an S3-compatible store (DigitalOcean Spaces)', () => {
  let server: S3Server;
  let cutover: TfJson;

  beforeAll(async () => {
    server = await startS3Server([BUCKET]);
    const backend = {
      type: 's3',
      bucket: BUCKET,
      region: 'us-east-1',
      keyPrefix: 'shop/dev',
      endpoint: server.endpoint,
    };
    cutover = synthEnvironments(envDir({ 'dev.yaml': withValue('dev.yaml', ['backend'], backend) }), ['dev']).get(
      'dev-cutover',
    )!;
  });
  afterAll(async () => {
    await server?.close();
  });

  test('the backend asks no AWS service: custom endpoint, no account lookup, no AWS checksums, path-style, lock file', () => {
    expect(cutover.terraform.backend).toEqual({
      s3: {
        bucket: BUCKET,
        region: 'us-east-1',
        key: 'shop/dev/dev-cutover.tfstate',
        encrypt: true,
        endpoints: { s3: server.endpoint },
        skip_credentials_validation: true,
        skip_region_validation: true,
        skip_metadata_api_check: true,
        skip_requesting_account_id: true,
        skip_s3_checksum: true,
        use_path_style: true,
        use_lockfile: true,
      },
    });
  });

  test('terraform init and apply keep the stack state in the bucket, under a lock', async () => {
    // The providers cannot be downloaded here, so apply the stack's backend and a literal output only.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-spaces-'));
    const liveColor = (cutover.output!.live_color as { value: string }).value;
    fs.writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({
        terraform: { backend: cutover.terraform.backend },
        output: { live_color: { value: liveColor } },
      }),
    );
    try {
      const init = await terraform(dir, ['init']);
      expect(init.output).toContain('Successfully configured the backend "s3"');
      expect(init.ok).toBe(true);
      const apply = await terraform(dir, ['apply', '-auto-approve']);
      expect(apply.output).toContain('live_color = "blue"');
      expect(apply.ok).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const key = `/${BUCKET}/shop/dev/dev-cutover.tfstate`;
    const seen = server.requests.map((r) => `${r.method} ${r.path}`);
    expect(seen).toContain(`PUT ${key}`);
    expect(seen).toContain(`PUT ${key}.tflock`);
    expect(seen).toContain(`DELETE ${key}.tflock`);
    const state = (await (await fetch(`${server.directEndpoint}${key}`)).json()) as {
      outputs: Record<string, { value: string }>;
    };
    expect(state.outputs.live_color.value).toBe('blue');
  });
});
