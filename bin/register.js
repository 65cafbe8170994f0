// Transpile-only TypeScript loader for the synth path and the package scripts: strips types (no type-checking),
// so `cdktf synth` starts in milliseconds instead of type-checking the provider typings on every run.
// Type-checking happens in `npm test` (tsc --noEmit) instead.
//
//   node --require ./bin/register.js main.ts                 (this repository)
//   node --require cdktf-bluegreen/register main.ts          (a project that installed the package)
//
// It transpiles with @swc/core when the project has it (fastest), else with the project's `typescript`
// (`transpileModule`, the same transpile-only mode), so a consumer needs nothing beyond the TypeScript it already
// has. Output is cached under node_modules/.cache/cdktf-bluegreen-ts/ (the working directory's node_modules, else
// this package's checkout's), keyed by a hash of the source, its path and the transpiler and its version, so a warm
// synth loads neither. The main module (the app) runs from one cached bundle instead when it can: see app-bundle.js.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

/** Where the transpilers and the cache are looked for: the project (working directory) first, then this package. */
const SEARCH = [process.cwd(), path.join(__dirname, '..')];

function resolveFrom(request) {
  try {
    return require.resolve(request, { paths: SEARCH });
  } catch {
    return undefined;
  }
}

function versionOf(name) {
  const manifest = resolveFrom(`${name}/package.json`);
  return manifest ? JSON.parse(fs.readFileSync(manifest, 'utf8')).version : undefined;
}

/** The transpiler to use: `swc@<version>`, `typescript@<version>`, or none. */
const TRANSPILER = (() => {
  const swc = versionOf('@swc/core');
  if (swc) return { name: 'swc', version: swc };
  const ts = versionOf('typescript');
  if (ts) return { name: 'typescript', version: ts };
  return { name: 'none', version: '' };
})();

/**
 * Where caches go: the project's node_modules/.cache (working directory), else this package's checkout's (a test
 * running the app from a directory without node_modules). Never inside an installed package's own directory.
 */
const CACHE_DIR = (() => {
  for (const base of [path.join(process.cwd(), 'node_modules'), path.join(__dirname, '..', 'node_modules')]) {
    if (base.split(path.sep).filter((part) => part === 'node_modules').length > 1) continue; // inside a package
    if (fs.existsSync(base)) return path.join(base, '.cache', 'cdktf-bluegreen-ts');
  }
  return undefined; // no node_modules anywhere: transpile every time
})();

let transform;
function transpile(source, filename) {
  if (!transform) {
    if (TRANSPILER.name === 'swc') {
      const swc = require(resolveFrom('@swc/core'));
      const options = {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      };
      transform = (text, file) => swc.transformSync(text, { ...options, filename: file }).code;
    } else if (TRANSPILER.name === 'typescript') {
      const ts = require(resolveFrom('typescript'));
      const compilerOptions = {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
        inlineSources: true,
      };
      transform = (text, file) => ts.transpileModule(text, { compilerOptions, fileName: file }).outputText;
    } else {
      throw new Error(
        `cdktf-bluegreen register: cannot run ${filename}: neither typescript nor @swc/core is installed in ${process.cwd()}; ` +
          'install one (npm install --save-dev typescript@5) and run again',
      );
    }
  }
  return transform(source, filename);
}

// The main module (the app, or a command) runs from one cached bundle when it can: see app-bundle.js.
const BUNDLE_MAIN = process.env.CDKTF_BLUEGREEN_BUNDLE !== '0';
let appBundle;
let sourceMapsEnabled = false;

require.extensions['.ts'] = function compileTs(module, filename) {
  if (BUNDLE_MAIN && module.id === '.') {
    appBundle = require('./app-bundle.js');
    const cacheRoot = CACHE_DIR && path.dirname(CACHE_DIR);
    if (appBundle.runMainFromBundle(module, filename, cacheRoot, SEARCH)) return;
  }
  if (!sourceMapsEnabled) {
    // Module by module, stack traces point at the TypeScript lines (each output carries an inline source map).
    // Enabled only here: Node then reads the source map of every module it loads, which a bundled run avoids.
    process.setSourceMapsEnabled(true);
    sourceMapsEnabled = true;
  }
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto
    .createHash('sha1')
    .update(`${TRANSPILER.name}@${TRANSPILER.version}`)
    .update('\0')
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = CACHE_DIR && path.join(CACHE_DIR, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    code = transpile(source, filename);
    if (cached) {
      try {
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached); // atomic: concurrent synths never read a half-written entry
      } catch {
        // a read-only tree still works, just without the cache
      }
    }
  }
  module._compile(code, filename);
};

// A user's mistake is no stack trace: a ConfigError (values) or ConstructPropsError (props) that the app does not
// catch itself (the README's main.ts calls createEnvironmentsFromDir without a try) is printed as its message alone,
// which names the file, key path and reason, or the construct path, value and fix. Under the cdktf CLI, which prints
// a failing app's stderr a second time in its summary, the app stops without a manifest instead of exiting non-zero
// (as main.ts does; see its stop()), so the problems appear once. Any other error keeps Node's default report.
const USER_MISTAKES = ['ConfigError', 'ConstructPropsError'];
process.on('uncaughtException', (error) => {
  if (!(error instanceof Error) || !USER_MISTAKES.includes(error.name)) {
    const report = require('util').inspect(error);
    process.stderr.write(`${appBundle ? appBundle.mapStack(report) : report}\n`);
    process.exit(1);
  }
  process.stderr.write(`${error.message}\nNothing was synthesized.\n`);
  const outdir = process.env.CDKTF_OUTDIR;
  if (outdir && process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === 'true') {
    fs.rmSync(path.join(outdir, 'manifest.json'), { force: true });
    process.exit(0);
  }
  process.exit(1);
});
