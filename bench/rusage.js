// Preloaded into a measured process: on exit, writes its peak RSS (KiB) as JSON to the file named by
// BENCH_RUSAGE_FILE (wall time is measured by the benchmark around the process).
'use strict';
const fs = require('fs');
process.on('exit', () => {
  const file = process.env.BENCH_RUSAGE_FILE;
  if (!file) return;
  fs.writeFileSync(file, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
});
