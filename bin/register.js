// Transpile-only TypeScript loader for the synth path: strips types with swc (no type-checking), so
// `cdktf synth` starts in milliseconds instead of type-checking the provider typings on every run.
// Type-checking happens in `npm test` (tsc --noEmit) instead.
'use strict';
const fs = require('fs');
const { transformSync } = require('@swc/core');

const options = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
