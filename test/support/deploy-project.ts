/**
 * A throw-away project for the deploy and archive commands: the shipped environments, a git repository with one
 * commit, a synthesized stack and a saved plan, and a stand-in `cdktf` executable (the only double: it replaces
 * the cloud deploy). The stand-in records its arguments, prints cdktf-like phase lines, rewrites the stack's
 * cdk.tf.json as synth would, exits with `STANDIN_EXIT`, and answers `output <stack> --outputs-file <f>` with the
 * archive outputs taken from `STANDIN_BUCKET`, `STANDIN_ENDPOINT` (named as the DigitalOcean shared stack names them
 * when `STANDIN_OUTPUT_STYLE=digitalocean`) (or, when `STANDIN_NO_OUTPUTS` is set, fails until a `<env>-shared` stack has been deployed, like a first deploy).
 * With `STANDIN_WAIT_FOR_SIGNAL` it keeps "creating" until SIGINT/SIGTERM, then stops gracefully (and notes the signal).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { envDir } from './env-dir';

const STAND_IN = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const [command, stack, ...rest] = process.argv.slice(2);
fs.appendFileSync(process.env.STANDIN_CALLS, JSON.stringify(process.argv.slice(2)) + '\\n');
if (command === 'output') {
  if (process.env.STANDIN_NO_OUTPUTS && !fs.existsSync('.standin-shared-deployed')) { console.error('Error: no state for ' + stack); process.exit(1); }
  const file = rest[rest.indexOf('--outputs-file') + 1];
  const outputs = process.env.STANDIN_OUTPUT_STYLE === 'digitalocean'
    ? { deployment_records_bucket: process.env.STANDIN_BUCKET, archive_region: 'fra1', archive_endpoint: process.env.STANDIN_ENDPOINT }
    : { deployment_records_bucket: process.env.STANDIN_BUCKET, archive_region: 'eu-west-1', archive_endpoint: process.env.STANDIN_ENDPOINT };
  fs.writeFileSync(file, JSON.stringify({ [stack]: outputs }));
  process.exit(0);
}
if (command !== 'deploy') { console.error('stand-in: unexpected command ' + command); process.exit(64); }
if (stack.endsWith('-shared')) fs.writeFileSync('.standin-shared-deployed', '');
const dir = path.join('cdktf.out', 'stacks', stack);
fs.mkdirSync(dir, { recursive: true });
console.log(stack + '  Synthesizing');
if (process.env.STANDIN_USAGE_ERROR) {
  // What cdktf 0.21 printed for a stack with cross-stack references deployed alone: it stops before Terraform.
  console.error('Usage Error: The following dependencies are not included in the stacks to run: ' + process.env.STANDIN_USAGE_ERROR);
  process.exit(1);
}
// STANDIN_STACK_KIB pads the stack JSON (a large stack: its upload arrives in many chunks).
const padding = process.env.STANDIN_STACK_KIB ? { '//': 'x'.repeat(Number(process.env.STANDIN_STACK_KIB) * 1024) } : {};
fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ ...padding, resource: { aws_instance: { web: { ami: 'ami-0f1e2d3c4b5a69788' } } }, stack }, null, 2));
console.log(stack + '  Initializing the backend...');
console.log(stack + '  Terraform used the selected providers to generate the following execution plan.');
console.log(stack + '  Plan: 1 to add, 0 to change, 0 to destroy.');
console.log(stack + '  aws_instance.web: Creating...');
if (process.env.STANDIN_WAIT_FOR_SIGNAL) {
  // Like Terraform mid-apply: on SIGINT/SIGTERM it finishes the current operation, writes state, then exits 1.
  const stop = (signal) => {
    fs.appendFileSync(process.env.STANDIN_CALLS, JSON.stringify(['signal', signal]) + '\\n');
    console.log(stack + '  Interrupt received. Please wait for Terraform to exit or data loss may occur. Gracefully shutting down...');
    setTimeout(() => {
      console.log(stack + '  aws_instance.web: Creation complete after 3s; state saved');
      console.error(stack + '  Error: execution halted');
      process.exit(1);
    }, 300);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  setInterval(() => console.log(stack + '  aws_instance.web: Still creating... [10s elapsed]'), 200);
  return;
}
const code = Number(process.env.STANDIN_EXIT || 0);
if (code !== 0) {
  console.error(stack + '  Error: creating EC2 Instance: UnauthorizedOperation (stand-in failure)');
  process.exit(code);
}
console.log(stack + '  Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
`;

/** A prepared project directory. */
export interface DeployProject {
  /** Project root (the deploy's cwd). */
  readonly root: string;
  /** The stand-in cdktf executable. */
  readonly cdktfBin: string;
  /** File the stand-in appends its argument lists to (one JSON array per line). */
  readonly callsFile: string;
  /** The commit of the project's repository. */
  readonly commit: string;
  /** The stand-in's argument lists so far. */
  calls(): string[][];
  /** Removes the project. */
  remove(): void;
}

/** A secret that the saved plan files of {@link deployProject} carry (as Terraform's would); no record may hold it. */
export const PLAN_SECRET = 'pl4n-S3cret-0c9d1e';

/**
 * Creates the project; `plan` writes what `npm run plan` leaves for `prod-green` (the binary plan, which embeds
 * state and so a secret; the redacted summary), plus a raw show-JSON with the secret as an earlier version left it.
 */
export function deployProject(options: { plan?: boolean } = {}): DeployProject {
  const root = path.dirname(envDir());
  const bin = path.join(root, 'bin-standin', 'cdktf');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.writeFileSync(bin, STAND_IN, { mode: 0o755 });
  const callsFile = path.join(root, 'standin-calls.jsonl');
  fs.writeFileSync(callsFile, '');
  if (options.plan ?? true) {
    const stackDir = path.join(root, 'cdktf.out', 'stacks', 'prod-green');
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(
      path.join(stackDir, 'plan.tfplan'),
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(`tfstate ${PLAN_SECRET}`), randomBytes(1024)]),
      { mode: 0o600 },
    );
    fs.writeFileSync(
      path.join(stackDir, 'plan.json'),
      JSON.stringify({ format_version: '1.2', prior_state: { values: { password: PLAN_SECRET } } }),
    );
    fs.writeFileSync(
      path.join(stackDir, 'plan-summary.json'),
      JSON.stringify({
        format: 'cdktf-bluegreen/plan-summary@1',
        resourceChanges: [{ address: 'aws_instance.web', actions: ['create'] }],
      }),
    );
  }
  fs.writeFileSync(
    path.join(root, '.gitignore'),
    '.deployments/\ncdktf.out/\nbin-standin/\nstandin-calls.jsonl\n.standin-shared-deployed\n',
  );
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trim();
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'values');
  const commit = git('rev-parse', 'HEAD');
  return {
    root,
    cdktfBin: bin,
    callsFile,
    commit,
    calls: () =>
      fs
        .readFileSync(callsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** A line collector for a command's stdout/stderr. */
export function collector(): { write: (t: string) => void; text: () => string } {
  const parts: string[] = [];
  return { write: (t) => void parts.push(t), text: () => parts.join('') };
}
