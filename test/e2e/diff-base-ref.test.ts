// `npm run diff -- --base <ref>` end to end: a real git repository, a real worktree of the ref, node_modules
// linked into it, and each side synthesized once by the project's own cdktf.json app command.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffMain } from '../../lib/commands/diff';

// A minimal cdktf-style app: writes one stack whose bucket name comes from values.json, and proves it can load a
// module from node_modules (which is untracked, so only the symlink makes it visible in the worktree).
const APP = `
const fs = require('fs');
const path = require('path');
const { suffix } = require('helper');
const values = JSON.parse(fs.readFileSync('values.json', 'utf8'));
const out = process.env.CDKTF_OUTDIR;
fs.mkdirSync(path.join(out, 'stacks', 'demo-shared'), { recursive: true });
fs.writeFileSync(path.join(out, 'stacks', 'demo-shared', 'cdk.tf.json'), JSON.stringify({
  terraform: { backend: { local: { path: '../../../terraform.demo-shared.tfstate' } } },
  resource: { aws_s3_bucket: { data: { '//': { metadata: { path: 'demo-shared/data' } }, bucket: values.bucket + suffix } } },
}));
`;

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
}

describe('diff --base <git-ref>', () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diff-repo-'));
  beforeAll(() => {
    fs.writeFileSync(path.join(repo, 'cdktf.json'), JSON.stringify({ app: 'node app.js' }));
    fs.writeFileSync(path.join(repo, 'app.js'), APP);
    fs.writeFileSync(path.join(repo, 'values.json'), JSON.stringify({ bucket: 'demo-data' }));
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\ncdktf.out/\n');
    fs.mkdirSync(path.join(repo, 'node_modules/helper'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'node_modules/helper/index.js'), "exports.suffix = '-v1';");
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  function run(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = diffMain(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: repo });
    return { code, stdout, stderr };
  }

  test('an unchanged working tree is a no-op (exit 0), and the worktree is cleaned up', () => {
    const r = run(['--base', 'main']);
    expect(r.stderr).toContain('checking out main');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(''); // a no-op is quiet
    const worktrees = spawnSync('git', ['worktree', 'list'], { cwd: repo, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(worktrees).toHaveLength(1);
  });

  test('renaming the bucket in the working tree is flagged as a stateful replacement (exit 1)', () => {
    fs.writeFileSync(path.join(repo, 'values.json'), JSON.stringify({ bucket: 'demo-records' }));
    const r = run(['--base', 'main', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.risks).toEqual([
      expect.objectContaining({ kind: 'stateful-replacement', stack: 'demo-shared', path: 'demo-shared/data' }),
    ]);
    expect(report.stacks[0].resources[0].attributes).toEqual([
      { path: 'bucket', before: 'demo-data-v1', after: 'demo-records-v1' },
    ]);
  });

  test('fails on an unknown ref with exit 2 (bad input)', () => {
    const r = run(['--base', 'no-such-branch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown git ref "no-such-branch"');
  });
});
