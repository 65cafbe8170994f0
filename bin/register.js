// Transpile-only TypeScript loader for the synth path and the package scripts: strips types with swc (no
// type-checking), so `cdktf synth` starts in milliseconds instead of type-checking the provider typings on every
// run. Type-checking happens in `npm test` (tsc --noEmit) instead.
//
// Output is cached under node_modules/.cache/cdktf-bluegreen-ts/, keyed by a hash of the source, its path and
// the swc version, so a warm synth does not even load swc.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'cdktf-bluegreen-ts');
const SWC_VERSION = (() => {
  try {
    return require('@swc/core/package.json').version;
  } catch {
    return 'missing';
  }
})();
const OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

let swc;
function transpile(source, filename) {
  if (!swc) {
    try {
      swc = require('@swc/core');
    } catch (e) {
      throw new Error(`bin/register.js: cannot load @swc/core to run ${filename}; run \`npm ci\` first (${e.message})`);
    }
  }
  return swc.transformSync(source, { ...OPTIONS, filename }).code;
}

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(SWC_VERSION).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    code = transpile(source, filename);
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached); // atomic: concurrent synths never read a half-written entry
    } catch {
      // a read-only tree still works, just without the cache
    }
  }
  module._compile(code, filename);
};
