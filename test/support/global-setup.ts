// Starts the real local platform once for every integration suite, unless one is already up
// (FM_PLATFORM_DIR pointing at a running platform, e.g. started by `npm run local-up`).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { platformDir, readPlatformEnv } from './platform.js';

export default async function globalSetup(): Promise<void> {
  const dir = platformDir();
  if (existsSync(`${dir}/env`) && (await platformIsUp(dir))) {
    process.env.FM_PLATFORM_STARTED_BY_JEST = '';
    return;
  }
  execFileSync('hack/local-up', [], { stdio: 'inherit', env: { ...process.env, FM_PLATFORM_DIR: dir } });
  process.env.FM_PLATFORM_STARTED_BY_JEST = '1';
}

async function platformIsUp(dir: string): Promise<boolean> {
  try {
    const env = readPlatformEnv(dir);
    const res = await fetch(`${env.PULSAR_WEB_URL}/admin/v2/clusters`, { signal: AbortSignal.timeout(3000) });
    return res.ok && existsSync(env.KUBECONFIG);
  } catch {
    return false;
  }
}
