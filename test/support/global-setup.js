// Starts the real local platform once for every integration suite, unless one is already up
// (FM_PLATFORM_DIR pointing at a running platform, e.g. started by `npm run local-up` or CI).
// Plain JavaScript: Jest loads global setup outside its TypeScript module mapping.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

export const platformDir = () => process.env.FM_PLATFORM_DIR ?? path.resolve('.local/platform');

export default async function globalSetup() {
  const dir = platformDir();
  process.env.FM_PLATFORM_DIR = dir;
  if (!(await platformIsUp(dir))) {
    if (existsSync(path.join(dir, 'pids'))) {
      throw new Error(`the platform in ${dir} is not healthy: hack/local-down, then run the tests again`);
    }
    // The suites under test/integration/node need pods that really run: `npm test` starts the
    // platform with the real node unless told otherwise (`npm start` never does, unasked).
    execFileSync(path.resolve('hack/local-up'), [], { stdio: 'inherit', env: { FM_REAL_NODE: '1', ...process.env } });
    process.env.FM_PLATFORM_STARTED_BY_JEST = '1';
  }
  await installCrds(dir);
}

// Every suite may create our custom resources, in whatever order Jest runs them: the project's
// CRDs are installed before any suite starts, by the same code as `npm start` and the benches
// (TypeScript, loaded through tsx: Jest's module mapping does not apply here).
async function installCrds(dir) {
  const { installCrds: install, readEnvFile } = await tsImport('../../hack/platform-env.ts', import.meta.url);
  install(readEnvFile(path.join(dir, 'env')), path.resolve('manifests/crds'));
}

async function platformIsUp(dir) {
  const envFile = path.join(dir, 'env');
  if (!existsSync(envFile)) return false;
  const web = /PULSAR_WEB_URL="?([^"\n]+)/.exec(readFileSync(envFile, 'utf8'))?.[1];
  try {
    const res = await fetch(`${web}/admin/v2/clusters`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}
