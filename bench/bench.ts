/**
 * `npm run bench`: synth speed and memory. Prints a Markdown table and writes it to bench/RESULTS.md.
 *
 * Each case runs RUNS times in a fresh process (median reported). Wall time is measured around the spawned
 * process (node start-up included); peak RSS of node processes comes from the process itself (bench/rusage.js); the `cdktf synth` case is measured around the CLI with
 * GNU time when present (peak RSS of the largest process in the tree).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? '5');
const REGISTER = path.join(REPO, 'bin/register.js');
const RUSAGE = path.join(REPO, 'bench/rusage.js');
const MODULE_LOAD = path.join(REPO, 'bench/module-load.js');
const TEST_TIMES = path.join(REPO, 'node_modules/.cache/cdktf-bluegreen/test-times.json');

interface Sample {
  wallMs: number;
  maxRssKiB?: number;
}

interface Case {
  name: string;
  target?: string;
  run: (outdir: string, rusageFile: string) => Sample;
}

function runNode(args: string[], env: Record<string, string>, rusageFile: string): Sample {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, ['--require', RUSAGE, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env, BENCH_RUSAGE_FILE: rusageFile },
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`benchmark case failed (${args.join(' ')}):\n${res.stderr}`);
  const { maxRssKiB } = JSON.parse(fs.readFileSync(rusageFile, 'utf8')) as Sample;
  return { wallMs, maxRssKiB };
}

/**
 * `cdktf synth` through the CLI, in `cwd` (the repository, or a directory holding a no-op app: the CLI's own floor).
 */
function runCli(outdir: string, cwd = REPO): Sample {
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const cli = path.join(REPO, 'node_modules/.bin/cdktf');
  const args = ['synth', '--output', outdir];
  const env = { ...process.env, CI: 'true', CHECKPOINT_DISABLE: '1' };
  const start = process.hrtime.bigint();
  const res = timeBin
    ? spawnSync(timeBin, ['-f', 'BENCH_MAXRSS=%M', cli, ...args], { cwd, encoding: 'utf8', env })
    : spawnSync(cli, args, { cwd, encoding: 'utf8', env });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`cdktf synth failed:\n${res.stdout}\n${res.stderr}`);
  const m = /BENCH_MAXRSS=(\d+)/.exec(res.stderr);
  return { wallMs, maxRssKiB: m ? Number(m[1]) : undefined };
}

/**
 * Runs the app once, unmeasured, exactly as `cdktf synth` runs it (cdktf.json's command, the CLI's
 * NODE_OPTIONS=--max-old-space-size=4096), so that the rebuilt bundle's code cache for the CLI's flags exists again
 * (bin/app-bundle.js keeps one per set of flags). Without it the "rebuilt" case of each round left the CLI case of the
 * next one to compile the bundle without a cache and write that cache, and the CLI share measured the first run
 * after an edit instead of the steady state.
 */
function warmCliCodeCache(outdir: string): void {
  const app = (JSON.parse(fs.readFileSync(path.join(REPO, 'cdktf.json'), 'utf8')) as { app: string }).app;
  const res = spawnSync('sh', ['-c', app], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096', CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`warming the CLI's code cache failed:\n${res.stderr}`);
  fs.rmSync(outdir, { recursive: true, force: true });
}

/**
 * A directory inside the repository (so `cdktf` resolves from its node_modules) holding a cdktf project whose app
 * only loads cdktf and synthesizes an empty App: what `npx cdktf synth` costs before any library code runs.
 */
function noopProject(): string {
  const dir = path.join(REPO, 'bench/.tmp/noop-app');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.js'), "const { App } = require('cdktf');\nnew App().synth();\n");
  fs.writeFileSync(
    path.join(dir, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: 'node main.js', projectId: 'bench-noop', sendCrashReports: 'false' }),
  );
  return dir;
}

const CASES: Case[] = [
  {
    name: 'bare node + require("cdktf") (baseline)',
    run: (_o, f) => runNode(['-e', 'require("cdktf")'], {}, f),
  },
  {
    name: 'direct synth, shipped environments (12 stacks)',
    target: '≤ 2.5 × baseline, ≤ 150 MB',
    run: (o, f) => runNode(['--require', REGISTER, 'main.ts'], { CDKTF_OUTDIR: o }, f),
  },
  {
    name: 'direct synth, first run after an edit (the bundle is rebuilt)',
    run: (o, f) => {
      const now = new Date();
      fs.utimesSync(path.join(REPO, 'main.ts'), now, now); // an edit, as far as the bundle cache can tell
      const sample = runNode(['--require', REGISTER, 'main.ts'], { CDKTF_OUTDIR: o }, f);
      warmCliCodeCache(`${o}-warm`);
      return sample;
    },
  },
  {
    name: 'direct synth, module by module (`CDKTF_BLUEGREEN_BUNDLE=0`)',
    run: (o, f) => runNode(['--require', REGISTER, 'main.ts'], { CDKTF_OUTDIR: o, CDKTF_BLUEGREEN_BUNDLE: '0' }, f),
  },
  {
    name: "`npx cdktf synth`, no-op app (the CLI's own floor)",
    run: (o) => runCli(o, noopProject()),
  },
  {
    name: '`npx cdktf synth`, shipped environments',
    target: '≤ floor + 0.5 s',
    run: (o) => runCli(o),
  },
  {
    name: 'generated composition, 50 environments (200 stacks)',
    target: '≤ 5 s',
    run: (o, f) => runNode(['--require', REGISTER, 'bench/compose.ts'], { CDKTF_OUTDIR: o, BENCH_ENVS: '50' }, f),
  },
];

/**
 * Median cumulative time at the end of each phase of a direct synth (bench/phases.ts), run from the bundle (as
 * `main.ts` runs) and module by module; module loading by package is measured module by module (a bundle has no
 * module loading to measure).
 */
function phases(tmp: string): {
  phases: Array<[string, number, number]>;
  modules: Array<[string, number]>;
} {
  const bundled: Array<Record<string, number>> = [];
  const runs: Array<Record<string, number>> = [];
  const loads: Array<Record<string, number>> = [];
  const phaseRun = (i: number, bundle: boolean, preload: string[], extraEnv: Record<string, string>) => {
    const res = spawnSync(process.execPath, [...preload, '--require', REGISTER, 'bench/phases.ts'], {
      cwd: REPO,
      env: {
        ...process.env,
        ...extraEnv,
        CDKTF_OUTDIR: path.join(tmp, `phases-${bundle}-${i}`),
        CDKTF_BLUEGREEN_BUNDLE: bundle ? '1' : '0',
      },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`bench/phases.ts failed:\n${res.stderr}`);
    return JSON.parse(res.stdout) as Record<string, number>;
  };
  phaseRun(-1, true, [], {}); // builds the bundle and its code cache: the runs below measure the cached path
  for (let i = 0; i < RUNS; i++) {
    bundled.push(phaseRun(i, true, [], {}));
    const loadFile = path.join(tmp, `module-load-${i}.json`);
    runs.push(phaseRun(i, false, ['--require', MODULE_LOAD], { BENCH_MODULE_LOAD_FILE: loadFile }));
    loads.push(JSON.parse(fs.readFileSync(loadFile, 'utf8')) as Record<string, number>);
  }
  const packages = [...new Set(loads.flatMap((l) => Object.keys(l)))];
  return {
    phases: Object.keys(runs[0]).map((k) => [k, median(bundled.map((r) => r[k])), median(runs.map((r) => r[k]))]),
    modules: [
      ...packages
        .map((p): [string, number] => [p, median(loads.map((l) => l[p] ?? 0))])
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8),
      ['all packages together', median(loads.map((l) => Object.values(l).reduce((a, b) => a + b, 0)))],
    ],
  };
}

/**
 * What `npm test` costs besides jest: `tsc --noEmit` and `npm run lint` (with the eslint cache moved aside, as on a
 * fresh clone), each run once. Returns milliseconds.
 */
function checkSteps(): { typecheckMs: number; lintMs: number } {
  const timed = (cmd: string, args: string[]) => {
    const start = process.hrtime.bigint();
    const res = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${res.stdout}${res.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const typecheckMs = timed(process.execPath, [
    path.join(REPO, 'node_modules/typescript/bin/tsc'),
    '--noEmit',
    '-p',
    '.',
  ]);
  const cache = path.join(REPO, 'node_modules/.cache/eslint');
  const aside = `${cache}.bench-aside`;
  const hadCache = fs.existsSync(cache);
  if (hadCache) fs.renameSync(cache, aside);
  try {
    return { typecheckMs, lintMs: timed('npm', ['run', '--silent', 'lint']) };
  } finally {
    if (hadCache) {
      fs.rmSync(cache, { recursive: true, force: true });
      fs.renameSync(aside, cache);
    }
  }
}

/** The `npm test` table: type check, lint (both measured now, alone), jest (its last full run), the target. */
function testSuiteTable(steps: { typecheckMs: number; lintMs: number }): string {
  const times = fs.existsSync(TEST_TIMES)
    ? (JSON.parse(fs.readFileSync(TEST_TIMES, 'utf8')) as { wallMs: number })
    : undefined;
  const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  return [
    '| `npm test`, step by step | wall time | target |',
    '| --- | ---: | --- |',
    `| \`tsc --noEmit -p .\` | ${s(steps.typecheckMs)} |  |`,
    `| \`npm run lint\` (eslint with no cache, as on a fresh clone; prettier --check) | ${s(steps.lintMs)} |  |`,
    `| jest, the whole suite (its last full run, emulator scenario included) | ${times ? s(times.wallMs) : 'no full run yet'} |  |`,
    `| \`npm test\` (\`run-p\`: the three side by side; jest is the longest) | ${times ? `${s(times.wallMs)} + start-up` : 'n/a'} | ≤ 300 s on 2 cores |`,
  ].join('\n');
}

/** The ten slowest tests of the last `npm test` (written by test/support/timing-reporter.js), as Markdown. */
function slowestTests(): string {
  if (!fs.existsSync(TEST_TIMES)) return 'No test timings yet: run `npm test`, then `npm run bench`.';
  const t = JSON.parse(fs.readFileSync(TEST_TIMES, 'utf8')) as {
    finishedAt: string;
    wallMs: number;
    numTotalTests: number;
    numTotalTestSuites: number;
    slowestTests: Array<{ file: string; name: string; ms: number }>;
    slowestFiles: Array<{ file: string; ms: number }>;
    cpuTotalMs?: number;
    cpuFiles?: number;
    costliestFiles?: Array<{ file: string; cpuMs: number }>;
  };
  const cpu = t.costliestFiles
    ? [
        '',
        `CPU of the whole run (user + system of every test file with the processes it started; ${t.cpuFiles} files):` +
          ` ${(t.cpuTotalMs! / 1000).toFixed(0)} s, i.e. ${(t.cpuTotalMs! / 2000).toFixed(0)} s of wall time at the least on 2 cores` +
          ` (this run's ${(t.wallMs / 1000).toFixed(0)} s kept ${os.cpus().length} cores ${((100 * t.cpuTotalMs!) / (t.wallMs * os.cpus().length)).toFixed(0)} % busy with tests).`,
        '',
        '| test files that cost the most CPU | CPU s |',
        '| --- | ---: |',
        ...t.costliestFiles.map((x) => `| ${x.file} | ${(x.cpuMs / 1000).toFixed(1)} |`),
      ]
    : [];
  return [
    `Last jest run: ${t.finishedAt}, ${t.numTotalTestSuites} files, ${t.numTotalTests} tests, ${(t.wallMs / 1000).toFixed(0)} s wall` +
      ' (jest only; `npm test` runs `tsc --noEmit` and the lint beside it).',
    '',
    '| slowest tests | file | s |',
    '| --- | --- | ---: |',
    ...t.slowestTests.map((x) => `| ${x.name.replace(/\|/g, '\\|')} | ${x.file} | ${(x.ms / 1000).toFixed(1)} |`),
    '',
    '| slowest test files | s |',
    '| --- | ---: |',
    ...t.slowestFiles.map((x) => `| ${x.file} | ${(x.ms / 1000).toFixed(1)} |`),
    ...cpu,
  ].join('\n');
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  if (process.argv.includes('--help')) {
    process.stdout.write(
      [
        'usage: npm run bench  (BENCH_RUNS=N rounds of every case, default 5; about two minutes)',
        'Measures synth wall time and peak RSS (direct, through the cdktf CLI against its own floor, 50 environments),',
        'the phases of a direct synth, module loading by package, tsc --noEmit and the lint; adds the ten slowest tests',
        'of the last full jest run. Prints Markdown tables and writes them to bench/RESULTS.md. Run it on a quiet machine.',
        '',
      ].join('\n'),
    );
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-bench-'));
  const rows: Array<{ name: string; target?: string; wall: number; rss?: number; walls: number[] }> = [];
  let phaseRows: Array<[string, number, number]>;
  let moduleRows: Array<[string, number]>;
  let steps: { typecheckMs: number; lintMs: number };
  try {
    // Round by round, every case once per round: a slow spell of the machine lands on every case of that round
    // alike, so the ratios (case against baseline, CLI against its floor) compare runs made under the same load.
    const samples: Sample[][] = CASES.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      CASES.forEach((c, k) => {
        process.stderr.write(`bench: round ${i + 1}/${RUNS}: ${c.name}\n`);
        const outdir = path.join(tmp, `out-${k}-${i}`);
        samples[k].push(c.run(outdir, path.join(tmp, 'rusage.json')));
        fs.rmSync(outdir, { recursive: true, force: true });
      });
    }
    CASES.forEach((c, k) => {
      const rss = samples[k].every((s) => s.maxRssKiB !== undefined)
        ? median(samples[k].map((s) => s.maxRssKiB!)) / 1024
        : undefined;
      const walls = samples[k].map((s) => s.wallMs);
      rows.push({ name: c.name, target: c.target, wall: median(walls), rss, walls });
    });
    process.stderr.write('bench: phases of a direct synth\n');
    ({ phases: phaseRows, modules: moduleRows } = phases(tmp));
    process.stderr.write('bench: npm test without jest (tsc --noEmit, npm run lint)\n');
    steps = checkSteps();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const base = rows[0];
  const lines = [
    '| case | wall time | peak RSS | × baseline time | × baseline RSS | target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${Math.round(r.wall)} ms | ${r.rss ? `${Math.round(r.rss)} MB` : 'n/a'} | ${(r.wall / base.wall).toFixed(1)} | ${
          r.rss && base.rss ? (r.rss / base.rss).toFixed(1) : 'n/a'
        } | ${r.target ?? ''} |`,
    ),
  ];
  const table = lines.join('\n');
  let previous = [0, 0];
  const phaseTable = [
    '| phase of a direct synth (in-process, after node start-up) | from the bundle, ms | cumulative | module by module, ms | cumulative |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...phaseRows.map(([name, atBundled, atModules]) => {
      const row = `| ${name} | ${atBundled - previous[0]} | ${atBundled} | ${atModules - previous[1]} | ${atModules} |`;
      previous = [atBundled, atModules];
      return row;
    }),
  ].join('\n');
  const moduleTable = [
    '| module loading by package (self time, the largest eight) | ms |',
    '| --- | ---: |',
    ...moduleRows.map(([name, ms]) => `| ${name} | ${Math.round(ms)} |`),
  ].join('\n');
  const floor = rows.find((r) => r.name.includes('no-op app'))!;
  const cli = rows.find((r) => r.name.startsWith('`npx cdktf synth`, shipped'))!;
  const direct = rows.find((r) => r.name.startsWith('direct synth, shipped'))!;
  // Paired, round by round: each round's case against its own baseline or floor, run back to back, so a slow spell
  // that spans a round cancels out; the median of those pairs, and their range.
  const paired = (a: number[], b: number[], f: (x: number, y: number) => number) => {
    const v = a.map((x, i) => f(x, b[i]));
    return { median: median(v), min: Math.min(...v), max: Math.max(...v) };
  };
  const shareS = paired(cli.walls, floor.walls, (x, y) => (x - y) / 1000);
  const ratio = paired(direct.walls, base.walls, (x, y) => x / y);
  const share = [
    `The library's share of \`npx cdktf synth\` (target ≤ 0.5 s), round by round against the CLI's floor: median`,
    `**${shareS.median.toFixed(2)} s** (${RUNS} rounds: ${shareS.min.toFixed(2)}–${shareS.max.toFixed(2)} s; the difference of the`,
    `medians above: ${((cli.wall - floor.wall) / 1000).toFixed(2)} s). Direct synth against the baseline (target ≤ 2.5×),`,
    `round by round: median **${ratio.median.toFixed(2)}×** (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}×).`,
  ].join('\n');
  const tests = `${testSuiteTable(steps)}\n\n${slowestTests()}`;
  process.stdout.write(`${table}\n\n${share}\n\n${phaseTable}\n\n${moduleTable}\n\n${tests}\n`);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const doc = [
    '# Synth benchmark results',
    '',
    'Produced by `npm run bench` (median of ' +
      RUNS +
      ' rounds, each running every case once in a fresh process). Wall time is measured around each spawned',
    'process (start-up included); peak RSS of node processes is reported by the process itself; the `cdktf synth` row is measured around the CLI',
    '(GNU time: peak RSS of the largest process in its tree).',
    '',
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    table,
    '',
    'Where the time of a direct synth goes (bench/phases.ts, the same steps as main.ts), run from the cached bundle',
    '(as `node --require ./bin/register.js main.ts` runs by default, bin/app-bundle.js) and module by module:',
    '',
    phaseTable,
    '',
    'Module loading inside those phases when run module by module, by package (bench/module-load.js):',
    '',
    moduleTable,
    '',
    share,
    '',
    '## The test suite',
    '',
    tests,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(REPO, 'bench/RESULTS.md'), doc);
  process.stderr.write('bench: wrote bench/RESULTS.md\n');
}

main();
