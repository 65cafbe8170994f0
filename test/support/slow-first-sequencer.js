// A jest test sequencer: the files known to be slow start first, the AWS emulator scenario before all, then the rest
// in jest's own order (slowest first by its cache of earlier runs, else by file size). A fresh clone has no such
// cache, and a slow file that starts last keeps one worker busy after the other has finished: with the emulator
// scenario alone taking about as long as all other files on one worker, it must start at once.
// The list is an ordering hint only: a file missing from it still runs, and a listed file that no longer exists is
// ignored. Refresh it from the "slowest test files" of bench/RESULTS.md.
'use strict';
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

/** Slowest first: the last full CI run's ten slowest files (bench/RESULTS.md) as re-measured after the cuts. */
const SLOW_FIRST = [
  'test/e2e/emulator.test.ts',
  'test/e2e/consumer.test.ts',
  'test/e2e/plan-terraform.test.ts',
  'test/e2e/terraform-validate.test.ts',
  'test/commands/release.test.ts',
  'test/e2e/cdktf-cli-errors.test.ts',
  'test/e2e/log-delivery.test.ts',
  'test/api/tsdoc.test.ts',
  'test/stacks/blue-green.test.ts',
  'test/e2e/deploy.test.ts',
  'test/ci/checkov.test.ts',
  'test/bin/readme-props.test.ts',
  'test/cli/cdktf.test.ts',
  'test/commands/diff-replacement-terraform.test.ts',
  'test/e2e/shared-lookup-terraform.test.ts',
];

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const jestOrder = super.sort(tests);
    const rank = (test) => {
      const i = SLOW_FIRST.indexOf(path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/'));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: unlisted files keep jest's order.
    return [...jestOrder].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
