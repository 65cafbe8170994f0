// The cdktf/Terraform adapter: causes classified from the REAL Terraform error text (terraform init against a mirror
// without the pinned version, against an empty mirror, against an unreachable registry on loopback; an S3 backend and
// the AWS provider without credentials). Only cdktf itself is replaced (CDKTF_BIN stand-ins that run real terraform).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { classifyToolOutput, OutputsUnavailableError, readDeployedOutputs, readOutputsFile } from '../../lib/cli/cdktf';
import { UsageError } from '../../lib/cli/errors';
import { findProviderMirror, offlineTerraformEnv, terraform } from '../support/terraform';

const mirror = findProviderMirror();
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cdktf-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function dir(name: string, files: Record<string, unknown> = {}): string {
  const d = path.join(tmpRoot, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [file, content] of Object.entries(files))
    fs.writeFileSync(path.join(d, file), typeof content === 'string' ? content : JSON.stringify(content));
  return d;
}

function cliConfig(name: string, body: string): string {
  const file = path.join(dir('configs'), `${name}.tfrc`);
  fs.writeFileSync(file, body);
  return file;
}

const pinned = (version: string) => ({
  terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } },
});
/** No credentials anywhere Terraform looks (env, files, IMDS). */
function noCredentials(config: string): NodeJS.ProcessEnv {
  const env = offlineTerraformEnv(config, { PATH: process.env.PATH, HOME: dir('home'), GOGC: process.env.GOGC });
  return env;
}

async function realInit(name: string, config: string, files: Record<string, unknown>): Promise<string> {
  const d = dir(name, { 'main.tf.json': files });
  const run = await terraform(['init', '-input=false', '-no-color'], d, noCredentials(config));
  expect(run.code).toBe(1);
  return `${run.stdout}${run.stderr}`;
}

describe('classifyToolOutput on real Terraform errors', () => {
  test('a mirror without the pinned provider version: "no available releases match", not "registry unreachable"', async () => {
    expect(mirror).toBeDefined();
    const config = cliConfig(
      'mirror',
      `provider_installation {\n  filesystem_mirror { path = ${JSON.stringify(mirror!.path)} }\n}\n`,
    );
    const output = await realInit('pinned-missing', config, pinned('6.25.0'));
    expect(output).toContain('no available releases match the given constraints 6.25.0');
    const cause = classifyToolOutput(output);
    expect(cause.kind).toBe('provider-version-missing');
    expect(cause.reason).toContain('hashicorp/aws matching 6.25.0');
    expect(cause.evidence).toContain('no available releases match the given constraints 6.25.0');
  }, 60000);

  test('an empty mirror: the provider is not in it', async () => {
    const config = cliConfig(
      'empty',
      `provider_installation {\n  filesystem_mirror { path = ${JSON.stringify(dir('empty-mirror'))} }\n}\n`,
    );
    const output = await realInit('empty-mirror-init', config, pinned('6.25.0'));
    const cause = classifyToolOutput(output);
    expect(cause.kind).toBe('provider-version-missing');
    expect(cause.reason).toContain('registry.terraform.io/hashicorp/aws');
  }, 60000);

  test('an unreachable registry (its provider API pointed at a closed loopback port)', async () => {
    const config = cliConfig(
      'registry',
      'host "registry.terraform.io" {\n  services = {\n    "providers.v1" = "https://127.0.0.1:1/v1/providers/"\n  }\n}\n',
    );
    const output = await realInit('registry-down', config, pinned('6.25.0'));
    expect(output).toContain('could not query provider registry');
    expect(classifyToolOutput(output)).toMatchObject({ kind: 'registry-unreachable' });
  }, 60000);

  test('an S3 backend without credentials (AWS_EC2_METADATA_DISABLED=true)', async () => {
    const config = cliConfig(
      'mirror-s3',
      `provider_installation {\n  filesystem_mirror { path = ${JSON.stringify(mirror!.path)} }\n}\n`,
    );
    const output = await realInit('s3-no-creds', config, {
      terraform: { backend: { s3: { bucket: 'tfstate-example', key: 'prod-shared.tfstate', region: 'eu-west-1' } } },
    });
    expect(output).toContain('No valid credential sources found');
    expect(classifyToolOutput(output)).toMatchObject({ kind: 'no-credentials' });
  }, 60000);

  test('the AWS provider without credentials, at plan time', async () => {
    const config = cliConfig(
      'mirror-plan',
      `provider_installation {\n  filesystem_mirror { path = ${JSON.stringify(mirror!.path)} }\n}\n`,
    );
    const d = dir('provider-no-creds', {
      'main.tf.json': {
        ...pinned(mirror!.version),
        provider: { aws: [{ region: 'eu-west-1' }] },
        data: { aws_caller_identity: { me: {} } },
      },
    });
    const env = noCredentials(config);
    expect((await terraform(['init', '-input=false', '-no-color'], d, env)).code).toBe(0);
    const plan = await terraform(['plan', '-input=false', '-no-color'], d, env);
    expect(plan.code).toBe(1);
    expect(classifyToolOutput(`${plan.stdout}${plan.stderr}`)).toMatchObject({ kind: 'no-credentials' });
  }, 120000);

  test('anything else is "other" with the last error line, escape codes and box drawing removed', () => {
    const cause = classifyToolOutput(
      '\u001b[31m╷\n│ Error: Invalid reference\n│\n│ A reference to a resource type must be followed by an attribute.\n╵\u001b[0m\n',
    );
    expect(cause).toEqual({ kind: 'other', reason: 'Error: Invalid reference', evidence: 'Error: Invalid reference' });
  });
});

describe('readDeployedOutputs (cdktf replaced by stand-ins through CDKTF_BIN)', () => {
  function standIn(name: string, script: string): string {
    const file = path.join(dir('bin'), name);
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return file;
  }
  const project = dir('project');
  fs.mkdirSync(path.join(project, 'environments'));
  fs.writeFileSync(path.join(project, 'environments', 'prod.yaml'), 'name: prod\n');

  test('runs cdktf output for the stack, leaves sensitive values out unless asked, reads the file', async () => {
    const args = path.join(tmpRoot, 'args');
    const source = path.join(dir('src', { 'o.json': { 'prod-shared': { vpc_id: 'vpc-9' } } }), 'o.json');
    const bin = standIn(
      'ok',
      `echo "$@" > ${args}\nwhile [ $# -gt 0 ]; do [ "$1" = --outputs-file ] && cp ${source} "$2"; shift; done\nexit 0`,
    );
    const lines: string[] = [];
    expect(
      await readDeployedOutputs('prod-shared', {
        cwd: project,
        env: { ...process.env, CDKTF_BIN: bin },
        log: (l) => lines.push(l),
      }),
    ).toEqual({ vpc_id: 'vpc-9' });
    expect(fs.readFileSync(args, 'utf8').trim()).toMatch(/^output prod-shared --outputs-file \S+\/outputs\.json$/);
    expect(lines).toEqual(['reading the outputs of prod-shared (ok output prod-shared)']);
  });

  test('an environment that does not exist is a usage error, before cdktf runs', async () => {
    const bin = standIn('never', `touch ${path.join(tmpRoot, 'ran')}\nexit 1`);
    const run = readDeployedOutputs('nosuch-cutover', { cwd: project, env: { ...process.env, CDKTF_BIN: bin } });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(
      'environment "nosuch" does not exist: no environments/nosuch.yaml (environments: prod)',
    );
    expect(fs.existsSync(path.join(tmpRoot, 'ran'))).toBe(false);
  });

  test('a stack without outputs is "not deployed", with the deploy command the user has', async () => {
    const bin = standIn(
      'empty',
      'while [ $# -gt 0 ]; do [ "$1" = --outputs-file ] && echo \'{"prod-cutover":{}}\' > "$2"; shift; done\nexit 0',
    );
    const run = readDeployedOutputs('prod-cutover', { cwd: project, env: { ...process.env, CDKTF_BIN: bin } });
    await expect(run).rejects.toMatchObject({ kind: 'stack-not-deployed', exitCode: 3 });
    await expect(run).rejects.toThrow(
      'prod-cutover has no outputs: it is not deployed yet; deploy it first (npx cdktf-bluegreen deploy prod-cutover), or pass --outputs <file.json>',
    );
  });

  test('real Terraform without the pinned provider version: the error says so, not "deploy first"', async () => {
    const config = cliConfig(
      'mirror-out',
      `provider_installation {\n  filesystem_mirror { path = ${JSON.stringify(mirror!.path)} }\n}\n`,
    );
    const stack = dir('stack-6.25', { 'main.tf.json': pinned('6.25.0') });
    const bin = standIn('tf-init', `cd ${stack} && exec terraform init -input=false`);
    const run = readDeployedOutputs('prod-shared', { cwd: project, env: { ...noCredentials(config), CDKTF_BIN: bin } });
    await expect(run).rejects.toBeInstanceOf(OutputsUnavailableError);
    await expect(run).rejects.toMatchObject({ kind: 'provider-version-missing', exitCode: 3 });
    await expect(run).rejects.toThrow(
      /no release of hashicorp\/aws matching 6\.25\.0.*\(Terraform: .*no available releases match the given constraints 6\.25\.0\)/,
    );
    await expect(run).rejects.not.toThrow(/deploy/);
  }, 60000);

  test("an unclassified failure keeps cdktf's error line and the offline hint", async () => {
    const bin = standIn('fail', 'echo "Error: something unexpected" >&2\nexit 1');
    await expect(
      readDeployedOutputs('prod-shared', { cwd: project, env: { ...process.env, CDKTF_BIN: bin } }),
    ).rejects.toThrow(
      'cannot read the outputs of prod-shared (Error: something unexpected); pass --outputs <file.json>',
    );
  });
});

describe('readOutputsFile', () => {
  test("reads a cdktf outputs file (picking the stack), one stack's outputs, and terraform output -json", () => {
    const d = dir('files', {
      'cdktf.json': { 'prod-shared': { vpc_id: 'vpc-1' }, 'prod-blue': { vpc_id: 'nope' } },
      'one.json': { vpc_id: 'vpc-2' },
      'tf.json': {
        vpc_id: { value: 'vpc-3', sensitive: false, type: 'string' },
        cfg: { value: { a: 1 }, sensitive: true, type: ['object', {}] },
      },
    });
    expect(readOutputsFile(path.join(d, 'cdktf.json'), 'prod-shared')).toEqual({ vpc_id: 'vpc-1' });
    expect(readOutputsFile(path.join(d, 'one.json'), 'prod-shared')).toEqual({ vpc_id: 'vpc-2' });
    expect(readOutputsFile(path.join(d, 'tf.json'), 'prod-shared')).toEqual({ vpc_id: 'vpc-3', cfg: { a: 1 } });
  });

  test('fails on a file of other stacks, on a non-object and on broken JSON, naming the file', () => {
    const d = dir('bad-files', { 'other.json': { 'staging-shared': {} }, 'array.json': [1, 2], 'broken.json': '{' });
    expect(() => readOutputsFile(path.join(d, 'other.json'), 'prod-shared', 'pass --bucket')).toThrow(
      `${d}/other.json: has no outputs for stack prod-shared; deploy prod-shared first, or pass --bucket`,
    );
    expect(() => readOutputsFile(path.join(d, 'array.json'), 'prod-shared')).toThrow(
      `${d}/array.json: expected a JSON object of stack outputs`,
    );
    expect(() => readOutputsFile(path.join(d, 'broken.json'), 'x')).toThrow(
      /broken\.json: cannot read the outputs file/,
    );
  });
});
