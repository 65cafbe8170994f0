// jest's runtime (jest-runtime 30), with V8's code cache for the modules it compiles. jest compiles every module
// anew for each test file (vm.compileFunction, which V8's in-process compilation cache does not serve), so each
// file that loads the library recompiled cdktf and the provider bindings: ~0.37 s of CPU per file, a seventh of the
// suite's CPU. Here each worker keeps the code cache V8 produced for a module's source the first time, and hands it
// back on every later compile of the same source (V8 checks the cache against the source and ignores a bad one).
// Module loading and evaluation are unchanged: still one fresh module registry per test file.
'use strict';
const vm = require('vm');
const { handlePotentialSyntaxError } = require('@jest/transform');
const Runtime = require('jest-runtime').default;

/** Per worker process: filename -> the source compiled and V8's code cache for it. */
const codeCache = new Map();

class CodeCacheRuntime extends Runtime {
  createScriptFromCode(scriptSource, filename) {
    const vmContext = this._environment.getVmContext();
    if (vmContext == null) return null;
    const scriptFilename = this._resolver.isCoreModule(filename) ? `jest-nodejs-core-${filename}` : filename;
    const cached = codeCache.get(scriptFilename);
    const hit = cached !== undefined && cached.source === scriptSource;
    try {
      const fn = vm.compileFunction(scriptSource, this.constructInjectedModuleParameters(), {
        filename: scriptFilename,
        importModuleDynamically: async (specifier) => {
          const module = await this.resolveModule(specifier, scriptFilename, vmContext);
          return this.linkAndEvaluateModule(module);
        },
        parsingContext: vmContext,
        ...(hit ? { cachedData: cached.data } : { produceCachedData: true }),
      });
      if (!hit && fn.cachedData) codeCache.set(scriptFilename, { source: scriptSource, data: fn.cachedData });
      return fn;
    } catch (error) {
      throw handlePotentialSyntaxError(error);
    }
  }
}

module.exports = CodeCacheRuntime;
