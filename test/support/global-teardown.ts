// Stops the platform only if globalSetup started it: a platform brought up by hand stays up.
import { execFileSync } from 'node:child_process';
import { platformDir } from './platform.js';

export default async function globalTeardown(): Promise<void> {
  if (process.env.FM_PLATFORM_STARTED_BY_JEST !== '1') return;
  execFileSync('hack/local-down', [], { stdio: 'inherit', env: { ...process.env, FM_PLATFORM_DIR: platformDir() } });
}
