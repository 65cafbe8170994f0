const os = require('os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
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
  testTimeout: 60000,
  // The default reporter, plus per-test wall times of the last run for `npm run bench` (its "ten slowest tests").
  reporters: ['default', '<rootDir>/test/support/timing-reporter.js'],
  // At least two workers: many suites wait on real processes (terraform, checkov, moto, rsyslogd, strongSwan), so two
  // overlap well even on 2 cores, where jest's default is one worker.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
};
