import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import {
  CHECKOV_EXIT,
  checkovMain,
  CheckovSkip,
  globMatches,
  loadSkips,
  matchingSkip,
  README_MARKERS,
  renderSkipsTable,
  SKIPS_FILE,
  SkipsFileError,
  VENV_CHECKOV,
} from '../../bin/checkov';
import { ALL_RULES } from '../../lib/policy/rules';

const ROOT = path.resolve(__dirname, '../..');
const skips = loadSkips(path.join(ROOT, SKIPS_FILE));

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-test-'));
}

function writeSkips(dir: string, list: readonly CheckovSkip[]): string {
  const file = path.join(dir, 'skips.yaml');
  fs.writeFileSync(file, stringify({ skips: list }));
  return file;
}

describe(`the checked-in ${SKIPS_FILE}`, () => {
  test('every skip names a checkov check id and says why', () => {
    expect(skips.length).toBeGreaterThan(0);
    for (const s of skips) {
      expect(s.id).toMatch(/^CKV2?_[A-Z]+_\d+$/);
      expect(s.reason.trim().length).toBeGreaterThanOrEqual(20);
    }
  });

  test('the README lists exactly these skips, with their scope and reason', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(README_MARKERS.start);
    const end = readme.indexOf(README_MARKERS.end);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    // Regenerate with `npm run checkov -- --write-readme`.
    expect(readme.slice(start + README_MARKERS.start.length, end).trim()).toBe(renderSkipsTable(skips));
  });

  test('a check the guardrails also enforce is never skipped everywhere: the skip names stacks or construct paths', () => {
    const guarded = new Set(
      ALL_RULES.flatMap((r) => (r.checkovId ?? '').split(',').map((id) => id.trim())).filter(Boolean),
    );
    const global = skips.filter((s) => guarded.has(s.id) && !s.paths && !s.stacks).map((s) => s.id);
    expect(global).toEqual([]);
  });
});

describe('loadSkips: a bad skips file', () => {
  const dir = tmpDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fails on a check id that is not one, naming file and key path', () => {
    const file = path.join(dir, 'bad-id.yaml');
    fs.writeFileSync(file, 'skips:\n  - id: CKV-AWS-1\n    reason: a reason long enough to pass the length rule\n');
    expect(() => loadSkips(file)).toThrow(SkipsFileError);
    expect(() => loadSkips(file)).toThrow(`${file}: skips.0.id: must be a checkov check id`);
  });

  test('fails on a skip without a reason', () => {
    const file = path.join(dir, 'no-reason.yaml');
    fs.writeFileSync(file, 'skips:\n  - id: CKV_AWS_1\n    reason: "  "\n');
    expect(() => loadSkips(file)).toThrow(`${file}: skips.0.reason: say why`);
  });

  test('fails on an unknown key (a typo would widen the skip)', () => {
    const file = path.join(dir, 'typo.yaml');
    fs.writeFileSync(
      file,
      'skips:\n  - id: CKV_AWS_1\n    path: [a/b]\n    reason: a reason long enough to pass the length rule\n',
    );
    expect(() => loadSkips(file)).toThrow(/skips\.0.*Unrecognized key.*path/);
  });

  test('fails on a duplicate skip', () => {
    const file = path.join(dir, 'dup.yaml');
    const one = { id: 'CKV_AWS_1', reason: 'a reason long enough to pass the length rule' };
    fs.writeFileSync(file, stringify({ skips: [one, one] }));
    expect(() => loadSkips(file)).toThrow(`${file}: skips.1: duplicates skips.0 (CKV_AWS_1)`);
  });
});

describe('matching a finding to a skip', () => {
  test('globs: * stays inside one path segment, ** crosses segments', () => {
    expect(globMatches('*/key-policy', 'app-files/key-policy')).toBe(true);
    expect(globMatches('*/key-policy', 'a/b/key-policy')).toBe(false);
    expect(globMatches('**/key-policy', 'a/b/key-policy')).toBe(true);
    expect(globMatches('staging-*', 'staging-shared')).toBe(true);
    expect(globMatches('staging-*', 'prod-shared')).toBe(false);
    expect(globMatches('alb/alb', 'alb/alb-in-http')).toBe(false);
  });

  test('a skip applies only to its check id, stacks and paths', () => {
    const skip: CheckovSkip = {
      id: 'CKV_AWS_150',
      stacks: ['staging-*'],
      paths: ['alb/alb'],
      reason: 'staging opts out by its values',
    };
    const finding = { id: 'CKV_AWS_150', name: 'x', stack: 'staging-shared', path: 'alb/alb', resource: 'aws_lb.alb' };
    expect(matchingSkip(finding, [skip])).toBe(skip);
    expect(matchingSkip({ ...finding, stack: 'prod-shared' }, [skip])).toBeUndefined();
    expect(matchingSkip({ ...finding, path: 'other/alb' }, [skip])).toBeUndefined();
    expect(matchingSkip({ ...finding, id: 'CKV_AWS_91' }, [skip])).toBeUndefined();
  });
});

describe('npm run checkov: command line', () => {
  test('--help prints the usage and exits 0', () => {
    let out = '';
    expect(checkovMain(['--help'], { stdout: (t) => (out += t) })).toBe(CHECKOV_EXIT.ok);
    expect(out).toContain('Usage: npm run checkov');
  });

  test('fails with exit 2 and says to synthesize when there are no stacks', () => {
    const dir = tmpDir();
    let err = '';
    expect(checkovMain(['--out', path.join(dir, 'cdktf.out')], { stderr: (t) => (err += t), cwd: ROOT })).toBe(
      CHECKOV_EXIT.usage,
    );
    expect(err).toContain('run `npx cdktf synth` first');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

// The real checkov, as .ci/run installs it. In CI it must be there; elsewhere, without it, these tests are skipped
// (and reported as skipped by jest).
const CHECKOV = process.env.CHECKOV ?? path.join(ROOT, VENV_CHECKOV);
const haveCheckov = fs.existsSync(CHECKOV);

test('checkov is installed where .ci/run puts it (required when CI=true)', () => {
  if (process.env.CI === 'true') expect(fs.existsSync(CHECKOV)).toBe(true);
  else if (!haveCheckov)
    console.warn(
      `checkov not found at ${CHECKOV}: the real-checkov tests are skipped; run bash .ci/run or set CHECKOV`,
    );
});

(haveCheckov ? describe : describe.skip)('npm run checkov on a bad stack (real checkov)', () => {
  const dir = tmpDir();
  const out = path.join(dir, 'cdktf.out');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // A log group with no retention and no KMS key: checkov's CKV_AWS_66 and CKV_AWS_158 fail on it.
  fs.mkdirSync(path.join(out, 'stacks', 'bad'), { recursive: true });
  fs.writeFileSync(
    path.join(out, 'stacks', 'bad', 'cdk.tf.json'),
    JSON.stringify({
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: {
        aws_cloudwatch_log_group: {
          logs_ABC123: { '//': { metadata: { path: 'bad/app/logs', uniqueId: 'logs_ABC123' } }, name: '/app/logs' },
        },
      },
    }),
  );
  const run = (skipList: readonly CheckovSkip[]) => {
    let text = '';
    const code = checkovMain(['--out', out, '--skips', writeSkips(dir, skipList), '--checkov', CHECKOV], {
      stdout: (t) => (text += t),
      stderr: (t) => (text += t),
      cwd: dir,
    });
    return { code, text };
  };

  let unskipped: { code: number; text: string } | undefined;
  const runUnskipped = () => (unskipped ??= run([]));

  test('fails on a failed check no skip accepts, naming check, stack and construct path', () => {
    const { code, text } = runUnskipped();
    expect(code).toBe(CHECKOV_EXIT.failed);
    expect(text).toMatch(/^FAILED {2}CKV_AWS_66 bad app\/logs /m);
    expect(text).toMatch(/^FAILED {2}CKV_AWS_158 bad app\/logs /m);
  });

  test('passes when every failed check is skipped with a reason, and prints each reason', () => {
    const failedIds = [...runUnskipped().text.matchAll(/^FAILED {2}(\S+) bad /gm)].map((m) => m[1]);
    const list = failedIds.map((id) => ({
      id,
      paths: ['app/logs'],
      reason: `fixture: ${id} is accepted in this test`,
    }));
    const { code, text } = run(list);
    expect(code).toBe(CHECKOV_EXIT.ok);
    expect(text).toContain('skipped CKV_AWS_66 on bad/app/logs: fixture: CKV_AWS_66 is accepted in this test');
    expect(text).not.toContain('FAILED');
  });

  test('fails on a skip scoped to another path, and reports the unused skip as stale', () => {
    const { code, text } = run([
      { id: 'CKV_AWS_66', paths: ['other/logs'], reason: 'scoped elsewhere, so it must not apply' },
    ]);
    expect(code).toBe(CHECKOV_EXIT.failed);
    expect(text).toMatch(/^FAILED {2}CKV_AWS_66 bad app\/logs /m);
    expect(text).toMatch(/^STALE {3}CKV_AWS_66 other\/logs: matched no failed check/m);
  });
});
