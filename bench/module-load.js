// Preloaded into bench/phases.ts's process (before the TypeScript loader): times every `require` and attributes its
// self time (its own time minus the time of the requires it makes) to a package: `cdktf`, `@cdktf/provider-aws`,
// `this library` (files of this repository, transpiled by bin/register.js), `node:` built-ins, ... On exit, writes
// `{ [package]: milliseconds }` as JSON to the file named by BENCH_MODULE_LOAD_FILE.
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const { performance } = require('perf_hooks');

const repo = path.resolve(__dirname, '..');
const selfMs = {};
const frames = [];
const originalLoad = Module._load;

function packageOf(file) {
  if (!path.isAbsolute(file)) return 'node built-ins';
  const i = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (i < 0) return file.startsWith(repo) ? 'this library' : 'other files';
  const parts = file.slice(i + '/node_modules/'.length).split(path.sep);
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

Module._load = function load(request, parent, isMain) {
  // The entry script's "load" is the whole run: only the requires inside it are loading.
  if (isMain) return originalLoad.apply(this, arguments);
  let file = request;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    // Let the real loader report it.
  }
  const frame = { children: 0 };
  frames.push(frame);
  const start = performance.now();
  try {
    return originalLoad.apply(this, arguments);
  } finally {
    const total = performance.now() - start;
    frames.pop();
    const pkg = packageOf(file);
    selfMs[pkg] = (selfMs[pkg] ?? 0) + total - frame.children;
    if (frames.length > 0) frames[frames.length - 1].children += total;
  }
};

process.on('exit', () => {
  const out = process.env.BENCH_MODULE_LOAD_FILE;
  if (out) fs.writeFileSync(out, JSON.stringify(selfMs));
});
