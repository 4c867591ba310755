// `npm start`: the main job on an embedded default. The scaler and the controller run against the
// cluster of the current kubeconfig; with none configured, against the local platform (started
// here, with the samples applied, and stopped again on exit), and once the samples are up it prints
// the next steps (hack/next-steps.ts).
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '../process/logger.js';
import { waitFor } from '../test/support/wait.js';
import { nextSteps } from './next-steps.js';
import { installCrds, readEnvFile } from './platform-env.js';

const log = createLogger('start');
const repo = path.resolve(import.meta.dirname, '..');
const platformDir = process.env.FM_PLATFORM_DIR ?? path.join(repo, '.local/platform');
const configuredKubeconfig = process.env.KUBECONFIG ?? (existsSync(path.join(homedir(), '.kube/config')) ? path.join(homedir(), '.kube/config') : undefined);

const env: NodeJS.ProcessEnv = { ...process.env };
let startedPlatform = false;

if (configuredKubeconfig) {
  log.info({ kubeconfig: configuredKubeconfig }, 'using the configured cluster');
} else {
  if (!existsSync(path.join(platformDir, 'env'))) {
    log.info({ platformDir }, 'no cluster configured: starting the local platform (the first run builds it)');
    execFileSync(path.join(repo, 'hack/local-up'), [], { stdio: 'inherit', env: { ...env, FM_PLATFORM_DIR: platformDir } });
    startedPlatform = true;
  }
  const { PATH: _path, ...platformEnv } = readEnvFile(path.join(platformDir, 'env'));
  Object.assign(env, platformEnv);
  const kubectl = (args: string[], input?: string): void => {
    execFileSync(env.KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, ...args], { input, stdio: [input ? 'pipe' : 'ignore', 'inherit', 'inherit'] });
  };
  installCrds({ KUBECTL: env.KUBECTL!, KUBECONFIG: env.KUBECONFIG! }, path.join(repo, 'manifests/crds'));
  kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pulsar', namespace: 'default' },
    data: { webServiceURL: env.PULSAR_WEB_URL, brokerServiceURL: env.PULSAR_BROKER_URL },
  }));
  kubectl(['apply', '--server-side', '-n', 'default', '-k', path.join(repo, 'manifests/samples')]);
}

const scalerPort = process.env.SCALER_GRPC_PORT ?? '9090';
const children: ChildProcess[] = [
  run('scaler', ['scaler/main.ts', '--port', scalerPort, '--ops-port', process.env.SCALER_OPS_PORT ?? '8081']),
  run('controller', [
    'controller/main.ts', '--scaler-address', `127.0.0.1:${scalerPort}`, '--ops-port', process.env.CONTROLLER_OPS_PORT ?? '8082',
    // One process on the embedded platform: no Lease to elect a writer with.
    ...(configuredKubeconfig ? [] : ['--leader-elect', 'false']),
  ]),
];

/** Once every sample Function is Ready and the one to wake is at zero: what to type next. */
async function printNextSteps(): Promise<void> {
  const fn = { namespace: 'default', name: 'exclamation-http', input: 'exclamation-in', subscription: 'public/default/exclamation-http' };
  const get = async (...args: string[]): Promise<{ items?: Sample[] } & Sample> => JSON.parse((await promisify(execFile)(
    env.KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, '--request-timeout=10s', '-n', fn.namespace, 'get', ...args, '-o', 'json'], { timeout: 20_000 })).stdout) as { items?: Sample[] } & Sample;
  try {
    await waitFor('the samples Ready, and exclamation-http scaled to zero', async () => {
      const functions = (await get('functions')).items ?? [];
      const notReady = functions.filter((f) => !f.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((f) => f.metadata.name);
      if (functions.length === 0 || notReady.length > 0) throw new Error(`not Ready yet: ${notReady.join(', ') || 'no Functions listed'}`);
      // A Function's Deployment is named `<name>-function` (controller/render/names.ts).
      const replicas = (await get('deployment', `${fn.name}-function`)).spec?.replicas;
      if (replicas !== 0) throw new Error(`${fn.name} has ${replicas} replicas`);
      return true;
    }, { timeoutMs: 300_000, intervalMs: 2000 });
  } catch (err) {
    log.warn({ err }, 'the samples did not come up: no next steps to print');
    return;
  }
  if (stopping) return;
  const defaultDir = path.join(repo, '.local/platform');
  process.stdout.write(nextSteps({
    kubeconfig: env.KUBECONFIG!, kubectl: env.KUBECTL!, pulsarWebUrl: env.PULSAR_WEB_URL!, fn,
    platformDir: path.resolve(platformDir) === defaultDir ? undefined : platformDir,
  }).text);
}

interface Sample {
  metadata: { name: string };
  spec?: { replicas?: number };
  status?: { conditions?: { type: string; status: string }[] };
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
if (!configuredKubeconfig) void printNextSteps();

function run(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repo, env, stdio: 'inherit' });
  child.on('exit', (code) => {
    if (!stopping) {
      log.error({ process: name, code }, 'exited: stopping everything');
      void stop(code ?? 1);
    }
  });
  return child;
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  })));
  if (startedPlatform) execFileSync(path.join(repo, 'hack/local-down'), [], { stdio: 'inherit', env: { ...process.env, FM_PLATFORM_DIR: platformDir } });
  process.exit(code);
}
