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
const RUNS = Number(process.env.BENCH_RUNS ?? '3');
const REGISTER = path.join(REPO, 'bin/register.js');
const RUSAGE = path.join(REPO, 'bench/rusage.js');

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

function runCli(outdir: string): Sample {
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const cli = path.join(REPO, 'node_modules/.bin/cdktf');
  const args = ['synth', '--output', outdir];
  const start = process.hrtime.bigint();
  const res = timeBin
    ? spawnSync(timeBin, ['-f', 'BENCH_MAXRSS=%M', cli, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
    : spawnSync(cli, args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`cdktf synth failed:\n${res.stdout}\n${res.stderr}`);
  const m = /BENCH_MAXRSS=(\d+)/.exec(res.stderr);
  return { wallMs, maxRssKiB: m ? Number(m[1]) : undefined };
}

const CASES: Case[] = [
  {
    name: 'bare node + require("cdktf") (baseline)',
    run: (_o, f) => runNode(['-e', 'require("cdktf")'], {}, f),
  },
  {
    name: 'direct synth, shipped environments (12 stacks)',
    target: '≤ 600 ms, ≤ 200 MB',
    run: (o, f) => runNode(['--require', REGISTER, 'main.ts'], { CDKTF_OUTDIR: o }, f),
  },
  {
    name: '`npx cdktf synth`, shipped environments',
    run: (o) => runCli(o),
  },
  {
    name: 'generated composition, 50 environments (200 stacks)',
    target: '≤ 5 s',
    run: (o, f) => runNode(['--require', REGISTER, 'bench/compose.ts'], { CDKTF_OUTDIR: o, BENCH_ENVS: '50' }, f),
  },
];

/** Median cumulative time at the end of each phase of a direct synth (bench/phases.ts). */
function phases(tmp: string): Array<[string, number]> {
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < RUNS; i++) {
    const res = spawnSync(process.execPath, ['--require', REGISTER, 'bench/phases.ts'], {
      cwd: REPO,
      env: { ...process.env, CDKTF_OUTDIR: path.join(tmp, `phases-${i}`) },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`bench/phases.ts failed:\n${res.stderr}`);
    runs.push(JSON.parse(res.stdout) as Record<string, number>);
  }
  return Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  if (process.argv.includes('--help')) {
    process.stdout.write('usage: npm run bench  (BENCH_RUNS=N, default 3)\nMeasures synth wall time and peak RSS; writes bench/RESULTS.md.\n');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-bench-'));
  const rows: Array<{ name: string; target?: string; wall: number; rss?: number }> = [];
  let phaseRows: Array<[string, number]> = [];
  try {
    for (const c of CASES) {
      const samples: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        process.stderr.write(`bench: ${c.name} (run ${i + 1}/${RUNS})\n`);
        const outdir = path.join(tmp, `out-${rows.length}-${i}`);
        samples.push(c.run(outdir, path.join(tmp, 'rusage.json')));
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      const rss = samples.every((s) => s.maxRssKiB !== undefined) ? median(samples.map((s) => s.maxRssKiB!)) / 1024 : undefined;
      rows.push({ name: c.name, target: c.target, wall: median(samples.map((s) => s.wallMs)), rss });
    }
    process.stderr.write('bench: phases of a direct synth\n');
    phaseRows = phases(tmp);
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
  let previous = 0;
  const phaseTable = [
    '| phase of a direct synth (in-process, after node start-up) | ms | cumulative ms |',
    '| --- | ---: | ---: |',
    ...phaseRows.map(([name, at]) => {
      const row = `| ${name} | ${at - previous} | ${at} |`;
      previous = at;
      return row;
    }),
  ].join('\n');
  process.stdout.write(`${table}\n\n${phaseTable}\n`);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const doc = [
    '# Synth benchmark results',
    '',
    'Produced by `npm run bench` (median of ' + RUNS + ' runs, each in a fresh process). Wall time is measured around each spawned',
    'process (start-up included); peak RSS of node processes is reported by the process itself; the `cdktf synth` row is measured around the CLI',
    '(GNU time: peak RSS of the largest process in its tree).',
    '',
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    table,
    '',
    'Where the time of a direct synth goes (bench/phases.ts, the same steps as main.ts):',
    '',
    phaseTable,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(REPO, 'bench/RESULTS.md'), doc);
  process.stderr.write('bench: wrote bench/RESULTS.md\n');
}

main();
