// Where a wake's time goes, for bench/e2e.ts: each phase from the message published to the first
// result, as milliseconds after the publish. Everything runs on this machine's clock.
//   pushed      the scaler's "work arrived: pushing active" (its log line's time; push only)
//   activated   the Deployment's spec.replicas seen going 0 → 1 (KEDA's scale)
//   pod         the pod seen created (the ReplicaSet controller)
//   scheduled   the pod seen bound to the node
//   sandbox     PodReadyToStartContainers seen true (sandbox and network up)
//   init_done   the init container seen terminated (package download; runners with a package)
//   started     every container seen running (kubelet reports after its 1 s relist)
//   first_log   each container's first log line (containerd's nanosecond stamp): the process is up
//   subscribed  the function's consumer connected to its input (Pulsar's connectedSince)
//   ready       the pod seen Ready
//   result      the first result on the output topic
// "Seen" times come from watches this module keeps open (`kubectl get -w`), a few ms after the
// apiserver stored the change.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PulsarAdmin } from '../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../adapters/pulsar/topic-name.js';
import { kubectl } from '../test/support/kubectl.js';
import { readPlatformEnv } from '../test/support/platform.js';

export type Phase = 'pushed' | 'activated' | 'pod' | 'scheduled' | 'sandbox' | 'init_done' | 'started' | 'first_log' | 'subscribed' | 'ready' | 'result';
export const PHASES: Phase[] = ['pushed', 'activated', 'pod', 'scheduled', 'sandbox', 'init_done', 'started', 'first_log', 'subscribed', 'ready', 'result'];
export type Timeline = Partial<Record<Phase, number>>;

interface PodObject {
  metadata: { name: string; creationTimestamp?: string; deletionTimestamp?: string };
  spec: { nodeName?: string; initContainers?: unknown[]; containers: unknown[] };
  status?: {
    conditions?: { type: string; status: string }[];
    initContainerStatuses?: { state?: { terminated?: unknown } }[];
    containerStatuses?: { name: string; state?: { running?: unknown } }[];
  };
}
interface DeploymentObject { metadata: { name: string }; spec: { replicas?: number } }
type PodMilestone = 'pod' | 'scheduled' | 'sandbox' | 'init_done' | 'started' | 'ready';

/** Watches the namespace's pods and Deployments and remembers when each milestone was first seen. */
export class WakeWatch {
  /** pod name → milestone → first seen. */
  private readonly pods = new Map<string, Partial<Record<PodMilestone, number>>>();
  /** Deployment name → times spec.replicas was seen leaving 0. */
  private readonly activations = new Map<string, number[]>();
  private readonly replicas = new Map<string, number>();
  private readonly children: ChildProcess[] = [];
  private stopped = false;

  constructor(private readonly ns: string) {}

  start(): this {
    this.watch('pods', (o) => this.onPod(o as PodObject));
    this.watch('deployments', (o) => this.onDeployment(o as DeploymentObject));
    return this;
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.children) c.kill();
  }

  /** One JSON object per watch event: kubectl prints them indented, each closing with `}` alone. */
  private watch(resource: string, onObject: (o: unknown) => void): void {
    if (this.stopped) return;
    const env = readPlatformEnv();
    const child = spawn(env.KUBECTL, ['--kubeconfig', env.KUBECONFIG, '-n', this.ns, 'get', resource, '--watch', '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.children.push(child);
    let buffer: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      buffer.push(line);
      if (line !== '}') return;
      try {
        onObject(JSON.parse(buffer.join('\n')));
      } catch { /* a partial object after a restart: skip it */ }
      buffer = [];
    });
    child.on('exit', () => { if (!this.stopped) setTimeout(() => this.watch(resource, onObject), 200); });
  }

  private onDeployment(d: DeploymentObject): void {
    const now = Date.now();
    const replicas = d.spec.replicas ?? 1;
    const before = this.replicas.get(d.metadata.name);
    if (before === 0 && replicas > 0) this.activations.set(d.metadata.name, [...(this.activations.get(d.metadata.name) ?? []), now]);
    this.replicas.set(d.metadata.name, replicas);
  }

  private onPod(p: PodObject): void {
    if (p.metadata.deletionTimestamp) return;
    const now = Date.now();
    const seen = this.pods.get(p.metadata.name) ?? {};
    const mark = (m: PodMilestone, when: boolean) => { if (when) seen[m] ??= now; };
    const status = p.status ?? {};
    const condition = (type: string) => status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
    mark('pod', true);
    mark('scheduled', Boolean(p.spec.nodeName));
    mark('sandbox', condition('PodReadyToStartContainers'));
    mark('init_done', (p.spec.initContainers?.length ?? 0) > 0 && (status.initContainerStatuses ?? []).every((s) => s.state?.terminated)
      && (status.initContainerStatuses?.length ?? 0) > 0);
    mark('started', (status.containerStatuses?.length ?? 0) === p.spec.containers.length && (status.containerStatuses ?? []).every((s) => s.state?.running));
    mark('ready', condition('Ready'));
    this.pods.set(p.metadata.name, seen);
  }

  /**
   * The timeline of the wake of `deployment` whose message was published at `sent` and whose first
   * result arrived at `result`: read while its pod still runs (the log lines and the consumer).
   */
  async timeline(opts: { deployment: string; sent: number; result: number; input: string; subscription: string; scaledObject: string }): Promise<Timeline> {
    const { deployment, sent, result } = opts;
    const since = (t: number | undefined) => (t === undefined || t < sent - 1000 ? undefined : t - sent);
    const t: Timeline = { result: result - sent };
    t.activated = since(this.activations.get(deployment)?.find((a) => a >= sent));
    // The wake's pod: the first one of the Deployment created after the publish.
    const pod = [...this.pods.entries()]
      .filter(([name, m]) => name.startsWith(`${deployment}-`) && (m.pod ?? 0) >= sent)
      .sort((a, b) => a[1].pod! - b[1].pod!)[0];
    if (pod) {
      for (const m of ['pod', 'scheduled', 'sandbox', 'init_done', 'started', 'ready'] as const) t[m] = since(pod[1][m]);
      t.first_log = since(await firstLogLine(this.ns, pod[0]));
    }
    t.subscribed = since(await consumerConnectedSince(opts.input, opts.subscription));
    t.pushed = since(await scalerPushedAt(this.ns, opts.scaledObject, sent));
    return t;
  }
}

/** The latest first log line among the pod's main containers (the process that comes up last). */
async function firstLogLine(ns: string, pod: string): Promise<number | undefined> {
  const containers = await kubectl(['-n', ns, 'get', 'pod', pod, '-o', 'jsonpath={.spec.containers[*].name}']);
  let latest: number | undefined;
  for (const c of containers.stdout.trim().split(' ').filter(Boolean)) {
    const r = await kubectl(['-n', ns, 'logs', pod, '-c', c, '--timestamps', '--limit-bytes=4096']);
    const stamp = r.stdout.split('\n')[0]?.split(' ')[0];
    const at = stamp ? Date.parse(stamp) : NaN;
    if (Number.isFinite(at)) latest = Math.max(latest ?? 0, at);
  }
  return latest;
}

async function consumerConnectedSince(input: string, subscription: string): Promise<number | undefined> {
  const admin = new PulsarAdmin({ url: readPlatformEnv().PULSAR_WEB_URL, timeoutMs: 10_000 });
  const stats = await admin.topicStats(parseTopicName(input)).catch(() => undefined) as
    { subscriptions?: Record<string, { consumers?: { connectedSince?: string }[] }> } | undefined;
  const times = (stats?.subscriptions?.[subscription]?.consumers ?? []).map((c) => Date.parse(c.connectedSince ?? '')).filter(Number.isFinite);
  return times.length ? Math.min(...times) : undefined;
}

/** When a scaler pod logged the push for this ScaledObject, at or after the publish. */
async function scalerPushedAt(ns: string, scaledObject: string, sent: number): Promise<number | undefined> {
  const r = await kubectl(['-n', ns, 'logs', '-l', 'app.kubernetes.io/name=functionmesh-scaler', '--since=10m', '--tail=-1', '--prefix=false']);
  let first: number | undefined;
  for (const line of r.stdout.split('\n')) {
    if (!line.includes('work arrived') || !line.includes(`"${ns}/${scaledObject}"`)) continue;
    try {
      const at = Date.parse((JSON.parse(line) as { time: string }).time);
      if (at >= sent - 1000 && (first === undefined || at < first)) first = at;
    } catch { /* not a JSON line */ }
  }
  return first;
}

/** Per phase, the median over wakes (phases a runtime lacks, e.g. init_done on HTTP, are left out). */
export function medianTimeline(timelines: Timeline[], median: (values: number[]) => number): Timeline {
  const out: Timeline = {};
  for (const p of PHASES) {
    const values = timelines.map((t) => t[p]).filter((v): v is number => v !== undefined);
    if (values.length) out[p] = Math.round(median(values));
  }
  return out;
}

export function formatTimeline(t: Timeline): string {
  return PHASES.filter((p) => t[p] !== undefined).map((p) => `${p} ${t[p]}`).join(' → ');
}
