// The env file hack/local-up writes (`export KEY="value"` lines): read by `npm start`, the tests and
// the benches, which also install the CRDs through here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/**
 * Applies the project's CRDs (server-side: idempotent) and waits until they are Established, each
 * step with a deadline: what `npm start`, the test setup and the benches need before any custom
 * resource is created.
 */
export function installCrds(platform: { KUBECTL: string; KUBECONFIG: string }, crdsDir: string, timeoutS = 60): void {
  const kubectl = (...args: string[]): void => {
    try {
      execFileSync(platform.KUBECTL, ['--kubeconfig', platform.KUBECONFIG, `--request-timeout=${timeoutS}s`, ...args], { stdio: 'pipe', timeout: (timeoutS + 10) * 1000 });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`installing the CRDs from ${crdsDir} failed (kubectl ${args[0]}): ${e.stderr?.toString().trim() || e.message}`, { cause: err });
    }
  };
  kubectl('apply', '--server-side', '--force-conflicts', '-f', crdsDir);
  kubectl('wait', '--for=condition=Established', `--timeout=${timeoutS}s`, '-f', crdsDir);
}
