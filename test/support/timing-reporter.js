// A jest reporter: after every run, writes each test file's wall time and CPU time, and its slowest tests, to
// node_modules/.cache/cdktf-bluegreen/test-times.json, which `npm run bench` reads to print the ten slowest tests of
// the last run (a benchmark figure, never a timed test).
'use strict';
const fs = require('fs');
const path = require('path');
const { censusFile } = require('./cpu-environment');

class TimingReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    // Only whole-suite runs count: a run limited to some files or test names would replace the figure.
    const paths = globalConfig.testPathPatterns;
    this.partial = Boolean((paths && (paths.patterns ?? paths).length > 0) || globalConfig.testNamePattern);
  }

  onRunStart() {
    // A fresh clone has no cache directory yet: the workers append to the census file from their first test file.
    fs.mkdirSync(path.dirname(censusFile(this.rootDir)), { recursive: true });
    fs.rmSync(censusFile(this.rootDir), { force: true });
  }

  /** The CPU census of cpu-environment.js: ms per test file, most first; empty off Linux. */
  cpuByFile() {
    let text;
    try {
      text = fs.readFileSync(censusFile(this.rootDir), 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n').filter(Boolean);
    return lines.map((l) => JSON.parse(l)).sort((a, b) => b.cpuMs - a.cpuMs);
  }

  onRunComplete(_contexts, results) {
    if (this.partial) return;
    const cpu = this.cpuByFile();
    const tests = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (typeof t.duration === 'number')
          tests.push({ file: path.relative(this.rootDir, file.testFilePath), name: t.fullName, ms: t.duration });
      }
    }
    tests.sort((a, b) => b.ms - a.ms);
    const files = results.testResults
      .map((f) => ({ file: path.relative(this.rootDir, f.testFilePath), ms: f.perfStats.end - f.perfStats.start }))
      .sort((a, b) => b.ms - a.ms);
    const out = path.join(this.rootDir, 'node_modules/.cache/cdktf-bluegreen/test-times.json');
    try {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(
        out,
        JSON.stringify(
          {
            finishedAt: new Date().toISOString(),
            wallMs: Date.now() - results.startTime,
            numTotalTests: results.numTotalTests,
            numTotalTestSuites: results.numTotalTestSuites,
            slowestTests: tests.slice(0, 10),
            slowestFiles: files.slice(0, 10),
            // CPU (user + system, with the processes each file started) of every file, and the ten costliest.
            cpuTotalMs: cpu.reduce((sum, f) => sum + f.cpuMs, 0),
            cpuFiles: cpu.length,
            costliestFiles: cpu.slice(0, 10),
          },
          null,
          2,
        ),
      );
    } catch {
      // A read-only checkout: the figure is optional.
    }
  }
}

module.exports = TimingReporter;
