// End to end on the real platform: the controller renders a Function into a Deployment and a
// ScaledObject; the real KEDA operator calls our scaler, which reads the real Pulsar backlog.
// Idle → KEDA scales to zero; a message arrives → pushed awake; a backlog → KEDA's HPA (through
// its metrics adapter) scales out; drained → back to zero.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PulsarConsumer } from '../../../adapters/pulsar/ws-consumer.js';
import { PulsarProducer } from '../../../adapters/pulsar/ws-producer.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { readPlatformEnv } from '../../support/platform.js';
import { freePorts } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const env = readPlatformEnv();
const repo = path.resolve(import.meta.dirname, '../../..');
const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
let ns: string;
let input: string;

function startProcess(file: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, file), ...args], {
    cwd: repo, env: { ...process.env, KUBECONFIG: env.KUBECONFIG, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

const replicas = async (): Promise<number> =>
  (await kubectlJson<{ spec: { replicas?: number } }>(['-n', ns, 'get', 'deployment', 'echo-function'])).spec.replicas ?? 1;

beforeAll(async () => {
  ns = await createTestNamespace('e2e');
  input = `persistent://public/default/${ns}-in`;
  const [grpcPort, scalerOps, controllerOps] = await freePorts(3) as [number, number, number];
  startProcess('scaler/main.ts', ['--port', String(grpcPort), '--ops-port', String(scalerOps), '--fresh-ms', '1000']);
  startProcess('controller/main.ts', [
    '--scaler-address', `127.0.0.1:${grpcPort}`, '--ops-port', String(controllerOps),
    '--leader-elect', 'false', '--watch-namespace', ns,
  ]);
  await kubectlOk(['-n', ns, 'create', 'configmap', 'pulsar',
    `--from-literal=webServiceURL=${env.PULSAR_WEB_URL}`, `--from-literal=brokerServiceURL=${env.PULSAR_BROKER_URL}`]);
  await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', metadata: { name: 'echo' },
    spec: {
      className: 'echo', http: { image: 'example.invalid/echo:1' },
      input: { topics: [input] }, output: { topic: `persistent://public/default/${ns}-out` },
      minReplicas: 0, maxReplicas: 3,
      scaling: { targetBacklogPerReplica: 2, cooldownPeriod: 5, pollingInterval: 2 },
      pulsar: { pulsarConfig: 'pulsar' },
    },
  }) });
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  for (const child of children) child.kill('SIGTERM');
  await deleteNamespace(ns);
});

describe('scale to zero and back, with the real KEDA', () => {
  it('KEDA scales the idle function to zero, and the status says so', async () => {
    await waitFor('KEDA scaling the Deployment to 0', async () => (await replicas()) === 0, { timeoutMs: 90_000 });
    const fn = await waitFor('Ready=True ScaledToZero', async () => {
      const f = await kubectlJson<{ status?: { conditions?: { type: string; status: string; reason: string }[] } }>(
        ['-n', ns, 'get', 'function', 'echo']);
      const ready = f.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.reason === 'ScaledToZero' ? ready : undefined;
    }, { timeoutMs: 30_000 });
    expect(fn.status).toBe('True');
  });

  it('a message wakes it through push activation, well before the next poll would', async () => {
    const producer = new PulsarProducer({ url: env.PULSAR_WS_URL, topic: input });
    closers.push(() => producer.close());
    await producer.waitConnected(30_000);
    const sent = Date.now();
    await producer.send({ payload: Buffer.from('wake up') });
    await waitFor('the Deployment scaled to ≥ 1', async () => (await replicas()) >= 1, { timeoutMs: 30_000, intervalMs: 100 });
    const wakeMs = Date.now() - sent;
    process.stdout.write(`${JSON.stringify({ e2e: 'wake-from-zero', ms: wakeMs })}\n`);
    expect(wakeMs).toBeLessThan(30_000); // KEDA's default poll is 30 s; the figure is reported above
  });

  it('a backlog scales it out through KEDA\'s HPA, and draining it returns to zero', async () => {
    const producer = new PulsarProducer({ url: env.PULSAR_WS_URL, topic: input });
    closers.push(() => producer.close());
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ payload: Buffer.from(`m${i}`) })));
    // 21 messages at 2 per replica asks for 11 replicas: capped at maxReplicas 3.
    await waitFor('3 replicas', async () => (await replicas()) === 3, { timeoutMs: 120_000, intervalMs: 1000 });

    // kwok pods run no process: this consumer does the function's part and acknowledges.
    const drain = new PulsarConsumer({
      url: env.PULSAR_WS_URL, topics: [input], subscription: 'public/default/echo', subscriptionType: 'Shared',
      onMessage: (m, session) => void drain.ack(m.messageId, session),
    });
    closers.push(() => drain.close());
    await waitFor('KEDA scaling back to 0', async () => (await replicas()) === 0, { timeoutMs: 120_000, intervalMs: 1000 });
  });
});
