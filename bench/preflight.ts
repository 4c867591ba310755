// What a bench needs from the local platform, checked (or installed) before it starts, each with a
// deadline: a bench either runs or fails at once naming what is missing, never waits for ever.
import path from 'node:path';
import { installCrds } from '../hack/platform-env.js';
import { readPlatformEnv, type PlatformEnv } from '../test/support/platform.js';

const repo = path.resolve(import.meta.dirname, '..');

export interface Needs {
  /** Pulsar's admin API answering at the platform's PULSAR_WEB_URL. */
  pulsar?: boolean;
  /** The kube-apiserver, with the project's CRDs installed (they are applied here). */
  crds?: boolean;
}

export async function preflight(bench: string, needs: Needs, timeoutS = 30): Promise<PlatformEnv> {
  const fail = (what: string): never => {
    throw new Error(`bench ${bench}: ${what}`);
  };
  let env: PlatformEnv;
  try {
    env = readPlatformEnv();
  } catch (err) {
    return fail((err as Error).message);
  }
  if (needs.pulsar) {
    const url = `${env.PULSAR_WEB_URL}/admin/v2/clusters`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutS * 1000) }).catch((err: Error) => err);
    if (res instanceof Error || !res.ok) {
      fail(`Pulsar is not answering at ${env.PULSAR_WEB_URL} (${res instanceof Error ? res.message : `HTTP ${res.status}`}): is the platform up? \`npm run local-up\``);
    }
  }
  if (needs.crds) {
    try {
      installCrds(env, path.join(repo, 'manifests/crds'), timeoutS);
    } catch (err) {
      fail(`${(err as Error).message}: is the platform's kube-apiserver up? \`npm run local-up\``);
    }
  }
  return env;
}
