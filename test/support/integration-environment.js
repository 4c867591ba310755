// The integration suites' Jest environment: Node's, plus the suite locks (suite-lock.js), held from
// before the suite's first line to after its last afterAll. Suites named in the project's
// testEnvironmentOptions.runsAlone hold the platform lock exclusive, every other suite shared; the
// suites named in testEnvironmentOptions.heavy also hold the heavy lock, one at a time. The locks
// belong to the platform, not to one Jest run: two runs against the same platform wait for each other too.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestEnvironment } from 'jest-environment-node';
import { acquireExclusive, acquireShared } from './suite-lock.js';

export function suiteLockDir(platformDir) {
  const id = createHash('sha256').update(path.resolve(platformDir)).digest('hex').slice(0, 12);
  return path.join(tmpdir(), `fm-suite-lock-${id}`);
}

export default class IntegrationEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const { rootDir, testEnvironmentOptions } = config.projectConfig;
    const suite = path.relative(rootDir, context.testPath);
    this.runsAlone = (testEnvironmentOptions.runsAlone ?? []).includes(suite);
    this.heavy = (testEnvironmentOptions.heavy ?? []).includes(suite);
    this.lockDir = suiteLockDir(process.env.FM_PLATFORM_DIR ?? path.join(rootDir, '.local/platform'));
    this.releases = [];
  }

  async setup() {
    await super.setup();
    // The heavy lock first: a suite waiting for it holds nothing a suite that runs alone waits for.
    if (this.heavy) this.releases.push(await acquireExclusive(path.join(this.lockDir, 'heavy')));
    this.releases.push(await (this.runsAlone ? acquireExclusive : acquireShared)(this.lockDir));
  }

  async teardown() {
    for (const release of this.releases.reverse()) release();
    await super.teardown();
  }
}
