// jest's node environment, plus a CPU census: for each test file, the CPU time (user + system) its worker spent on
// it, with the processes it started and waited for (terraform and its provider, moto, checkov, node children), read
// from /proc/self/stat (Linux; elsewhere nothing is recorded). The timing reporter (timing-reporter.js) collects the
// figures after a whole-suite run, and `npm run bench` prints the test files that cost the most CPU: on 2 cores the
// suite is bound by CPU, not by any one file's wall time.
'use strict';
const fs = require('fs');
const path = require('path');
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux architecture Node supports). */
const TICKS_PER_SECOND = 100;

/** This process's CPU so far, its own and that of its waited-for children, in ms; undefined off Linux. */
function cpuMs() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // After "pid (comm) ": state is field 3, so utime (14), stime (15), cutime (16), cstime (17) are at 11..14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Where the workers append one JSON line per test file; timing-reporter.js reads and clears it. */
function censusFile(rootDir) {
  return path.join(rootDir, 'node_modules/.cache/cdktf-bluegreen/test-cpu.jsonl');
}

class CpuCensusEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    this.rootDir = config.projectConfig.rootDir;
    this.testPath = context.testPath;
    this.startCpuMs = cpuMs();
  }

  async teardown() {
    await super.teardown();
    const end = cpuMs();
    if (this.startCpuMs === undefined || end === undefined) return;
    const line = JSON.stringify({ file: path.relative(this.rootDir, this.testPath), cpuMs: end - this.startCpuMs });
    try {
      fs.appendFileSync(censusFile(this.rootDir), `${line}\n`);
    } catch {
      // A read-only checkout: the census is optional.
    }
  }
}

module.exports = CpuCensusEnvironment;
module.exports.censusFile = censusFile;
