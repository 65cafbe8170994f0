const os = require('os');

// For every process the tests start, set here in jest's own process so that each worker and each child it spawns
// inherits them (a test file's process.env is a copy: what setup.ts sets reaches only the children given
// `{ ...process.env }`):
// - no version-check calls home from Terraform or the cdktf CLI, no EC2 metadata requests from the AWS SDKs;
// - GOGC=400: Terraform and its AWS provider (a 700 MB Go binary that builds its whole schema at each start, several
//   times per terraform command) collect garbage less often. Measured on a one-resource AWS stack, CPU with Go's
//   default (100) -> with 400: `terraform validate` 4.2 -> 3.2 s, `terraform providers schema -json` 4.1 -> 3.6 s;
//   peak memory 320 -> 380-460 MB. Behaviour is unchanged.
process.env.CHECKPOINT_DISABLE = '1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.GOGC ??= '400';

/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, recording each test file's CPU time for `npm run bench` (see the file).
  testEnvironment: '<rootDir>/test/support/cpu-environment.js',
  // jest's runtime, with V8's code cache for the modules it compiles once per test file (see the file): measured on
  // 23 files run in band, 18.1-19.1 s of CPU -> 15.1-15.3 s.
  runtime: '<rootDir>/test/support/code-cache-runtime.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // The known-slow files first (the emulator scenario at once): see the file.
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
  // One synth cache per run, shared by the workers: each distinct configuration is synthesized once
  // (test/support/synth-cache.ts). Setup makes a fresh directory, teardown removes it.
  globalSetup: '<rootDir>/test/support/synth-cache-setup.js',
  globalTeardown: '<rootDir>/test/support/synth-cache-teardown.js',
  testTimeout: 60000,
  // The default reporter, plus per-test wall times of the last run for `npm run bench` (its "ten slowest tests").
  reporters: ['default', '<rootDir>/test/support/timing-reporter.js'],
  // One worker more than there are cores: many suites wait on real processes and fixed delays (the AWS provider's
  // 30 s load balancer waits in the emulator scenario, terraform, checkov, moto, rsyslogd's retry back-off), so on
  // 2 cores a third worker fills what the waiting ones leave idle. Measured on a fresh clone, 2 cores, warm jest
  // cache, the whole suite: 310 s with 2 workers, 242 s with 3 (bench/RESULTS.md).
  maxWorkers: os.availableParallelism() + 1,
};
