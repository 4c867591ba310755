// What the real-pod mesh suites (and bench/e2e.ts) share: the installation on the real node, the
// source → function → sink mesh with a receiver at its end, events POSTed to the Source, and a
// record of every member's replicas over time.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { PulsarAdmin } from '../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../adapters/pulsar/topic-name.js';
import { kubectlJson, kubectlOk } from './kubectl.js';
import { readPlatformEnv } from './platform.js';
import { isReady, type PodInfo } from './installation.js';
import { waitFor } from './wait.js';

export const REAL_NODE_SCHEDULING = (taint: string) => ({
  nodeSelector: { [taint]: 'true' },
  tolerations: [{ key: taint, operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
});

/** Short KEDA timings, so a wake, a scale-out and a return to zero fit in a test. */
export const FAST_SCALING = { targetBacklogPerReplica: 20, cooldownPeriod: 10, pollingInterval: 2 };

export interface Topics { raw: string; shouted: string }

export function meshTopics(ns: string): Topics {
  return { raw: `persistent://public/default/${ns}-raw`, shouted: `persistent://public/default/${ns}-shouted` };
}

/**
 * The subscriptions of the function and the sink, made before the mesh (as a running pipeline's
 * would be): a subscription made later would start after the events already published, and the
 * scaler's push reader watches only topics that exist.
 */
export async function createSubscriptions(topics: Topics, subscriptions: { fn: string; sink: string }): Promise<void> {
  const admin = new PulsarAdmin({ url: readPlatformEnv().PULSAR_WEB_URL, timeoutMs: 10_000 });
  await admin.createSubscription(parseTopicName(topics.raw), subscriptions.fn, 'earliest');
  await admin.createSubscription(parseTopicName(topics.shouted), subscriptions.sink, 'earliest');
}

export async function createPulsarConfig(ns: string): Promise<void> {
  const env = readPlatformEnv();
  await kubectlOk(['-n', ns, 'create', 'configmap', 'pulsar',
    `--from-literal=webServiceURL=${env.PULSAR_WEB_URL}`, `--from-literal=brokerServiceURL=${env.PULSAR_BROKER_URL}`]);
}

/**
 * source (HTTP, 1 replica) → raw → function → shouted → sink (HTTP, delivering to `receiverUrl`).
 * The Source and the Sink run the SDK's example image with K_SINK: the Source's is set by the
 * controller (the bridge's ingress), the Sink's is the receiver. Each member appends "!".
 */
export function meshManifest(opts: {
  name: string; topics: Topics; exampleImage: string; receiverUrl: string; taint: string;
  fn: Record<string, unknown>; subscriptions: { fn: string; sink: string };
}): Record<string, unknown> {
  const pod = { ...REAL_NODE_SCHEDULING(opts.taint), terminationGracePeriodSeconds: 5 };
  const pulsar = { pulsarConfig: 'pulsar' };
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'FunctionMesh',
    metadata: { name: opts.name },
    spec: {
      sources: [{
        name: 'in', className: 'exclamation', http: { image: opts.exampleImage, port: 8080 },
        output: { topic: opts.topics.raw }, replicas: 1, pod, pulsar,
      }],
      functions: [{
        name: 'shout', minReplicas: 0, maxReplicas: 3, scaling: FAST_SCALING, pod, pulsar, subscriptionName: opts.subscriptions.fn, ...opts.fn,
        input: { topics: [opts.topics.raw], ...(opts.fn.input as object | undefined) },
        output: { topic: opts.topics.shouted, ...(opts.fn.output as object | undefined) },
      }],
      sinks: [{
        name: 'out', className: 'exclamation',
        http: { image: opts.exampleImage, port: 8080, env: [{ name: 'K_SINK', value: opts.receiverUrl }] },
        input: { topics: [opts.topics.shouted] }, subscriptionName: opts.subscriptions.sink,
        minReplicas: 0, maxReplicas: 3, scaling: FAST_SCALING, pod, pulsar,
      }],
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs one CloudEvent (binary mode, text data); resolves with the status. */
export function postEvent(url: string, data: string): Promise<number> {
  return new Promise((resolve) => {
    const body = Buffer.from(data);
    const req = http.request(url, {
      method: 'POST', agent, timeout: 30_000,
      headers: { 'ce-specversion': '1.0', 'ce-id': data, 'ce-source': '/e2e', 'ce-type': 'e2e.event', 'content-type': 'text/plain', 'content-length': String(body.length) },
    }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * POSTs every event, `concurrency` at a time and at most `perSecond`, retrying each until the
 * Source accepted it (202: persisted by its bridge). Resolves with the number of retries.
 */
export async function postEvents(url: string, events: string[], { concurrency = 16, perSecond = Infinity } = {}): Promise<{ retries: number; ms: number }> {
  const start = Date.now();
  let next = 0;
  let retries = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const due = start + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      for (let attempt = 0; ; attempt++) {
        const status = await postEvent(url, events[i]!);
        if (status >= 200 && status < 300) break;
        if (attempt > 100) throw new Error(`event ${events[i]} refused ${attempt} times (last ${status})`);
        retries++;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { retries, ms: Date.now() - start };
}

export interface ReplicaSample { at: number; replicas: number; ready: number }

/**
 * Watches the namespace's Deployments (`kubectl get -w`: every version the apiserver stores, so a
 * step that lasts less than a poll, KEDA's 0 → 1 right before the HPA's 1 → 3, is kept) and
 * records each one's changes of (replicas, ready).
 */
export class ReplicaHistory {
  readonly samples = new Map<string, ReplicaSample[]>();
  private watch: ChildProcess | undefined;
  private stopped = false;

  constructor(private readonly ns: string) {}

  start(): this {
    if (this.stopped) return this;
    const env = readPlatformEnv();
    const watch = spawn(env.KUBECTL, ['--kubeconfig', env.KUBECONFIG, '-n', this.ns, 'get', 'deployments', '--watch',
      '-o', 'jsonpath={.metadata.name} {.spec.replicas} {.status.readyReplicas}{"\\n"}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.watch = watch;
    createInterface({ input: watch.stdout }).on('line', (line) => {
      const [name, replicas, ready] = line.trim().split(' ');
      if (name) this.record(name, replicas === undefined || replicas === '' ? 1 : Number(replicas), Number(ready || 0));
    });
    // A watch ends when the apiserver closes it: start another.
    watch.on('exit', () => { if (!this.stopped) setTimeout(() => this.start(), 500); });
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.watch?.kill();
  }

  private record(name: string, replicas: number, ready: number): void {
    const list = this.samples.get(name) ?? [];
    const last = list.at(-1);
    if (!last || last.replicas !== replicas || last.ready !== ready) list.push({ at: Date.now(), replicas, ready });
    this.samples.set(name, list);
  }

  /** The Deployment's replica counts in order, repeats folded: e.g. [0, 1, 3, 0]. */
  replicaSteps(name: string): number[] {
    return (this.samples.get(name) ?? []).map((s) => s.replicas).filter((r, i, all) => i === 0 || r !== all[i - 1]);
  }

  maxReady(name: string): number {
    return Math.max(0, ...(this.samples.get(name) ?? []).map((s) => s.ready));
  }

  /** Deployment names, e.g. the one whose name contains `-shout-`. */
  name(part: string): string {
    const found = [...this.samples.keys()].find((n) => n.includes(part));
    if (!found) throw new Error(`no Deployment named like ${part} among ${[...this.samples.keys()].join(', ')}`);
    return found;
  }
}

/** Whether `steps` passes through each of `path` in order (other steps may come between). */
export function passesThrough(steps: number[], path: number[]): boolean {
  let i = 0;
  for (const s of steps) if (s === path[i]) i++;
  return i === path.length;
}

export async function readyPods(ns: string, deployment: string): Promise<PodInfo[]> {
  const d = await kubectlJson<{ spec: { selector: { matchLabels: Record<string, string> } } }>(['-n', ns, 'get', 'deployment', deployment]);
  const selector = Object.entries(d.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
  return (await kubectlJson<{ items: PodInfo[] }>(['-n', ns, 'get', 'pods', '-l', selector])).items.filter(isReady);
}

export async function deploymentReplicas(ns: string, deployment: string): Promise<number> {
  return (await kubectlJson<{ spec: { replicas?: number } }>(['-n', ns, 'get', 'deployment', deployment])).spec.replicas ?? 1;
}

export interface Condition { type: string; status: string; reason?: string; message?: string }

export async function conditionsOf(ns: string, kind: string, name: string): Promise<Condition[]> {
  return (await kubectlJson<{ status?: { conditions?: Condition[] } }>(['-n', ns, 'get', kind, name])).status?.conditions ?? [];
}

/** The Source's address from the host: its Service's cluster IP (kube-proxy routes it from here). */
export async function sourceUrl(ns: string, part: string): Promise<string> {
  const services = await kubectlJson<{ items: { metadata: { name: string }; spec: { clusterIP?: string; ports: { name?: string; port: number }[] } }[] }>(['-n', ns, 'get', 'services']);
  const svc = services.items.find((s) => s.metadata.name.includes(part) && s.spec.clusterIP && s.spec.clusterIP !== 'None');
  if (!svc) throw new Error(`no ClusterIP Service named like ${part}: ${services.items.map((s) => `${s.metadata.name} (${s.spec.clusterIP})`).join(', ')}`);
  const port = svc.spec.ports.find((p) => p.name === 'http')?.port ?? 8080;
  return `http://${svc.spec.clusterIP}:${port}/`;
}

export async function waitForZero(ns: string, deployments: string[], timeoutMs = 180_000): Promise<void> {
  for (const d of deployments) {
    await waitFor(`${d} back at 0 replicas and 0 pods`, async () => (await deploymentReplicas(ns, d)) === 0 && (await readyPods(ns, d)).length === 0, { timeoutMs, intervalMs: 1000 });
  }
}
