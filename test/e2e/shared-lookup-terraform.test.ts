// The published channel under real Terraform: `terraform test` plans the synthesized prod-green and prod-cutover
// with the real hashicorp/aws provider 5.100.0 schema (filesystem mirror, no registry) and a mock provider
// (`mock_provider`, no AWS account here) whose `aws_ssm_parameters_by_path` answer is set per run: without what
// prod-shared publishes the plan stops with the postcondition naming prod-shared; with it, the values reach the
// fleet and the listeners.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEnvironments } from '../../lib/config';
import { AWS_SHARED_READS, AwsSharedValueKey, sharedParameterPath } from '../../stacks/contract';
import { envDir } from '../support/env-dir';
import { synthConfigs, TfJson } from '../support/synth';
import { findProviderMirror, offlineTerraformEnv, writeCliConfig } from '../support/terraform';

// The AWS provider from the machine's filesystem mirror (no registry); a missing mirror fails here, also locally:
// this test has no stand-in for the provider's schema.
const mirror = findProviderMirror();
if (!mirror) throw new Error('no Terraform filesystem mirror with hashicorp/aws (set TF_PLUGIN_MIRROR; see .ci/run)');
const AWS_VERSION = mirror.version;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-shared-lookup-'));
const env = offlineTerraformEnv(writeCliConfig(root, mirror.path));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const texts = synthConfigs(loadEnvironments({ dir: envDir(), only: ['prod'] }));

/** A stack's JSON in its own directory without the S3 backend, with the provider version relaxed to the mirror's. */
function stackDir(name: string): { dir: string; lookup: string; json: TfJson } {
  const json = JSON.parse(texts.get(name)!) as TfJson;
  const { backend: _backend, ...terraformBlock } = json.terraform;
  Object.assign(json, { terraform: terraformBlock });
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'tests'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(json));
  fs.writeFileSync(
    path.join(dir, 'version_override.tf.json'),
    JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_VERSION } } } }),
  );
  const [lookup] = Object.keys(json.data?.aws_ssm_parameters_by_path ?? {});
  const init = terraform(dir, ['init', '-backend=false', '-input=false', '-no-color']);
  if (init.status !== 0) throw new Error(`terraform init in ${dir} failed:\n${init.stderr}`);
  return { dir, lookup, json };
}

function terraform(cwd: string, args: string[]) {
  return spawnSync('terraform', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** Writes `tests/run.tftest.hcl` into the stack's directory and expects `terraform test` to pass it. */
function expectTestPasses(dir: string, file: string): void {
  fs.writeFileSync(path.join(dir, 'tests', 'run.tftest.hcl'), file);
  const r = terraform(dir, ['test', '-no-color']);
  expect(r.stdout + r.stderr).toContain('Success! 1 passed, 0 failed.');
  expect(r.status).toBe(0);
}

/** A `terraform test` file: a mock AWS provider (partition `aws`) and the parameters the lookup answers with. */
function testFile(lookup: string, parameters: Record<string, string>, asserts = ''): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return `mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111111111111" }
  }
  # The fleet checks the image's root device against fleet.rootDeviceName (default /dev/xvda).
  mock_data "aws_ami" {
    defaults = { root_device_name = "/dev/xvda" }
  }
}

run "plan" {
  command = plan
  override_data {
    target = data.aws_ssm_parameters_by_path.${lookup}
    values = {
      names  = ${list(Object.keys(parameters))}
      values = ${list(Object.values(parameters))}
    }
  }
${asserts}
}
`;
}

const SAMPLE: Record<AwsSharedValueKey, string> = {
  privateSubnetIds: 'subnet-0a,subnet-0b,subnet-0c',
  instanceSecurityGroupId: 'sg-0123456789abcdef0',
  blueTargetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-prod-blue/0123456789abcdef',
  greenTargetGroupArn:
    'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-prod-green/0123456789abcdef',
  loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-prod/0123456789abcdef',
  certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555',
  hostname: 'shop.example.com',
  appFilesAccessPolicyArn: 'arn:aws:iam::111111111111:policy/shop-prod-app-files',
  registryPullPolicyArn: 'arn:aws:iam::111111111111:policy/shop-prod-registry-pull',
  logForwarderReadPolicyArn: 'arn:aws:iam::111111111111:policy/shop-prod-log-forwarder-read',
};
const published = (keys: readonly AwsSharedValueKey[]) =>
  Object.fromEntries(keys.map((k) => [sharedParameterPath('shop', 'prod', k), SAMPLE[k]]));

describe('prod-green under terraform test (real AWS provider schema, mocked AWS)', () => {
  const { dir, lookup, json } = stackDir('prod-green');
  const [asg] = Object.keys(json.resource?.aws_autoscaling_group ?? {});
  const [template] = Object.keys(json.resource?.aws_launch_template ?? {});

  test('without what prod-shared publishes, the plan stops and names the stack to deploy first', () => {
    fs.writeFileSync(
      path.join(dir, 'tests', 'run.tftest.hcl'),
      testFile(lookup, { '/shop/prod/shared/hostname': 'shop.example.com' }),
    );
    const r = terraform(dir, ['test', '-no-color']);
    const out = (r.stdout + r.stderr).replace(/\s+/g, ' ');
    expect(r.status).toBe(1);
    expect(out).toContain('Resource postcondition failed');
    expect(out).toContain(
      'prod-shared has not been deployed (or is older than this release): deploy it first with `npx cdktf deploy prod-shared`. Missing: /shop/prod/shared/app-files-access-policy-arn,',
    );
  });

  test('with them, the fleet gets the subnets, security group, target group and policies prod-shared published', () => {
    const asserts = `
  assert {
    condition     = toset(aws_autoscaling_group.${asg}.vpc_zone_identifier) == toset(["subnet-0a", "subnet-0b", "subnet-0c"])
    error_message = "subnets"
  }
  assert {
    condition     = tolist(aws_autoscaling_group.${asg}.target_group_arns) == tolist([${JSON.stringify(SAMPLE.greenTargetGroupArn)}])
    error_message = "target group"
  }
  assert {
    condition     = tolist(aws_launch_template.${template}.vpc_security_group_ids) == tolist([${JSON.stringify(SAMPLE.instanceSecurityGroupId)}])
    error_message = "security group"
  }`;
    expectTestPasses(dir, testFile(lookup, published(AWS_SHARED_READS.green), asserts));
  });
});

describe('prod-cutover under terraform test (real AWS provider schema, mocked AWS)', () => {
  const { dir, lookup, json } = stackDir('prod-cutover');
  const https = Object.entries(json.resource?.aws_lb_listener ?? {}).find(([, l]) => l.port === 443)![0];

  test('with what prod-shared publishes, the listeners attach to its load balancer, certificate and target groups', () => {
    const asserts = `
  assert {
    condition     = aws_lb_listener.${https}.load_balancer_arn == ${JSON.stringify(SAMPLE.loadBalancerArn)} && aws_lb_listener.${https}.certificate_arn == ${JSON.stringify(SAMPLE.certificateArn)}
    error_message = "load balancer or certificate"
  }
  assert {
    condition     = output.live_url == "https://shop.example.com"
    error_message = "live url"
  }`;
    expectTestPasses(dir, testFile(lookup, published(AWS_SHARED_READS.cutover), asserts));
  });
});
