// What integration tests know of the running local platform: the env file hack/local-up writes.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PlatformEnv {
  KUBECONFIG: string;
  PULSAR_WEB_URL: string;
  PULSAR_BROKER_URL: string;
  PULSAR_WS_URL: string;
  FM_PLATFORM_DIR: string;
  KUBECTL: string;
  [key: string]: string;
}

export function platformDir(): string {
  return process.env.FM_PLATFORM_DIR ?? path.resolve('.local/platform');
}

export function readPlatformEnv(dir = platformDir()): PlatformEnv {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path.join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  for (const key of ['KUBECONFIG', 'KUBECTL', 'PULSAR_WEB_URL', 'PULSAR_BROKER_URL', 'PULSAR_WS_URL']) {
    if (!env[key]) throw new Error(`platform env file ${dir}/env lacks ${key}: run hack/local-up again`);
  }
  return env as PlatformEnv;
}
