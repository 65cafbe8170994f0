// jest globalSetup: makes the synth cache's directory for this run (test/support/synth-cache.ts) and names it in
// BLUEGREEN_SYNTH_CACHE_DIR, which the workers jest starts after this inherit. Always a fresh directory, whatever the
// variable held before: an entry never outlives its run, so an edit to the library is never served stale.
// synth-cache-teardown.js removes it.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const PREFIX = 'cdktf-bluegreen-synth-';
/** A directory this old was left by a run that never reached its teardown (killed): no run lasts a day. */
const ABANDONED_MS = 24 * 3600 * 1000;

module.exports = function synthCacheSetup() {
  // BLUEGREEN_SYNTH_CACHE=0: every synthesis made for real (to compare, or to rule the cache out).
  if (process.env.BLUEGREEN_SYNTH_CACHE === '0') {
    delete process.env.BLUEGREEN_SYNTH_CACHE_DIR;
    return;
  }
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const old = path.join(os.tmpdir(), name);
    try {
      if (Date.now() - fs.statSync(old).mtimeMs > ABANDONED_MS) fs.rmSync(old, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  process.env.BLUEGREEN_SYNTH_CACHE_DIR = dir;
  // jest keeps globals set here for the teardown: it removes this directory and no other.
  globalThis.bluegreenSynthCacheDir = dir;
};
