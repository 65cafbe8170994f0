// The fast path of `node --require ./bin/register.js main.ts` (loaded by register.js for the main module only):
// the app and everything it imports (this library, cdktf, the provider bindings, yaml, zod) run from ONE bundled
// file built by esbuild and kept in node_modules/.cache/cdktf-bluegreen-app/, with V8's code cache beside it.
//
// Why: a synth of the shipped environments spent more time loading ~700 modules (resolving, reading, compiling
// each) than building and rendering the stacks. From one cached file with a code cache, loading costs a fraction
// (figures in bench/RESULTS.md). The output is the same JSON, byte for byte (test/e2e/app-bundle.test.ts).
//
// When the cache is used: every input file of the bundle (esbuild's metafile) still has the size and modification
// time it had when the bundle was built, and esbuild and Node are the same versions; otherwise it is rebuilt
// (about half a second). It is NOT used, and the app runs module by module as before, when:
//   - CDKTF_BLUEGREEN_BUNDLE=0 is set (debugging: a debugger, or a stack the app prints itself, then shows the
//     TypeScript positions),
//   - esbuild cannot be found, or the build fails,
//   - the bundled code refers to import.meta (no meaning in a CommonJS bundle; __dirname and __filename are kept
//     per module, see ownLocation),
//   - there is no writable node_modules for the cache.
// CDKTF_BLUEGREEN_BUNDLE=debug prints what happens (bundled, run from the cache, or why not) on stderr.
// An unexpected error's stack is mapped back to the source files through the bundle's source map (Node's
// module.SourceMap) when it is printed; a user's mistake (ConfigError, ConstructPropsError) prints no stack at all.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

function debug(message) {
  if (process.env.CDKTF_BLUEGREEN_BUNDLE === 'debug') process.stderr.write(`cdktf-bluegreen bundle: ${message}\n`);
}

/** Where esbuild is (the project's, else this package's), and its version; undefined when it is not installed. */
function findEsbuild(searchPaths) {
  try {
    const manifest = require.resolve('esbuild/package.json', { paths: searchPaths });
    return { path: path.dirname(manifest), version: JSON.parse(fs.readFileSync(manifest, 'utf8')).version };
  } catch (e) {
    debug(`esbuild not available (${e.message.split('\n')[0]}): running module by module`);
    return undefined;
  }
}

/** True when every input still has the size and modification time recorded at build time. */
function inputsUnchanged(inputs) {
  for (const [file, size, mtimeMs] of inputs) {
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return false;
    }
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file); // concurrent synths never read a half-written file
}

/**
 * esbuild plugin: every module that refers to __dirname or __filename gets its own (its real location), as it has
 * when Node loads it; in one bundle they would otherwise be the bundle's (cdktf's archive helper, for one, runs
 * `node ${__filename}` to zip a TerraformAsset).
 */
const ownLocation = {
  name: 'own-location',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const contents = fs.readFileSync(args.path, 'utf8');
      const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
      if (!/\b__(dirname|filename)\b/.test(contents)) return { contents, loader };
      const names = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};`;
      return { contents: names + contents, loader }; // on the first line: line numbers stay the source's
    });
  },
};

/**
 * Builds the bundle of `entry` into `files` (paths of .js, .js.map and .json) with esbuild's asynchronous API (the
 * only one that takes plugins); run in a child process (`node app-bundle.js <entry> <files as JSON>`) because the
 * module loader that asks for it is synchronous. The manifest records every input with its size and mtime, and
 * whether the bundle is usable (import.meta has no meaning in a CommonJS bundle).
 */
async function build(esbuild, entry, files) {
  const workingDir = path.dirname(entry);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    write: false,
    outfile: files.code,
    absWorkingDir: workingDir,
    logLevel: 'silent',
    plugins: [ownLocation],
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const file = path.resolve(workingDir, input);
    const stat = fs.statSync(file);
    return [file, stat.size, stat.mtimeMs];
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  const unsafe = /\bimport\.meta\b/.test(code.text);
  const manifest = {
    esbuild: esbuild.version,
    node: process.version,
    entry,
    usable: !unsafe,
    reason: unsafe ? 'the bundled code uses import.meta' : undefined,
    inputs,
  };
  fs.mkdirSync(path.dirname(files.code), { recursive: true });
  if (manifest.usable) {
    writeAtomically(files.code, code.contents);
    writeAtomically(files.map, map.contents);
    removeCodeCaches(path.dirname(files.code), path.basename(files.code, '.js'));
  }
  writeAtomically(files.manifest, JSON.stringify(manifest));
  return manifest;
}

/** Runs {@link build} in a child process and returns its manifest, or a reason it failed. */
function buildInChild(entry, files, esbuildPath) {
  const { spawnSync } = require('child_process');
  const child = spawnSync(process.execPath, [__filename, entry, JSON.stringify(files), esbuildPath], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (child.status !== 0) {
    const why = (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n')[0];
    return { usable: false, reason: `bundling failed: ${why}` };
  }
  return JSON.parse(fs.readFileSync(files.manifest, 'utf8'));
}

/** A short hash of the Node and V8 flags of this process (command line and NODE_OPTIONS). */
function flagsKey() {
  const flags = JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? '']);
  return crypto.createHash('sha1').update(flags).digest('hex').slice(0, 12);
}

/** Removes every code cache (one per set of flags) of the bundle `base` in `dir`. */
function removeCodeCaches(dir, base) {
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(`${base}.`) && name.endsWith('.v8')) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * Removes the files of other bundles of the same entry (built by another esbuild, Node or bundler version), and of
 * bundles whose entry file is gone (a temporary project's).
 */
function removeOlderBundles(dir, entry, key) {
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.json') || name === `${key}.json`) continue;
    try {
      const other = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')).entry;
      if (other !== entry && fs.existsSync(other)) continue;
      const base = name.slice(0, -'.json'.length);
      for (const ext of ['.js', '.js.map', '.json']) fs.rmSync(path.join(dir, base + ext), { force: true });
      removeCodeCaches(dir, base);
    } catch {
      // being written or removed by another process: leave it
    }
  }
}

/**
 * The bundle for `entry`, built or taken from the cache: `{ code, files }`, or undefined when the app must run
 * module by module (see the file comment).
 */
function bundleFor(entry, cacheRoot, searchPaths) {
  if (!cacheRoot) return undefined;
  const esbuild = findEsbuild(searchPaths);
  if (!esbuild) return undefined;
  const dir = path.join(cacheRoot, 'cdktf-bluegreen-app');
  const key = crypto
    .createHash('sha1')
    .update(`${entry}\0${esbuild.version}\0${process.version}\0`)
    .update(fs.readFileSync(__filename)) // a change to how bundles are built makes new ones
    .digest('hex');
  const files = {
    code: path.join(dir, `${key}.js`),
    map: path.join(dir, `${key}.js.map`),
    manifest: path.join(dir, `${key}.json`),
    // V8 refuses a code cache made under other V8 flags, and the cdktf CLI runs the app with
    // NODE_OPTIONS=--max-old-space-size=4096: one cache per set of flags, or `npx cdktf synth` and a direct run
    // would each throw away the other's.
    codeCache: path.join(dir, `${key}.${flagsKey()}.v8`),
  };
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(files.manifest, 'utf8'));
    if (!inputsUnchanged(manifest.inputs)) manifest = undefined;
  } catch {
    manifest = undefined;
  }
  try {
    if (!manifest) {
      const started = Date.now();
      manifest = buildInChild(entry, files, esbuild.path);
      if (manifest.usable) debug(`${entry}: bundled ${manifest.inputs.length} files in ${Date.now() - started} ms`);
      removeOlderBundles(dir, entry, key);
    }
    if (!manifest.usable) {
      debug(`${entry}: ${manifest.reason}: running module by module`);
      return undefined;
    }
    return { code: fs.readFileSync(files.code, 'utf8'), files };
  } catch (e) {
    debug(`${entry}: ${e.message}: running module by module`); // e.g. a read-only node_modules
    return undefined;
  }
}

/**
 * Runs the main module `module` (file `filename`) from its bundle, with V8's code cache. Returns false, having
 * run nothing, when the bundle cannot be used; the caller then loads the module the usual way.
 */
function runMainFromBundle(module, filename, cacheRoot, searchPaths) {
  const bundle = bundleFor(filename, cacheRoot, searchPaths);
  if (!bundle) return false;
  let cachedData;
  try {
    cachedData = fs.readFileSync(bundle.files.codeCache);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(bundle.code), { filename: bundle.files.code, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // After the run, the cache also holds the functions compiled while running (most of them), not only the
    // top level: the next run compiles almost nothing.
    process.once('exit', () => {
      try {
        writeAtomically(bundle.files.codeCache, script.createCachedData());
      } catch {
        // no cache this time
      }
    });
  }
  debug(
    `${filename}: running from ${bundle.files.code}${cachedData && !script.cachedDataRejected ? ' with its code cache' : ''}`,
  );
  bundled = bundle.files;
  const wrapper = script.runInThisContext();
  // What is left for require (Node's built-in modules, a computed path) resolves from the entry, as without a bundle.
  const require = Module.createRequire(filename);
  wrapper.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
  module.loaded = true;
  return true;
}

let bundled; // the files of the bundle the main module runs from, if it does
let sourceMap; // parsed on first use

/**
 * `stack` with positions in the bundle replaced by the source file positions (the bundle's source map, read
 * only when an unexpected error is printed). Unchanged when the app does not run from a bundle.
 */
function mapStack(stack) {
  if (!bundled || typeof stack !== 'string' || !stack.includes(bundled.code)) return stack;
  try {
    if (!sourceMap) sourceMap = new Module.SourceMap(JSON.parse(fs.readFileSync(bundled.map, 'utf8')));
  } catch {
    return stack;
  }
  const mapDir = path.dirname(bundled.map);
  const escaped = bundled.code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return stack.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'), (whole, line, column) => {
    const entry = sourceMap.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !entry.originalSource) return whole;
    const source = path.resolve(mapDir, entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

module.exports = { runMainFromBundle, mapStack };

if (require.main === module) {
  // The child process of buildInChild: node app-bundle.js <entry> <files as JSON> <esbuild directory>
  const [entry, files, esbuildPath] = process.argv.slice(2);
  build(require(esbuildPath), entry, JSON.parse(files)).catch((e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
