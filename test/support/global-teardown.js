// Stops the platform only if globalSetup started it: a platform brought up by hand stays up.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default async function globalTeardown() {
  if (process.env.FM_PLATFORM_STARTED_BY_JEST !== '1') return;
  execFileSync(path.resolve('hack/local-down'), [], { stdio: 'inherit', env: process.env });
}
