// The order test files start in. Jest runs the longest first when an earlier run on this machine timed them; a fresh
// clone has no timings, and Jest falls back to file size, which says little here: a short file that drives Chromium
// through 68 screens started last in such a run and kept one worker busy alone for its last minute. Without timings,
// the files known to be long (a browser, or a process per command) start first.
import Sequencer from '@jest/test-sequencer';

const LONG = /(chromium|browser|cli)\.test\.ts$/;

export default class LongFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.every((test) => test.duration != null)) return sorted;
    return [...sorted.filter((test) => LONG.test(test.path)), ...sorted.filter((test) => !LONG.test(test.path))];
  }
}
