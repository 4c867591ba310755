// The integration suites' Jest environment: Node's, plus the suite lock (suite-lock.js). Suites
// named in the project's testEnvironmentOptions.runsAlone hold it exclusive, every other suite
// shared, from before the suite's first line to after its last afterAll. The lock belongs to the
// platform, not to one Jest run: two runs against the same platform wait for each other too.
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
    this.lockDir = suiteLockDir(process.env.FM_PLATFORM_DIR ?? path.join(rootDir, '.local/platform'));
  }

  async setup() {
    await super.setup();
    this.release = await (this.runsAlone ? acquireExclusive : acquireShared)(this.lockDir);
  }

  async teardown() {
    this.release?.();
    await super.teardown();
  }
}
