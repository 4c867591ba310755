// Starts the real local platform once for every integration suite, unless one is already up
// (FM_PLATFORM_DIR pointing at a running platform, e.g. started by `npm run local-up` or CI).
// Plain JavaScript: Jest loads global setup outside its TypeScript module mapping.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const platformDir = () => process.env.FM_PLATFORM_DIR ?? path.resolve('.local/platform');

export default async function globalSetup() {
  const dir = platformDir();
  process.env.FM_PLATFORM_DIR = dir;
  if (!(await platformIsUp(dir))) {
    if (existsSync(path.join(dir, 'pids'))) {
      throw new Error(`the platform in ${dir} is not healthy: hack/local-down, then run the tests again`);
    }
    execFileSync(path.resolve('hack/local-up'), [], { stdio: 'inherit', env: process.env });
    process.env.FM_PLATFORM_STARTED_BY_JEST = '1';
  }
  installCrds(dir);
}

// Every suite may create our custom resources, in whatever order Jest runs them: the project's
// CRDs are installed (server-side apply: idempotent) before any suite starts.
function installCrds(dir) {
  const env = Object.fromEntries([...readFileSync(path.join(dir, 'env'), 'utf8').matchAll(/^export ([A-Z0-9_]+)="([^"]*)"$/gm)]
    .map((m) => [m[1], m[2]]));
  const kubectl = (...args) => execFileSync(env.KUBECTL, ['--kubeconfig', env.KUBECONFIG, ...args], { stdio: 'pipe' });
  kubectl('apply', '--server-side', '--force-conflicts', '-f', path.resolve('manifests/crds'));
  kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', path.resolve('manifests/crds'));
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
