// Orders the suites for several workers: longest first, so the long mesh and interop suites start
// at once instead of ending the run alone; the suites that run alone (testEnvironmentOptions.runsAlone,
// see integration-environment.js) last, when the fewest suites are left to wait for. Durations come
// from suite-durations.json (recorded by record-durations.js, so a fresh clone has them too), else
// from Jest's own cache of the last run here, else from the file's size, as Jest's default does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';

const recorded = JSON.parse(readFileSync(path.join(import.meta.dirname, 'suite-durations.json'), 'utf8'));
// A suite nobody has timed yet (a new one): about the median integration suite.
const UNKNOWN_MS = 10_000;

export default class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const key = (test) => {
      const suite = path.relative(test.context.config.rootDir, test.path);
      const alone = (test.context.config.testEnvironmentOptions?.runsAlone ?? []).includes(suite);
      const ms = recorded.suites[suite] ?? this.time(test) ?? UNKNOWN_MS;
      return { alone, ms };
    };
    const keys = new Map(tests.map((t) => [t, key(t)]));
    return [...tests].sort((a, b) => {
      const ka = keys.get(a);
      const kb = keys.get(b);
      if (ka.alone !== kb.alone) return ka.alone ? 1 : -1;
      return kb.ms - ka.ms || (a.path < b.path ? -1 : 1);
    });
  }
}
