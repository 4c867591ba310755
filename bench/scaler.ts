// `npm run bench -- scaler [--scaled-objects 1000] [--compress 5] [--seconds 30] [--trials 20]`
// against the shared platform's Pulsar. Prints one JSON line per result, each next to its
// baseline measured in the same run:
//  (a) push activation latency (publish → StreamIsActive true) vs KEDA polling every 30 s;
//  (b) Pulsar admin requests/s for N ScaledObjects asked as KEDA + the HPA ask, per backlog
//      source, vs one request per ask (KEDA's Pulsar scaler), on a time-compressed schedule;
//  (c) GetMetrics latency at 1,000 calls/s;
//  (d) the cost of one broker /metrics scrape vs the per-topic stats it replaces.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseTopicName, topicPath, type TopicName } from '../adapters/pulsar/topic-name.js';
import { readPlatformEnv } from '../test/support/platform.js';
import { adminFor, freePort, KedaLikeClient, produce, quietLog, ref } from '../test/integration/scaler/support.js';
import { startScaler } from '../scaler/app.js';

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
    },
  });
  const web = process.env.PULSAR_WEB_URL ?? readPlatformEnv().PULSAR_WEB_URL;
  const namespace = `bench-scaler-${randomBytes(3).toString('hex')}`;
  const admin = adminFor(web);
  await must(fetch(`${web}/admin/v2/namespaces/public/${namespace}`, { method: 'PUT' }), 'create namespace');
  try {
    await activationLatency(web, namespace, Number(values.trials));
    const topics = await createTopics(web, namespace, Number(values['scaled-objects']));
    for (const mode of ['metrics', 'stats'] as const) {
      await adminLoad(web, topics, mode, Number(values.compress), Number(values.seconds) * 1000);
    }
    await getMetricsLatency(web, topics, Number(values.rate));
    await scrapeCost(web, admin, topics);
  } finally {
    await fetch(`${web}/admin/v2/namespaces/public/${namespace}?force=true`, { method: 'DELETE' }).catch(() => undefined);
  }
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
    await until(() => scaler.watcher.connectedTopics === trials, 30_000, 'readers connected');

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
    await until(() => streams.every((s) => s.trues.length > 0), 10_000, 'every stream true');
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
async function getMetricsLatency(web: string, topics: TopicName[], rate: number): Promise<void> {
  const scaler = await startScalerProcess([]);
  const keda = new KedaLikeClient(scaler.grpcPort);
  try {
    const refs = topics.slice(0, 100).map((t, i) => ref(`fn-${i}`, { adminURL: web, topics: `persistent://${t.tenant}/${t.namespace}/${t.local}`, subscription: 'fn' }));
    await Promise.all(refs.map((so) => keda.getMetrics(so, 's0-pulsar-backlog-fn'))); // warm
    const seconds = 10;
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
      pending.push(keda.getMetrics(refs[i % refs.length]!, 's0-pulsar-backlog-fn').then(() => void latencies.push(performance.now() - t), () => void errors++));
    }
    await Promise.all(pending);
    const achieved = latencies.length / ((performance.now() - started) / 1000);
    emit({ bench: 'scaler.getmetrics-latency', target_calls_per_s: rate, achieved_calls_per_s: round(achieved), calls: latencies.length, errors, p50_ms: round(pct(latencies, 50)), p99_ms: round(pct(latencies, 99)), max_ms: round(Math.max(...latencies)), note: 'client and scaler on the same 2-core machine, scaler in its own process' });
  } finally {
    keda.close();
    await scaler.stop();
  }
}

// (d) -------------------------------------------------------------------------------------------
async function scrapeCost(web: string, admin: ReturnType<typeof adminFor>, topics: TopicName[]): Promise<void> {
  const scrapes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    bytes = (await admin.brokerMetrics()).length;
    scrapes.push(performance.now() - t);
  }
  const sample = topics.slice(0, 200);
  let statsBytes = 0;
  const t = performance.now();
  await inBatches(sample, 10, async (topic) => {
    const res = await fetch(`${web}/admin/v2/${topicPath(topic)}/stats`);
    statsBytes += (await res.text()).length;
  });
  const perStatsMs = (performance.now() - t) / sample.length;
  emit({
    bench: 'scaler.scrape-vs-stats',
    topics_on_broker: topics.length,
    scrape_ms_p50: round(pct(scrapes, 50)),
    scrape_bytes: bytes,
    baseline: `per-topic stats for the same ${topics.length} topics (timed on ${sample.length}, 10 in parallel)`,
    stats_total_ms: round(perStatsMs * topics.length),
    stats_total_bytes: Math.round((statsBytes / sample.length) * topics.length),
  });
}

// ------------------------------------------------------------------------------------------------
interface ScalerProcess {
  grpcPort: number;
  adminRequests(): Promise<number>;
  stop(): Promise<void>;
}

async function startScalerProcess(flags: string[]): Promise<ScalerProcess> {
  const grpcPort = await freePort();
  const opsPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scaler/main.ts', '--host', '127.0.0.1', '--port', String(grpcPort), '--ops-port', String(opsPort), ...flags], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  const ops = `http://127.0.0.1:${opsPort}`;
  await until(async () => (await fetch(`${ops}/readyz`).catch(() => undefined))?.ok ?? false, 30_000, 'scaler ready');
  return {
    grpcPort,
    adminRequests: async () => {
      const text = await (await fetch(`${ops}/metrics`)).text();
      return Number(/^scaler_pulsar_admin_requests (\S+)/m.exec(text)?.[1] ?? NaN);
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
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

async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function must(p: Promise<Response>, what: string): Promise<void> {
  const res = await p;
  if (!res.ok && res.status !== 409) throw new Error(`bench: ${what}: HTTP ${res.status} ${await res.text()}`);
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
