// jest globalTeardown: removes the synth cache directory synth-cache-setup.js made for this run. With
// BLUEGREEN_SYNTH_CACHE_STATS=1 it first prints how many syntheses the run asked for, made and read back; with
// BLUEGREEN_SYNTH_CACHE_STATS=<file> it also keeps the run's event log in that file.
'use strict';
const fs = require('fs');
const path = require('path');

/** Counts the lines of the run's event log (`<outcome> <kind> <digest> <test file> <CPU ms>`, see synth-cache.ts). */
function summary(dir) {
  let lines = [];
  try {
    lines = fs.readFileSync(path.join(dir, 'events.log'), 'utf8').split('\n').filter(Boolean);
  } catch {
    // No test synthesized through the cache.
  }
  const count = { miss: 0, hit: 0, memo: 0, uncached: 0 };
  const files = new Set();
  /** CPU ms of the synthesis of each key (the last miss of it). */
  const cost = new Map();
  let made = 0;
  for (const line of lines) {
    const [outcome, , digest, file, ms] = line.split(' ');
    count[outcome] = (count[outcome] ?? 0) + 1;
    files.add(file);
    if (outcome === 'miss') {
      cost.set(digest, Number(ms));
      made += Number(ms);
    }
  }
  // What the served ones would have cost: each at what its own key's synthesis cost in this run.
  let saved = 0;
  for (const line of lines) {
    const [outcome, , digest] = line.split(' ');
    if (outcome === 'hit' || outcome === 'memo') saved += cost.get(digest) ?? 0;
  }
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `synth cache: ${lines.length} syntheses asked for by ${files.size} test files, ${cost.size} distinct ` +
    `configurations; ${count.miss} synthesized (${s(made)} CPU), ${count.hit + count.memo} served from the cache ` +
    `(${count.hit} from the run's directory, ${count.memo} from a test file's memory; their syntheses would have ` +
    `cost ${s(saved)} CPU), ${count.uncached} not cacheable\n`
  );
}

module.exports = function synthCacheTeardown() {
  const dir = globalThis.bluegreenSynthCacheDir;
  if (!dir) return;
  const stats = process.env.BLUEGREEN_SYNTH_CACHE_STATS;
  if (stats) process.stderr.write(summary(dir));
  // A value other than 1 names a file to keep the event log in (one line per synthesis asked for).
  const log = path.join(dir, 'events.log');
  if (stats && stats !== '1') fs.writeFileSync(stats, fs.existsSync(log) ? fs.readFileSync(log) : '');
  fs.rmSync(dir, { recursive: true, force: true });
  delete globalThis.bluegreenSynthCacheDir;
};
