// What integration tests know of the running local platform: the env file hack/local-up writes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../../hack/platform-env.js';

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
  if (!existsSync(path.join(dir, 'env'))) {
    throw new Error(`no local platform in ${dir} (no env file): start one with \`npm run local-up\`, or set FM_PLATFORM_DIR to a running platform's directory`);
  }
  const env = readEnvFile(path.join(dir, 'env'));
  for (const key of ['KUBECONFIG', 'KUBECTL', 'PULSAR_WEB_URL', 'PULSAR_BROKER_URL', 'PULSAR_WS_URL']) {
    if (!env[key]) throw new Error(`platform env file ${dir}/env lacks ${key}: run hack/local-up again`);
  }
  return env as PlatformEnv;
}
