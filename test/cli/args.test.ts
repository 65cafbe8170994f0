import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { npmConsumedFlags, parseCommandArgs } from '../../lib/cli/args';
import { UsageError } from '../../lib/cli/errors';
import { commandLine, forInvocation } from '../../lib/cli/invocation';
import { plainText } from '../../lib/cli/terminal';

const spec = {
  command: 'cutover',
  flags: {
    weight: { type: 'string' as const },
    'dry-run': { type: 'boolean' as const },
    outputs: { type: 'string' as const },
  },
  deprecated: { 'shared-outputs': 'outputs' },
};
const notNpm = { env: {}, cwd: os.tmpdir() };

describe('parseCommandArgs', () => {
  test('parses flags, positionals and what follows --', () => {
    const args = parseCommandArgs(['prod', '--weight', '10', 'blue', '--dry-run', '--', '--x'], spec, notNpm);
    expect(args).toMatchObject({
      flags: { weight: '10', 'dry-run': true },
      positionals: ['prod', 'blue'],
      passThrough: ['--x'],
      help: false,
      warnings: [],
    });
    expect(parseCommandArgs(['-h'], spec, notNpm).help).toBe(true);
  });

  test("fails on an unknown flag, naming it and the command's --help as the user runs it", () => {
    expect(() => parseCommandArgs(['prod', '--wieght', '10'], spec, notNpm)).toThrow(
      new UsageError('unknown option --wieght (see npx cdktf-bluegreen cutover --help)'),
    );
    expect(() => parseCommandArgs(['--weight'], spec, notNpm)).toThrow(
      '--weight needs a value (see npx cdktf-bluegreen cutover --help)',
    );
    expect(() => parseCommandArgs(['--dry-run=yes'], spec, notNpm)).toThrow('--dry-run takes no value');
  });

  test('accepts a deprecated spelling under its current name, with a warning', () => {
    const args = parseCommandArgs(['--shared-outputs', 'o.json'], spec, notNpm);
    expect(args.flags).toEqual({ outputs: 'o.json' });
    expect(args.warnings).toEqual(['--shared-outputs is deprecated; use --outputs']);
  });

  test('keeps pass-through flags of another program in order, with their values', () => {
    const args = parseCommandArgs(
      ['prod-green', '--auto-approve', '--outputs-file', 'o.json', '--parallelism=2', '--', '--var', 'x=1'],
      {
        command: 'deploy',
        flags: { bucket: { type: 'string' } },
        passThrough: {
          'auto-approve': { type: 'boolean' },
          'outputs-file': { type: 'string' },
          parallelism: { type: 'string' },
        },
      },
      notNpm,
    );
    expect(args.positionals).toEqual(['prod-green']);
    expect(args.passThrough).toEqual(['--auto-approve', '--outputs-file', 'o.json', '--parallelism=2', '--var', 'x=1']);
  });
});

describe('flags npm consumed', () => {
  const npmEnv = { npm_command: 'run', npm_lifecycle_event: 'cutover', npm_config_dry_run: 'true' };

  test("only under npm run, only the command's own flags", () => {
    expect(npmConsumedFlags(['dry-run', 'weight'], npmEnv)).toEqual(['dry-run']);
    expect(npmConsumedFlags(['dry-run'], { ...npmEnv, npm_command: 'test' })).toEqual([]);
    expect(npmConsumedFlags(['weight'], npmEnv)).toEqual([]);
  });

  test('are refused with the right spelling', () => {
    expect(() => parseCommandArgs(['prod', 'blue'], spec, { env: npmEnv })).toThrow(
      new UsageError(
        'npm took --dry-run for itself (flags before "--" go to npm, not to the command); nothing was done. Run: npm run cutover -- prod blue --dry-run',
      ),
    );
    expect(() =>
      parseCommandArgs(['prod', 'blue', '10'], spec, { env: { ...npmEnv, npm_config_weight: 'true' } }),
    ).toThrow(
      'npm took --weight, --dry-run for itself (flags before "--" go to npm, not to the command), and passed the value on as an argument; nothing was done. Run: npm run cutover -- prod blue 10 --weight <value> --dry-run',
    );
  });

  test('as the real npm sets them: npm run <script> prod blue --dry-run without --', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-eats-'));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'x', version: '1.0.0', scripts: { cutover: 'node env.js' } }),
    );
    fs.writeFileSync(
      path.join(dir, 'env.js'),
      'process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), env: process.env }))',
    );
    const run = spawnSync('npm', ['run', '--silent', 'cutover', 'prod', 'blue', '--dry-run'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir },
    });
    expect(run.status).toBe(0);
    const seen = JSON.parse(run.stdout) as { argv: string[]; env: NodeJS.ProcessEnv };
    expect(seen.argv).toEqual(['prod', 'blue']);
    expect(() => parseCommandArgs(seen.argv, spec, { env: seen.env })).toThrow(
      'Run: npm run cutover -- prod blue --dry-run',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60000);
});

describe('how the user runs a command', () => {
  test('npm run <command> -- where the project has the script, else npx cdktf-bluegreen <command>', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'invocation-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { deploy: 'x' } }));
    expect(commandLine('deploy', ['prod-cutover'], { cwd: dir })).toBe('npm run deploy -- prod-cutover');
    expect(commandLine('smoke', ['--env', 'prod'], { cwd: dir })).toBe('npx cdktf-bluegreen smoke --env prod');
    expect(forInvocation('Usage: npm run deploy -- <stack>\n  npm run smoke -- --env <env>\n', { cwd: dir })).toBe(
      'Usage: npm run deploy -- <stack>\n  npx cdktf-bluegreen smoke --env <env>\n',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('plainText', () => {
  test('real cdktf output piped to a file: spinner frames and escape codes gone, the messages kept', () => {
    const raw = fs.readFileSync(path.join(__dirname, 'fixtures', 'cdktf-synth-piped.txt'), 'utf8');
    expect(raw).toContain('\u001b[2K\u001b[1A');
    expect(raw).toContain('⠋  Synthesizing');
    const text = plainText(raw);
    expect(text).not.toMatch(/\u001b|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(text).toContain(
      'guardrails: 32 rules over 4 stacks: 0 violation(s), 0 suppressed\n\nGenerated Terraform code for the stacks: dev-blue, dev-cutover, dev-green,\ndev-shared\n',
    );
  });

  test('carriage-return redraws keep the final state; colours are dropped', () => {
    expect(plainText('a\rb\nprogress 10%\rprogress 100%\n\u001b[32mok\u001b[0m\n')).toBe('b\nprogress 100%\nok\n');
  });
});
