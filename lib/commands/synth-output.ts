/**
 * Synthesized stacks on disk (`<outdir>/stacks/<stack>/cdk.tf.json`) and how to produce them: for the working
 * tree, or for a git ref checked out into a temporary worktree that reuses this checkout's node_modules.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';

/** A synthesized stack's Terraform JSON. */
export type StackJson = Record<string, unknown>;

/** Raised when synthesized output cannot be read or produced; the message says which and why. */
export class SynthOutputError extends CommandError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
    this.name = 'SynthOutputError';
  }
}

/**
 * Reads the synthesized stacks of an output directory, by stack name (sorted): those its `manifest.json` lists
 * (the last synth; stale directories of earlier synths are ignored), or every `stacks/<stack>/cdk.tf.json` when
 * there is no manifest (hand-written trees).
 */
export function readSynthOutput(outdir: string): Map<string, StackJson> {
  const stacksDir = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDir)) {
    throw new SynthOutputError(
      `${outdir}: no synthesized stacks (expected ${stacksDir}/<stack>/cdk.tf.json); run "npx cdktf synth" first`,
    );
  }
  let names = fs.readdirSync(stacksDir);
  const manifestFile = path.join(outdir, 'manifest.json');
  if (fs.existsSync(manifestFile)) {
    try {
      names = Object.keys(
        (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, unknown> }).stacks ?? {},
      );
    } catch (e) {
      throw new SynthOutputError(`${manifestFile}: not valid JSON (${(e as Error).message})`);
    }
  }
  const out = new Map<string, StackJson>();
  for (const name of names.sort()) {
    const file = path.join(stacksDir, name, 'cdk.tf.json');
    if (!fs.existsSync(file)) continue;
    try {
      out.set(name, JSON.parse(fs.readFileSync(file, 'utf8')) as StackJson);
    } catch (e) {
      throw new SynthOutputError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  return out;
}

/** Progress and log output. */
export type Log = (line: string) => void;

/**
 * Synthesizes the project in `projectDir` into its own output directory (`output` of its `cdktf.json`, default
 * `cdktf.out`) by running the `app` command of its `cdktf.json`, exactly as `cdktf synth` does. The output stays
 * where cdktf puts it so that paths inside it (a local backend's state path) match a normal synth. Environment
 * variables such as `SYNTH_ENVS` pass through.
 */
export function synthesizeProject(
  projectDir: string,
  label: string,
  log: Log = () => {},
): { stacks: Map<string, StackJson>; outdir: string } {
  const cdktfJson = path.join(projectDir, 'cdktf.json');
  if (!fs.existsSync(cdktfJson)) throw new SynthOutputError(`${label}: no cdktf.json in ${projectDir}`);
  const settings = JSON.parse(fs.readFileSync(cdktfJson, 'utf8')) as { app?: string; output?: string };
  const app = settings.app;
  const outdir = path.resolve(projectDir, settings.output ?? 'cdktf.out');
  if (!app) throw new SynthOutputError(`${label}: cdktf.json has no "app" command`);
  log(`synthesizing ${label} ...`);
  const started = Date.now();
  const env = { ...process.env, CDKTF_OUTDIR: outdir };
  const run = spawnSync(app, { cwd: projectDir, shell: true, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    const tail = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new SynthOutputError(`${label}: synth failed (exit ${run.status ?? run.signal}):\n${tail}`);
  }
  const stacks = readSynthOutput(outdir);
  log(`synthesized ${label}: ${stacks.size} stacks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { stacks, outdir };
}

function git(cwd: string, args: string[]): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0)
    throw new SynthOutputError(`git ${args.join(' ')}: ${(run.stderr || run.stdout || `exit ${run.status}`).trim()}`);
  return run.stdout.trim();
}

/**
 * Synthesizes a git ref of the project in `projectDir`: checks it out into a temporary worktree (detached),
 * links this checkout's `node_modules` into it, synthesizes there, reads the stacks, and removes the worktree.
 */
export function synthesizeRef(projectDir: string, ref: string, log: Log = () => {}): Map<string, StackJson> {
  const root = git(projectDir, ['rev-parse', '--show-toplevel']);
  const sub = path.relative(root, path.resolve(projectDir));
  let commit: string;
  try {
    commit = git(projectDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new SynthOutputError(
      `unknown git ref "${ref}" (git rev-parse found no commit; fetch it first, e.g. git fetch origin ${ref})`,
    );
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-base-'));
  const worktree = path.join(tmp, 'tree');
  log(`checking out ${ref} (${commit.slice(0, 12)}) into a temporary worktree ...`);
  git(root, ['worktree', 'add', '--detach', '--quiet', worktree, commit]);
  try {
    const baseProject = path.join(worktree, sub);
    const modules = path.join(path.resolve(projectDir), 'node_modules');
    if (fs.existsSync(modules) && !fs.existsSync(path.join(baseProject, 'node_modules')))
      fs.symlinkSync(modules, path.join(baseProject, 'node_modules'), 'dir');
    return synthesizeProject(baseProject, `base ${ref}`, log).stacks;
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
