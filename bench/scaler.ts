// `npm run bench -- scaler [--scaled-objects 1000] [--compress 5] [--seconds 30] [--trials 20]
//  [--rate 1000] [--idle-functions 1000] [--only activation,load,latency,scrape,idle]`
// against the shared platform's Pulsar. Prints one JSON line per result, each next to its
// baseline measured in the same run:
//  (a) push activation latency (publish → StreamIsActive true) vs KEDA polling every 30 s;
//  (b) Pulsar admin requests/s for N ScaledObjects asked as KEDA + the HPA ask, per backlog
//      source, vs one request per ask (KEDA's Pulsar scaler), on a time-compressed schedule;
//  (c) GetMetrics latency at 1,000 calls/s, from a Go client (as KEDA calls) and a Node one;
//  (d) the cost of one broker /metrics scrape vs the per-topic stats it replaces;
//  (e) N idle functions watched for push activation: broker connections, scaler memory and wake
//      latency over the binary protocol vs the WebSocket readers, in the same run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseTopicName, topicPath, type TopicName } from '../adapters/pulsar/topic-name.js';
import { exitedHow, stopProcess } from '../test/support/processes.js';
import { waitFor } from '../test/support/wait.js';
import { adminFor, freePort, KedaLikeClient, produce, quietLog, ref } from '../test/integration/scaler/support.js';
import { startScaler } from '../scaler/app.js';
import { PulsarClient } from '../adapters/pulsar/binary/index.js';
import type { ScaledObjectRef } from '../scaler/protos.js';
import WebSocket from 'ws';
import { preflight } from './preflight.js';

const KEDA_POLL_MS = 30_000;
const HPA_MS = 15_000;
const FRESH_MS = 5_000;

export default async function bench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'scaled-objects': { type: 'string', default: '1000' },
      compress: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '30' },
      trials: { type: 'string', default: '20' },
      rate: { type: 'string', default: '1000' },
      'idle-functions': { type: 'string', default: '1000' },
      only: { type: 'string', default: 'activation,load,latency,scrape,idle' },
    },
  });
  const only = new Set(values.only.split(','));
  const web = process.env.PULSAR_WEB_URL ?? (await preflight('scaler', { pulsar: true })).PULSAR_WEB_URL;
  const namespace = `bench-scaler-${randomBytes(3).toString('hex')}`;
  await must(fetch(`${web}/admin/v2/namespaces/public/${namespace}`, { method: 'PUT' }), 'create namespace');
  try {
    if (only.has('activation')) await activationLatency(web, namespace, Number(values.trials));
    if (only.has('idle')) await idleWatch(web, namespace, Number(values['idle-functions']), Number(values.trials));
    if (!['load', 'latency', 'scrape'].some((c) => only.has(c))) return;
    const topics = await createTopics(web, namespace, Number(values['scaled-objects']));
    if (only.has('load')) {
      for (const mode of ['metrics', 'stats'] as const) {
        await adminLoad(web, topics, mode, Number(values.compress), Number(values.seconds) * 1000);
      }
    }
    if (only.has('latency')) {
      for (const mode of ['metrics', 'stats'] as const) await getMetricsLatency(web, topics, mode, Number(values.rate));
    }
    if (only.has('scrape')) await scrapeCost(web, topics);
  } finally {
    await deleteNamespace(web, namespace);
  }
}

/** Deletes the bench's topics, then its namespace (a forced namespace delete is off by default). */
async function deleteNamespace(web: string, namespace: string): Promise<void> {
  const topics = (await (await fetch(`${web}/admin/v2/persistent/public/${namespace}`)).json()) as string[];
  await inBatches(topics, 20, (t) => fetch(`${web}/admin/v2/${t.replace('://', '/')}?force=true`, { method: 'DELETE' }));
  const res = await fetch(`${web}/admin/v2/namespaces/public/${namespace}`, { method: 'DELETE' });
  if (!res.ok) console.error(`bench: could not delete namespace public/${namespace}: HTTP ${res.status} ${await res.text()}`);
}

// (a) -------------------------------------------------------------------------------------------
async function activationLatency(web: string, namespace: string, trials: number): Promise<void> {
  const scaler = await startScaler({ grpcPort: 0, host: '127.0.0.1', log: quietLog, checkMs: 10_000 });
  const keda = new KedaLikeClient(scaler.server.port);
  const admin = adminFor(web);
  try {
    const topics = await Promise.all(
      Array.from({ length: trials }, async (_, i) => {
        const topic = parseTopicName(`public/${namespace}/push-${i}`);
        await admin.createSubscription(topic, 'fn');
        return topic;
      }),
    );
    const streams = topics.map((t, i) => keda.stream(ref(`push-${i}`, { adminURL: web, topics: `persistent://public/${namespace}/${t.local}`, subscription: 'fn' })));
    await waitFor('readers connected', async () => scaler.watcher.connectedTopics === trials, { timeoutMs: 30_000, intervalMs: 50 });

    // Baseline: KEDA's Pulsar scaler, one stats call per ScaledObject every 30 s, each ScaledObject
    // on its own phase; publishes spread over one interval.
    const t0 = Date.now();
    const phases = topics.map(() => Math.random() * KEDA_POLL_MS);
    const published: number[] = [];
    const polled: (number | undefined)[] = topics.map(() => undefined);
    const pollers = topics.map((topic, i) => pollLikeKedaPulsarScaler(admin, topic, t0 + phases[i]!, (at) => (polled[i] = at)));
    for (let i = 0; i < trials; i++) {
      await sleep(t0 + (KEDA_POLL_MS * i) / trials - Date.now());
      published[i] = Date.now();
      await produce(web, topicPath(topics[i]!), 1);
    }
    await waitFor('every stream true', async () => streams.every((s) => s.trues.length > 0), { timeoutMs: 10_000, intervalMs: 50 });
    await Promise.all(pollers);
    const push = streams.map((s, i) => s.trues[0]! - published[i]!);
    const poll = polled.map((at, i) => at! - published[i]!);
    emit({ bench: 'scaler.activation-latency', trials, push_p50_ms: pct(push, 50), push_p95_ms: pct(push, 95), push_max_ms: Math.max(...push), baseline: 'KEDA Pulsar scaler polling every 30 s', baseline_p50_ms: pct(poll, 50), baseline_p95_ms: pct(poll, 95), speedup_p50: round(pct(poll, 50) / pct(push, 50)) });
    for (const s of streams) s.call.cancel();
  } finally {
    keda.close();
    await scaler.close();
  }
}

// (e) -------------------------------------------------------------------------------------------
// Memory: the scaler's RSS with the same N streams open twice in the same process, first while
// every function runs (a consumer on each subscription: nothing to watch), then while all are
// idle (every topic watched). The difference is what push activation's readers cost, apart
// from the streams KEDA holds open anyway; the RSS added since start is reported too.
async function idleWatch(web: string, namespace: string, n: number, wakes: number): Promise<void> {
  const admin = adminFor(web);
  const topics = Array.from({ length: n }, (_, i) => parseTopicName(`public/${namespace}/idle-${i}`));
  await inBatches(topics, 25, (t) => admin.createSubscription(t, 'fn'));
  const fullName = (t: TopicName): string => `persistent://${t.tenant}/${t.namespace}/${t.local}`;
  const brokerUrl = process.env.PULSAR_BROKER_URL ?? (await preflight('scaler', { pulsar: true })).PULSAR_BROKER_URL;
  const bench = new PulsarClient({ serviceUrl: brokerUrl });
  try {
    for (const transport of ['binary', 'websocket'] as const) {
      // The periodic check is out of the way: only the readers can wake a function within the bench.
      const inspectPort = await freePort();
      const scaler = await startScalerProcess(['--activation-transport', transport, '--check-ms', '600000', '--fresh-ms', '1000'], [`--inspect=127.0.0.1:${inspectPort}`]);
      const memory = await MemoryProbe.attach(inspectPort);
      const keda = new KedaLikeClient(scaler.grpcPort);
      const openStreams = () => topics.map((t, i) => keda.stream(ref(`idle-${i}`, { adminURL: web, topics: fullName(t), subscription: 'fn' })));
      try {
        await sleep(2_000);
        const atStart = await memory.afterFullGc();
        // Phase 1: the functions run (one consumer each), so nothing is watched.
        const running = await Promise.all(topics.map((t) => bench.subscribe({ topic: fullName(t), subscription: 'fn', subscriptionType: 'Shared', receiverQueueSize: 1 })));
        let streams = openStreams();
        await waitFor(`${n} streams open`, async () => (await scaler.gauge('scaler_streams_open')) === n, { timeoutMs: 120_000, intervalMs: 500 });
        await sleep(5_000);
        if ((await scaler.gauge('scaler_watched_topics')) !== 0) throw new Error('bench: topics watched while their functions run');
        const withStreams = await memory.afterFullGc();
        for (const s of streams) s.call.cancel();
        await Promise.all(running.map((c) => c.close()));
        await sleep(3_000); // past --fresh-ms and its stale window: the next reads see no consumers
        // Phase 2: the same streams, every function idle: every topic watched.
        streams = openStreams();
        await waitFor(`${n} idle topics watched over ${transport}`, async () => (await scaler.gauge('scaler_watched_topics_connected')) === n, { timeoutMs: 180_000, intervalMs: 500 });
        await sleep(5_000); // settle: handshakes done, buffers released
        const watchingMemory = await memory.afterFullGc();
        const watching = brokerConnectionsOf(scaler.pid, web, brokerUrl);
        const readerAddresses = await readerClientAddresses(web, topics);
        // Wakes, one at a time: send → StreamIsActive true, on topics spread over the thousand.
        const latencies: number[] = [];
        for (let k = 0; k < wakes; k++) {
          const i = Math.floor(((k + 0.5) * n) / wakes);
          const producer = await bench.createProducer({ topic: fullName(topics[i]!), batchingEnabled: false });
          const sent = performance.now();
          await producer.send({ payload: 'wake' });
          await waitFor('stream true', async () => streams[i]!.trues.length > 0, { timeoutMs: 10_000, intervalMs: 1 });
          latencies.push(streams[i]!.trues[0]! - (performance.timeOrigin + sent));
          await producer.close();
          await sleep(100);
        }
        // The web port also carries the backlog reads' keep-alive socket(s): those outlive the
        // streams, WebSocket readers do not. Push activation's share = binary-port connections +
        // web-port connections that closed with the streams.
        for (const s of streams) s.call.cancel();
        await sleep(1_500);
        const after = brokerConnectionsOf(scaler.pid, web, brokerUrl);
        emit({
          bench: 'scaler.idle-watch',
          transport,
          idle_functions: n,
          broker_connections: watching.byPort.binary! + (watching.byPort.web! - after.byPort.web!),
          broker_connections_total: watching.total,
          broker_connections_by_port: watching.byPort,
          reader_client_addresses_in_topic_stats: readerAddresses,
          scaler_rss_mb_added: round(watchingMemory.rssMb - withStreams.rssMb),
          scaler_heap_mb_added: round(watchingMemory.heapUsedMb - withStreams.heapUsedMb),
          scaler_rss_mb_added_since_start: round(watchingMemory.rssMb - atStart.rssMb),
          scaler_heap_mb_added_since_start: round(watchingMemory.heapUsedMb - atStart.heapUsedMb),
          scaler_rss_mb: round(watchingMemory.rssMb),
          wake_p50_ms: round(pct(latencies, 50)),
          wake_p95_ms: round(pct(latencies, 95)),
          wakes: latencies.length,
          targets: { broker_connections: '≤ 1 per broker', scaler_rss_mb_added: 30, wake_p50_ms: 50 },
          load_average_1m: round(loadavg()[0]!),
        });
      } finally {
        memory.close();
        keda.close();
        await scaler.stop();
      }
      // Drain the wake messages so the next transport starts from idle functions again.
      await inBatches(topics, 25, (t) => fetch(`${web}/admin/v2/${topicPath(t)}/subscription/fn/skip_all`, { method: 'POST' }));
    }
  } finally {
    await bench.close();
  }
}

/**
 * The scaler's memory after a full garbage collection, through its inspector (bound to
 * 127.0.0.1): RSS read right after a GC varies far less from run to run than RSS read whenever.
 */
class MemoryProbe {
  private nextId = 0;

  private constructor(private readonly ws: WebSocket) {}

  static async attach(port: number): Promise<MemoryProbe> {
    const targets = await waitFor('the scaler\'s inspector', () => fetch(`http://127.0.0.1:${port}/json/list`).then((r) => r.json() as Promise<{ webSocketDebuggerUrl: string }[]>, () => undefined), { timeoutMs: 10_000, intervalMs: 100 });
    const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new MemoryProbe(ws);
  }

  async afterFullGc(): Promise<{ rssMb: number; heapUsedMb: number }> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const res = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    const m = JSON.parse(res.result.value) as { rss: number; heapUsed: number };
    return { rssMb: m.rss / 2 ** 20, heapUsedMb: m.heapUsed / 2 ** 20 };
  }

  close(): void {
    this.ws.close();
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
        if (m.id !== id) return;
        this.ws.off('message', onMessage);
        if (m.error) reject(new Error(`inspector ${method}: ${m.error.message}`));
        else resolve(m.result);
      };
      this.ws.on('message', onMessage);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
}

/**
 * TCP connections held open between the broker and the scaler, counted on the broker's side:
 * the established sockets on the broker's binary and web (WebSocket) ports whose peer is a
 * socket of the scaler process.
 */
function brokerConnectionsOf(pid: number, web: string, brokerUrl: string): { total: number; byPort: Record<string, number> } {
  const ss = (args: string[]): string[] => spawnSync('ss', ['-tnH', ...args], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const scalerSockets = new Set(ss(['-p', 'state', 'established']).filter((l) => l.includes(`pid=${pid},`)).map((l) => l.trim().split(/\s+/)[2]!));
  const ports = { binary: new URL(brokerUrl).port, web: new URL(web).port };
  const byPort: Record<string, number> = {};
  for (const [name, port] of Object.entries(ports)) {
    byPort[name] = ss(['state', 'established', `( sport = :${port} )`]).filter((l) => scalerSockets.has(l.trim().split(/\s+/)[3]!)).length;
  }
  return { total: Object.values(byPort).reduce((a, b) => a + b, 0), byPort };
}

/** Distinct client addresses of the watching readers, as the broker's topic stats show them. */
async function readerClientAddresses(web: string, topics: TopicName[]): Promise<number> {
  const addresses = new Set<string>();
  await inBatches(topics, 20, async (t) => {
    const stats = (await (await fetch(`${web}/admin/v2/${topicPath(t)}/stats`)).json()) as { subscriptions: Record<string, { consumers?: { address?: string }[] }> };
    for (const [name, sub] of Object.entries(stats.subscriptions)) {
      if (name === 'fn') continue;
      for (const c of sub.consumers ?? []) addresses.add(c.address ?? '?');
    }
  });
  return addresses.size;
}

/** Resolves once a poll has seen backlog > 0 (reporting when). */
async function pollLikeKedaPulsarScaler(admin: ReturnType<typeof adminFor>, topic: TopicName, firstAt: number, seen: (at: number) => void): Promise<void> {
  for (let at = firstAt; ; at += KEDA_POLL_MS) {
    await sleep(at - Date.now());
    const stats = await admin.topicStats(topic);
    if ((stats?.subscriptions.fn?.msgBacklog ?? 0) > 0) return seen(Date.now());
  }
}

// (b) -------------------------------------------------------------------------------------------
async function createTopics(web: string, namespace: string, n: number): Promise<TopicName[]> {
  const admin = adminFor(web);
  const topics = Array.from({ length: n }, (_, i) => parseTopicName(`public/${namespace}/fn-${i}`));
  await inBatches(topics, 25, (t) => admin.createSubscription(t, 'fn'));
  // A few with backlog, so both idle and busy functions are asked about.
  await inBatches(topics.filter((_, i) => i % 10 === 0), 10, (t) => produce(web, topicPath(t), 2));
  return topics;
}

async function adminLoad(web: string, topics: TopicName[], mode: 'metrics' | 'stats', compress: number, durationMs: number): Promise<void> {
  const scaler = await startScalerProcess(['--backlog-source', mode, '--fresh-ms', String(FRESH_MS / compress)]);
  const keda = new KedaLikeClient(scaler.grpcPort);
  try {
    const refs = topics.map((t, i) => ref(`fn-${i}`, { adminURL: web, topics: `persistent://${t.tenant}/${t.namespace}/${t.local}`, subscription: 'fn' }));
    const before = await scaler.adminRequests();
    let asks = 0;
    let errors = 0;
    const started = Date.now();
    const end = started + durationMs;
    const ask = (p: Promise<unknown>): Promise<void> => p.then(() => void asks++, () => void errors++);
    // KEDA: every pollingInterval, GetMetricSpec → GetMetrics → IsActive; the HPA, every 15 s,
    // GetMetrics + IsActive; each ScaledObject on its own phase.
    const loops = refs.flatMap((so) => {
      const pollPhase = Math.random() * (KEDA_POLL_MS / compress);
      const hpaPhase = Math.random() * (HPA_MS / compress);
      return [
        every(pollPhase, KEDA_POLL_MS / compress, end, async () => {
          await keda.getMetricSpec(so);
          await ask(keda.getMetrics(so, 's0-pulsar-backlog-fn'));
          await ask(keda.isActive(so));
        }),
        every(hpaPhase, HPA_MS / compress, end, async () => {
          await ask(keda.getMetrics(so, 's0-pulsar-backlog-fn'));
          await ask(keda.isActive(so));
        }),
      ];
    });
    await Promise.all(loops);
    const seconds = (Date.now() - started) / 1000;
    const requests = (await scaler.adminRequests()) - before;
    emit({
      bench: 'scaler.admin-requests',
      backlog_source: mode,
      scaled_objects: refs.length,
      schedule: `KEDA poll 30 s + HPA 15 s, fresh ${FRESH_MS} ms, compressed ${compress}x (${round(seconds)} s = ${round(seconds * compress)} s of real time)`,
      asks_needing_backlog: asks,
      errors,
      pulsar_requests_per_real_s: round(requests / seconds / compress),
      baseline: 'one admin request per ask (KEDA Pulsar scaler)',
      baseline_requests_per_real_s: round(asks / seconds / compress),
      reduction: round(asks / Math.max(1, requests)),
    });
  } finally {
    keda.close();
    await scaler.stop();
  }
}

// (c) -------------------------------------------------------------------------------------------
// Two clients call the same scaler process in turn. ghz (Go, grpc-go) calls as KEDA's operator
// does; it runs on its own threads, so what it measures is the scaler. The Node client shares this
// process's single thread with its own bookkeeping and garbage collection, which it measures too:
// it is printed for comparison.
async function getMetricsLatency(web: string, topics: TopicName[], mode: 'metrics' | 'stats', rate: number): Promise<void> {
  const scaler = await startScalerProcess(['--backlog-source', mode]);
  const keda = new KedaLikeClient(scaler.grpcPort);
  const seconds = 10;
  try {
    const refs = topics.slice(0, 100).map((t, i) => ref(`fn-${i}`, { adminURL: web, topics: `persistent://${t.tenant}/${t.namespace}/${t.local}`, subscription: 'fn' }));
    await Promise.all(refs.map((so) => keda.getMetrics(so, 's0-pulsar-backlog-fn'))); // warm
    const requests = refs.map((so) => ({ scaledObjectRef: so, metricName: 's0-pulsar-backlog-fn' }));
    const clients: [string, () => Promise<ClientRun>][] = [
      ['ghz (Go grpc-go, as KEDA calls; 50 workers paced to the rate)', () => runGhz(scaler.grpcPort, requests, rate, seconds)],
      ['node grpc-js in the bench process (open loop)', () => runNodeClient(keda, requests, rate, seconds)],
    ];
    for (const [client, run] of clients) {
      const before = await scaler.selfStats();
      const result = await run();
      const after = await scaler.selfStats();
      emit({
        bench: 'scaler.getmetrics-latency',
        backlog_source: mode,
        client,
        scaled_objects: refs.length,
        target_calls_per_s: rate,
        achieved_calls_per_s: round(result.callsPerS),
        calls: result.calls,
        errors: result.errors,
        p50_ms: round(result.p50Ms),
        p99_ms: round(result.p99Ms),
        max_ms: round(result.maxMs),
        target_p99_ms: 5,
        server_handler_p99_ms_at_most: bucketPercentile(before.buckets, after.buckets, 99) * 1000,
        scaler_cpu_ms_per_call: round(((after.cpuSeconds - before.cpuSeconds) * 1000) / result.calls),
        // prom-client samples the event loop every 10 ms: a delay under that is not seen.
        scaler_event_loop_delay_max_ms: round(after.loopDelayMax * 1000),
        scaler_gc_ms: round((after.gcSeconds - before.gcSeconds) * 1000),
        ...result.extra,
        load_average_1m: round(loadavg()[0]!),
      });
    }
  } finally {
    keda.close();
    await scaler.stop();
  }
}

interface ClientRun {
  calls: number;
  errors: number;
  callsPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  extra?: Record<string, number>;
}

async function runNodeClient(keda: KedaLikeClient, requests: { scaledObjectRef: ScaledObjectRef; metricName: string }[], rate: number, seconds: number): Promise<ClientRun> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  // Open loop: calls are issued on schedule, whether or not earlier ones have returned.
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const t = performance.now();
    const req = requests[i % requests.length]!;
    pending.push(keda.getMetrics(req.scaledObjectRef, req.metricName).then(() => void latencies.push(performance.now() - t), () => void errors++));
  }
  await Promise.all(pending);
  loop.disable();
  return {
    calls: latencies.length,
    errors,
    callsPerS: latencies.length / ((performance.now() - started) / 1000),
    p50Ms: pct(latencies, 50),
    p99Ms: pct(latencies, 99),
    maxMs: Math.max(...latencies),
    extra: { client_event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6), client_event_loop_delay_max_ms: round(loop.max / 1e6) },
  };
}

/** Runs ghz (built by hack/build-ghz into the cache) at `rate` calls/s, round-robin over `requests`. */
async function runGhz(port: number, requests: unknown[], rate: number, seconds: number): Promise<ClientRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ghz-'));
  try {
    const data = join(dir, 'requests.json');
    writeFileSync(data, JSON.stringify(requests));
    const args = ['--insecure', '--proto', 'scaler/proto/externalscaler.proto', '--call', 'externalscaler.ExternalScaler.GetMetrics', '--data-file', data];
    const out = await run(ghzBinary(), [...args, '--rps', String(rate), '--total', String(rate * seconds), '--concurrency', '50', '--format', 'json', `127.0.0.1:${port}`]);
    const report = JSON.parse(out) as { count: number; rps: number; slowest: number; errorDistribution?: Record<string, number>; statusCodeDistribution?: Record<string, number>; latencyDistribution: { percentage: number; latency: number }[] | null };
    const at = (p: number): number => (report.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? NaN) / 1e6;
    const ok = report.statusCodeDistribution?.OK ?? 0;
    return { calls: ok, errors: report.count - ok, callsPerS: report.rps, p50Ms: at(50), p99Ms: at(99), maxMs: report.slowest / 1e6 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let ghz: string | undefined;

function ghzBinary(): string {
  if (!ghz) {
    const res = spawnSync('hack/build-ghz', { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
    if (res.status !== 0) throw new Error(`bench: hack/build-ghz failed (exit ${res.status})`);
    const version = /GHZ_VERSION:-([^}]+)\}/.exec(readFileSync('hack/lib.sh', 'utf8'))?.[1];
    ghz = join(process.env.FM_CACHE ?? join(homedir(), '.cache/function-mesh-ts'), `ghz-${version}`, 'bin/ghz');
  }
  return ghz;
}

/** Runs a command to completion; resolves with its stdout, rejects with its stderr. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bench: ${command} exited ${code}: ${stderr.trim()}`))));
  });
}

// (d) -------------------------------------------------------------------------------------------
async function scrapeCost(web: string, topics: TopicName[]): Promise<void> {
  const scrapes: Fetched[] = [];
  for (let i = 0; i < 3; i++) scrapes.push(await rawGet(`${web}/metrics/`));
  const sample = topics.slice(0, 200);
  const stats: Fetched[] = [];
  const started = performance.now();
  await inBatches(sample, 10, async (topic) => void stats.push(await rawGet(`${web}/admin/v2/${topicPath(topic)}/stats`)));
  const scale = topics.length / sample.length;
  const scrape = scrapes.sort((a, b) => a.ms - b.ms)[1]!;
  emit({
    bench: 'scaler.scrape-vs-stats',
    topics_on_broker: topics.length,
    scrape_ms: round(scrape.ms),
    scrape_wire_bytes: scrape.wire,
    scrape_decoded_bytes: scrape.decoded,
    baseline: `per-topic stats for the same ${topics.length} topics (timed on ${sample.length}, 10 in parallel)`,
    stats_total_ms: round((performance.now() - started) * scale),
    stats_wire_bytes: Math.round(stats.reduce((n, f) => n + f.wire, 0) * scale),
    stats_decoded_bytes: Math.round(stats.reduce((n, f) => n + f.decoded, 0) * scale),
  });
}

interface Fetched {
  ms: number;
  wire: number;
  decoded: number;
}

/** GET with gzip accepted (as fetch does), counting the bytes on the wire and decoded. */
function rawGet(url: string): Promise<Fetched> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const decoded = res.headers['content-encoding'] === 'gzip' ? gunzipSync(body).length : body.length;
        resolve({ ms: performance.now() - started, wire: body.length, decoded });
      });
    }).on('error', reject).setTimeout(60_000, function (this: http.ClientRequest) {
      this.destroy(new Error(`bench: GET ${url} took over 60 s`));
    });
  });
}

// ------------------------------------------------------------------------------------------------
interface ScalerProcess {
  grpcPort: number;
  pid: number;
  /** A gauge of the scaler's /metrics. */
  gauge(name: string): Promise<number>;
  adminRequests(): Promise<number>;
  /** The scaler's own view: CPU seconds used, and GetMetrics handler latency buckets. */
  selfStats(): Promise<{ cpuSeconds: number; buckets: Map<number, number>; loopDelayMax: number; gcSeconds: number }>;
  stop(): Promise<void>;
}

let built: string | undefined;

/** The scaler as it ships: compiled once by `npm run build`, run by plain node (no loader thread). */
function builtScaler(): string {
  if (!built) {
    const res = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    if (res.status !== 0) throw new Error(`bench: npm run build failed (exit ${res.status})`);
    built = 'dist/scaler/main.js';
  }
  return built;
}

async function startScalerProcess(flags: string[], nodeFlags: string[] = []): Promise<ScalerProcess> {
  const grpcPort = await freePort();
  const opsPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_SCALER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), ...nodeFlags, builtScaler(), '--host', '127.0.0.1', '--port', String(grpcPort), '--ops-port', String(opsPort), ...flags], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  const ops = `http://127.0.0.1:${opsPort}`;
  await waitFor('the scaler ready (/readyz)', () => fetch(`${ops}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok), {
    timeoutMs: 30_000, intervalMs: 50, failIf: () => exitedHow(child, 'the scaler'),
  });
  return {
    grpcPort,
    pid: child.pid!,
    gauge: async (name: string) => sample(await (await fetch(`${ops}/metrics`)).text(), name),
    adminRequests: async () => {
      const text = await (await fetch(`${ops}/metrics`)).text();
      return Number(/^scaler_pulsar_admin_requests (\S+)/m.exec(text)?.[1] ?? NaN);
    },
    selfStats: async () => {
      const text = await (await fetch(`${ops}/metrics`)).text();
      const buckets = new Map<number, number>();
      for (const m of text.matchAll(/^scaler_grpc_request_duration_seconds_bucket\{le="([^"]+)",method="GetMetrics"\} (\S+)/gm)) {
        buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
      }
      const gcSeconds = [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      return {
        cpuSeconds: sample(text, 'process_cpu_seconds_total'),
        buckets,
        // prom-client resets its event-loop histogram at each scrape: this covers the time since the last one.
        loopDelayMax: sample(text, 'nodejs_eventloop_lag_max_seconds'),
        gcSeconds,
      };
    },
    stop: () => stopProcess(child),
  };
}

function sample(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
}

async function every(phaseMs: number, periodMs: number, end: number, fn: () => Promise<void>): Promise<void> {
  for (let at = Date.now() + phaseMs; at < end; at += periodMs) {
    await sleep(at - Date.now());
    await fn().catch(() => undefined);
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function must(p: Promise<Response>, what: string): Promise<void> {
  const res = await p;
  if (!res.ok && res.status !== 409) throw new Error(`bench: ${what}: HTTP ${res.status} ${await res.text()}`);
}

/** Upper bound of the bucket holding the p-th percentile of the observations between two reads. */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const le of bounds) if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= (p / 100) * count) return le;
  return Infinity;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function emit(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}
