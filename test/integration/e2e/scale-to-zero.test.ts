// End to end on the real platform: the controller renders a Function into a Deployment and a
// ScaledObject; the real KEDA operator calls our scaler, which reads the real Pulsar backlog.
// Idle → KEDA scales to zero; a message arrives → pushed awake (with KEDA's polling slowed to
// 300 s, so only push can wake it in time); a backlog → KEDA's HPA (through its metrics adapter)
// scales out; drained → back to zero; `npm start`'s next-steps commands wake it and let it sleep.
// The scaler's periodic stream check (--check-ms) is pushed out of the way too: only the topic
// reader's push can deliver "active" within the bound.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { nextSteps } from '../../../hack/next-steps.js';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { PulsarConsumer } from '../../../adapters/pulsar/ws-consumer.js';
import { PulsarProducer } from '../../../adapters/pulsar/ws-producer.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { platformDir, readPlatformEnv } from '../../support/platform.js';
import { freePorts } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const env = readPlatformEnv();
const repo = path.resolve(import.meta.dirname, '../../..');
const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
let ns: string;
let input: string;
let scalerOps: number;
/** KEDA's polling while the push test runs: far beyond the wake bound, so a poll cannot pass it. */
const SLOW_POLL_S = 300;
const WAKE_BOUND_MS = 15_000;

function startProcess(file: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, file), ...args], {
    cwd: repo, env: { ...process.env, KUBECONFIG: env.KUBECONFIG, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

const replicas = async (): Promise<number> =>
  (await kubectlJson<{ spec: { replicas?: number } }>(['-n', ns, 'get', 'deployment', 'echo-function'])).spec.replicas ?? 1;

async function scalerGauge(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${scalerOps}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
}

/** IsActive calls the scaler answered: KEDA's operator polls with them, the HPA never does. */
async function isActiveCalls(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${scalerOps}/metrics`)).text();
  return [...text.matchAll(/^scaler_grpc_requests_total\{[^}]*method="IsActive"[^}]*\} (\S+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function setPollingInterval(seconds: number): Promise<void> {
  await kubectlOk(['-n', ns, 'patch', 'function', 'echo', '--type', 'merge', '-p', JSON.stringify({ spec: { scaling: { pollingInterval: seconds } } })]);
  await waitFor(`the ScaledObject's pollingInterval ${seconds}`, async () =>
    (await kubectlJson<{ spec: { pollingInterval?: number } }>(['-n', ns, 'get', 'scaledobject', 'echo-function'])).spec.pollingInterval === seconds, { timeoutMs: 30_000 });
}

async function backlog(subscription: string): Promise<number> {
  const stats = await (await fetch(`${env.PULSAR_WEB_URL}/admin/v2/${input.replace('://', '/')}/stats`)).json() as { subscriptions: Record<string, { msgBacklog: number }> };
  return stats.subscriptions[subscription]?.msgBacklog ?? NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ns = await createTestNamespace('e2e');
  input = `persistent://public/default/${ns}-in`;
  let grpcPort: number, controllerOps: number;
  [grpcPort, scalerOps, controllerOps] = await freePorts(3) as [number, number, number];
  startProcess('scaler/main.ts', ['--port', String(grpcPort), '--ops-port', String(scalerOps), '--fresh-ms', '1000', '--check-ms', '600000', '--backlog-source', 'stats']);
  startProcess('controller/main.ts', [
    '--scaler-address', `127.0.0.1:${grpcPort}`, '--ops-port', String(controllerOps),
    '--leader-elect', 'false', '--watch-namespace', ns,
  ]);
  // The input topic exists before the Function (as a producer's topic would): the scaler watches
  // only existing idle topics, since a reader would create a missing one.
  await new PulsarAdmin({ url: env.PULSAR_WEB_URL, timeoutMs: 10_000 }).createSubscription(parseTopicName(input), 'public/default/echo', 'earliest');
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
    // KEDA restarts a ScaledObject's loop when its spec changes: one poll at once, the next after
    // the new interval. No IsActive call for 6 s (three 2 s polls) shows the slow loop is in place.
    await setPollingInterval(SLOW_POLL_S);
    try {
      await waitFor(`KEDA polling every ${SLOW_POLL_S} s (no IsActive call for 6 s)`, async () => {
        const before = await isActiveCalls();
        await sleep(6_000);
        return (await isActiveCalls()) === before;
      }, { timeoutMs: 90_000, intervalMs: 0 });
      const producer = new PulsarProducer({ url: env.PULSAR_WS_URL, topic: input });
      closers.push(() => producer.close());
      await producer.waitConnected(30_000);
      await waitFor('the scaler\'s reader on the idle input topic, connected', async () => (await scalerGauge('scaler_watched_topics_connected')) >= 1, { timeoutMs: 30_000 });
      expect(await replicas()).toBe(0);
      const sent = Date.now();
      await producer.send({ payload: Buffer.from('wake up') });
      await waitFor('the Deployment scaled to ≥ 1', async () => (await replicas()) >= 1, { timeoutMs: 60_000, intervalMs: 100 });
      const wakeMs = Date.now() - sent;
      process.stdout.write(`${JSON.stringify({ e2e: 'wake-from-zero', ms: wakeMs, pollingIntervalS: SLOW_POLL_S })}\n`);
      expect(wakeMs).toBeLessThan(WAKE_BOUND_MS);
    } finally {
      await setPollingInterval(2);
    }
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
    await drain.close();
  });

  it('the next steps `npm start` prints wake it from zero and let it scale back down', async () => {
    const steps = nextSteps({
      kubeconfig: env.KUBECONFIG, kubectl: env.KUBECTL, pulsarWebUrl: env.PULSAR_WEB_URL, platformDir: platformDir(),
      fn: { namespace: ns, name: 'echo', input, subscription: 'public/default/echo' },
    });
    expect(steps.text).toContain(`export KUBECONFIG=${env.KUBECONFIG}`);
    expect(steps.text).toContain(steps.produce);
    expect(await replicas()).toBe(0);
    const sh = (command: string) => promisify(execFile)('sh', ['-c', command], { cwd: repo, timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect((await sh(steps.produce)).stdout).toContain(`published to ${input}`);
    await waitFor('the message in the function\'s subscription', async () => (await backlog('public/default/echo')) === 1, { timeoutMs: 10_000 });
    await waitFor('the Deployment scaled to ≥ 1', async () => (await replicas()) >= 1, { timeoutMs: 60_000, intervalMs: 500 });
    await sh(steps.skipBacklog);
    await waitFor('the subscription\'s backlog cleared', async () => (await backlog('public/default/echo')) === 0, { timeoutMs: 10_000 });
    await waitFor('KEDA scaling back to 0', async () => (await replicas()) === 0, { timeoutMs: 120_000, intervalMs: 1000 });
  });
});
