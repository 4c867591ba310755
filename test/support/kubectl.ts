// Real kubectl against the platform, for integration tests: what users type is what we test.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readPlatformEnv } from './platform.js';

export interface KubectlResult { stdout: string; stderr: string; code: number }

/** Runs kubectl; resolves with the exit code instead of throwing, so tests can assert on failures. */
export function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const env = readPlatformEnv();
  return new Promise((resolve) => {
    const child = execFile(
      env.KUBECTL,
      ['--kubeconfig', env.KUBECONFIG, '--request-timeout=30s', ...args],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ stdout, stderr: err && !stderr ? err.message : stderr, code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like kubectl(), but throws with kubectl's stderr when the command fails. */
export async function kubectlOk(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export async function kubectlJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as T;
}

/** A fresh namespace per test, so suites never see each other's objects. */
export async function createTestNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
  await kubectlOk(['create', 'namespace', name]);
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
}
