// Orders the suites for several workers (jest.config.js) so that the run ends soon and evenly:
// - longest first, so the long mesh and interop suites start early instead of ending the run alone;
// - the heavy suites (testEnvironmentOptions.heavy: each starts JVMs or runs npm ci) at most one at a
//   time, spaced so each comes up as the one before it ends, the light ones filling the other
//   workers meanwhile (integration-environment.js enforces it; the order only avoids idle waits);
// - the suites that run alone (testEnvironmentOptions.runsAlone) last, when the fewest are left to wait for.
// Durations come from suite-durations.json (record-durations.js; a fresh clone has them too), else
// from Jest's cache of the last run here, else a guess.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';

const recorded = JSON.parse(readFileSync(path.join(import.meta.dirname, 'suite-durations.json'), 'utf8'));
// A suite nobody has timed yet (a new one): about the median integration suite.
const UNKNOWN_MS = 10_000;

export default class LongestFirstSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.workers = Math.max(1, options.globalConfig.maxWorkers);
  }

  sort(tests) {
    const items = tests.map((test) => {
      const suite = path.relative(test.context.config.rootDir, test.path);
      const options = test.context.config.testEnvironmentOptions ?? {};
      const ms = recorded.suites[suite] ?? this.time(test) ?? UNKNOWN_MS;
      return { test, ms, alone: (options.runsAlone ?? []).includes(suite), heavy: (options.heavy ?? []).includes(suite) };
    }).sort((a, b) => b.ms - a.ms || (a.test.path < b.test.path ? -1 : 1));
    const alone = items.filter((i) => i.alone);
    const heavy = items.filter((i) => !i.alone && i.heavy);
    const light = items.filter((i) => !i.alone && !i.heavy);
    // Plays the run with the recorded durations: each free worker takes the next heavy suite if
    // none runs, else the next light one.
    const freeAt = Array(this.workers).fill(0);
    let heavyFreeAt = 0;
    const order = [];
    while (heavy.length || light.length) {
      const w = freeAt.indexOf(Math.min(...freeAt));
      const now = freeAt[w];
      const next = heavy.length && (heavyFreeAt <= now || !light.length) ? heavy.shift() : light.shift();
      const start = next.heavy ? Math.max(now, heavyFreeAt) : now;
      freeAt[w] = start + next.ms;
      if (next.heavy) heavyFreeAt = freeAt[w];
      order.push(next.test);
    }
    return [...order, ...alone.map((i) => i.test)];
  }
}
