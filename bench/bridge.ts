// `npm run bench -- bridge [--messages 10000] [--latency-messages 400] [--rate 100] [--rounds 3] [--transport binary|websocket]`
//   or `npm run bench -- bridge --cpu [--messages 20000] [--rounds 3] [--cpu-prof DIR]`
// against the shared platform's Pulsar. One JSON line per result, each with its baseline from
// the same run:
//  (a) throughput: a backlog of N messages through the bridge + the SDK's exclamation function,
//      vs Pulsar's own Java LocalRunner running ExclamationFunction on the same broker; rate from
//      the broker's publish times of the first and last output. The bridge runs with the env the
//      controller renders for a Function with every field at its default (not tuned here);
//      only the URLs, the ports and the subscription are the bench's;
//  (b) latency at a steady rate: produce → output received, for Pulsar alone (produce → consume,
//      the floor), the bridge and the LocalRunner; "added" is each minus the floor.
// Both in --rounds rounds, alternating which system goes first; the last lines are the medians
// and their ratios, with the load average at the start and the end.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PulsarClient } from '../adapters/pulsar/binary/index.js';
import type { ConsumedMessage } from '../adapters/pulsar/ws-messages.js';
import { applyDefaults, type FunctionResource } from '../controller/api/index.js';
import { bridgeEnv } from '../controller/render/http-runtime.js';
import { Problems } from '../controller/render/problems.js';
import { stopProcess } from '../test/support/processes.js';
import { waitFor } from '../test/support/wait.js';
import { bridgePulsar, collect, createSubscription, freePort, produceAll, startBridge, uniqueName } from '../test/integration/bridge/support.js';
import { preflight } from './preflight.js';

interface System {
  name: 'bridge' | 'java-localrunner';
  /** Runs before anything is produced (the Java function needs a STRING schema on its topics). */
  prepare?(web: string, topics: string[]): Promise<void>;
  start(input: string, output: string, subscription: string): Promise<() => Promise<void>>;
}

export default async function bench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: '10000' },
      'latency-messages': { type: 'string', default: '400' },
      rate: { type: 'string', default: '100' },
      transport: { type: 'string', default: 'binary' },
      rounds: { type: 'string', default: '3' },
      cpu: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
  });
  const env = await preflight('bridge', { pulsar: true });
  const web = env.PULSAR_WEB_URL;
  const broker = env.PULSAR_BROKER_URL;
  const count = Number(values.messages);
  const transport = values.transport === 'websocket' ? 'websocket' : 'binary';
  print({ metric: 'load-average', at: 'start', loadavg: os.loadavg().map(round) });
  if (values.cpu) {
    // Only the bridge's and the function's CPU per message: no baseline, no latency.
    const all: Awaited<ReturnType<typeof cpuPerMessage>>[] = [];
    for (let r = 1; r <= Number(values.rounds); r++) {
      const c = await cpuPerMessage({ broker, web }, transport, count, values['cpu-prof']);
      all.push(c);
      print({ metric: 'cpu-per-message', round: r, messages: count, ...c, loadavg1: round(os.loadavg()[0]!) });
    }
    print({
      metric: 'cpu-per-message-median', rounds: all.length, bridgeMs: median3(all.map((c) => c.bridgeMs)), functionMs: median3(all.map((c) => c.functionMs)),
      othersMs: median3(all.map((c) => c.othersMs)), machineIdle: median(all.map((c) => c.machineIdle)), msgsPerSec: median(all.map((c) => c.msgsPerSec)),
    });
    print({ metric: 'load-average', at: 'end', loadavg: os.loadavg().map(round) });
    return;
  }
  const systems: System[] = [bridgeSystem({ broker, web }, transport)];
  const java = javaSystem(env.PULSAR_BROKER_URL, web);
  if (typeof java === 'string') print({ metric: 'baseline-unavailable', system: 'java-localrunner', error: java });
  else systems.push(java);

  // Rounds alternate which system goes first: on a shared machine the load moves between runs,
  // and the medians over rounds are what the ratios compare.
  const throughput: Record<string, number[]> = {};
  const latency: Record<string, { p50: number; p99: number; addedP50: number; addedP99: number }[]> = {};
  const rounds = Number(values.rounds);
  for (let r = 1; r <= rounds; r++) {
    const floor = await directLatency(broker, Number(values['latency-messages']), Number(values.rate));
    print({ metric: 'latency', round: r, system: 'pulsar-direct', p50Ms: floor.p50, p99Ms: floor.p99 });
    for (const system of r % 2 ? systems : [...systems].reverse()) {
      const input = `persistent://public/default/${uniqueName(`bench-${system.name}-in`)}`;
      const output = `persistent://public/default/${uniqueName(`bench-${system.name}-out`)}`;
      const subscription = uniqueName('bench');
      await system.prepare?.(web, [input, output]);
      await createSubscription(web, input, subscription);
      const out = await collect(broker, output);
      await produceAll(broker, input, Array.from({ length: count }, (_, i) => ({ payload: Buffer.from(`t${i}`) })), { batching: true });
      const stop = await system.start(input, output, subscription);
      try {
        await waitFor(`${count} outputs from ${system.name}`, async () => out.messages.length >= count, { timeoutMs: 300_000, intervalMs: 100 });
        const t = rate(out.messages);
        (throughput[system.name] ??= []).push(t);
        print({ metric: 'throughput', round: r, system: system.name, messages: count, msgsPerSec: round(t), loadavg1: round(os.loadavg()[0]!) });
        const l = await steadyLatency(broker, input, out.messages, Number(values['latency-messages']), Number(values.rate));
        const added = { ...l, addedP50: round(l.p50 - floor.p50), addedP99: round(l.p99 - floor.p99) };
        (latency[system.name] ??= []).push(added);
        print({ metric: 'latency', round: r, system: system.name, p50Ms: l.p50, p99Ms: l.p99, addedP50Ms: added.addedP50, addedP99Ms: added.addedP99 });
      } finally {
        await stop();
        await out.close();
      }
    }
  }
  for (const [name, all] of Object.entries(throughput)) {
    const l = latency[name]!;
    print({
      metric: 'median', system: name, rounds, msgsPerSec: median(all), addedP50Ms: median(l.map((x) => x.addedP50)), addedP99Ms: median(l.map((x) => x.addedP99)),
      p50Ms: median(l.map((x) => x.p50)), p99Ms: median(l.map((x) => x.p99)),
    });
  }
  if (throughput['java-localrunner'] && throughput.bridge) {
    const b = latency.bridge!;
    const j = latency['java-localrunner']!;
    print({
      metric: 'throughput-ratio', bridgeOverJava: round(median(throughput.bridge) / median(throughput['java-localrunner'])),
      perRound: throughput.bridge.map((t, i) => round(t / throughput['java-localrunner']![i]!)),
    });
    print({
      metric: 'latency-ratio', p50BridgeOverJava: round(median(b.map((x) => x.p50)) / median(j.map((x) => x.p50))),
      p99BridgeOverJava: round(median(b.map((x) => x.p99)) / median(j.map((x) => x.p99))),
      addedP50BridgeMinusJavaMs: round(median(b.map((x) => x.addedP50)) - median(j.map((x) => x.addedP50))),
    });
  }
  print({ metric: 'load-average', at: 'end', loadavg: os.loadavg().map(round) });
}

/** The bridge's env as the controller renders it for a Function with every field at its default. */
export function renderedBridgeEnv(input: string, output: string, subscription: string, targetPort: number): Record<string, string> {
  const fn: FunctionResource = applyDefaults('Function', {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Function',
    metadata: { name: 'bench', namespace: 'default' },
    spec: { className: 'exclamation', input: { topics: [input] }, output: { topic: output }, subscriptionName: subscription, http: { image: 'bench' }, pulsar: { pulsarConfig: 'pulsar' } },
  } as FunctionResource);
  const problems = new Problems();
  const env = Object.fromEntries(bridgeEnv(fn, targetPort, '/', problems).map((e) => [e.name, e.value ?? '']));
  if (problems.list.length) throw new Error(`rendering the bench Function: ${JSON.stringify(problems.list)}`);
  delete env.BRIDGE_OPS_PORT; // the bench picks a free one
  return env;
}

function bridgeSystem(urls: { broker: string; web: string }, transport: 'binary' | 'websocket'): System {
  return {
    name: 'bridge',
    async start(input, output, subscription) {
      return (await startBridgeAndFunction(urls, transport, input, output, subscription)).stop;
    },
  };
}

/** The SDK's exclamation function and a bridge in front of it at its rendered defaults; `nodeArgs` go to both. */
async function startBridgeAndFunction(urls: { broker: string; web: string }, transport: 'binary' | 'websocket', input: string, output: string, subscription: string, nodeArgs: string[] = []) {
  const port = await freePort();
  const fn = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'adapters/sdk/example/exclamation.ts'], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  await waitHttp(`http://127.0.0.1:${port}/healthz`);
  const rendered = renderedBridgeEnv(input, output, subscription, port);
  const { BRIDGE_BROKER_URL: _renderedUrl, ...settings } = rendered;
  print({ metric: 'bridge-settings', transport, ...settings });
  const bridge = await startBridge({ ...settings, ...bridgePulsar(urls, transport) }, nodeArgs);
  const stop = async () => {
    await stopProcess(bridge.child);
    await stopProcess(fn);
  };
  // It starts on a backlog, on a shared machine; a bridge that never gets ready is not left behind.
  await bridge.waitReady(120_000).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { bridgePid: bridge.child.pid!, functionPid: fn.pid!, stop };
}

/**
 * CPU time per message of the bridge and of the function (utime + stime from /proc/<pid>/stat)
 * between the first and the last output of a backlog: what each costs, whatever share of the
 * machine it got. With `profileDir`, both run under `node --cpu-prof` and leave their profiles there.
 */
async function cpuPerMessage(urls: { broker: string; web: string }, transport: 'binary' | 'websocket', count: number, profileDir?: string) {
  const input = `persistent://public/default/${uniqueName('bench-cpu-in')}`;
  const output = `persistent://public/default/${uniqueName('bench-cpu-out')}`;
  const subscription = uniqueName('bench');
  await createSubscription(urls.web, input, subscription);
  const out = await collect(urls.broker, output);
  await produceAll(urls.broker, input, Array.from({ length: count }, (_, i) => ({ payload: Buffer.from(`t${i}`) })), { batching: true });
  const started = await startBridgeAndFunction(urls, transport, input, output, subscription, profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []);
  const cpu = () => ({ bridge: cpuMs(started.bridgePid), fn: cpuMs(started.functionPid), machine: machineMs(), at: performance.now() });
  try {
    await waitFor('the first output', async () => out.messages.length > 0, { timeoutMs: 120_000, intervalMs: 1 });
    const first = cpu();
    const firstCount = out.messages.length;
    await waitFor(`${count} outputs`, async () => out.messages.length >= count, { timeoutMs: 300_000, intervalMs: 1 });
    const last = cpu();
    const n = out.messages.length - firstCount;
    const wall = last.at - first.at;
    return {
      bridgeMs: round3((last.bridge - first.bridge) / n), functionMs: round3((last.fn - first.fn) / n),
      // Everything else on the machine (the broker, the bench's own client, other sessions) and how idle it was.
      othersMs: round3((last.machine.busy - first.machine.busy - (last.bridge - first.bridge) - (last.fn - first.fn)) / n),
      machineIdle: round((last.machine.idle - first.machine.idle) / (wall * os.cpus().length)), msgsPerSec: Math.round((n * 1000) / wall),
    };
  } finally {
    await started.stop();
    await out.close();
  }
}

/** CPU time the whole machine has been busy and idle so far, in ms summed over its cores. */
function machineMs(): { busy: number; idle: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  const idle = ticks[3]! + ticks[4]!; // idle, iowait
  return { busy: (ticks.slice(0, 8).reduce((a, b) => a + b, 0) - idle) * 10, idle: idle * 10 };
}

/** CPU time a process has used so far, in ms (user + system; the kernel counts in ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime: fields 14 and 15 of the line
}

/** Pulsar's LocalRunner from the classpath hack/build-pulsar assembled, or why it is unavailable. */
function javaSystem(brokerUrl: string, web: string): System | string {
  const cache = process.env.FM_CACHE ?? path.join(os.homedir(), '.cache/function-mesh-ts');
  const lib = existsSync(cache)
    ? readdirSync(cache).filter((d) => d.startsWith('pulsar-')).map((d) => path.join(cache, d, 'lib')).find((l) => existsSync(l) && readdirSync(l).some((j) => j.startsWith('pulsar-functions-local-runner')))
    : undefined;
  if (!lib) return `no Pulsar classpath with pulsar-functions-local-runner under ${cache}: run hack/build-pulsar`;
  const examples = readdirSync(lib).find((j) => j.startsWith('pulsar-functions-api-examples-'));
  if (!examples) return `${lib} lacks pulsar-functions-api-examples: run hack/build-pulsar`;
  return {
    name: 'java-localrunner',
    // ExclamationFunction is a Function<String, String>: Pulsar refuses to add a STRING schema to
    // a topic that already holds schemaless data, so the topics get it first.
    async prepare(webUrl, topics) {
      for (const topic of topics) {
        const res = await fetch(`${webUrl}/admin/v2/schemas/${topic.replace('persistent://', '')}/schema`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'STRING', schema: '', properties: {} }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`STRING schema for ${topic}: HTTP ${res.status} ${await res.text()}`);
      }
    },
    async start(input, output, subscription) {
      const name = uniqueName('exclamation');
      const functionConfig = {
        tenant: 'public', namespace: 'default', name, runtime: 'JAVA', parallelism: 1,
        className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction', jar: path.join(lib, examples),
        inputs: [input], output, subName: subscription, processingGuarantees: 'ATLEAST_ONCE',
      };
      const log: string[] = [];
      const child = spawn('java', ['-Xms128m', '-Xmx512m', '-cp', `${lib}/*`, 'org.apache.pulsar.functions.LocalRunner',
        '--functionConfig', JSON.stringify(functionConfig), '--brokerServiceUrl', brokerUrl, '--webServiceUrl', web, '--metricsPortStart', '0'],
      { cwd: mkdtempSync(path.join(os.tmpdir(), 'localrunner-')), stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (b: Buffer) => void (log.push(b.toString()), log.length > 100 && log.shift());
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      let stopping = false;
      child.once('exit', (code) => {
        if (!stopping) print({ metric: 'baseline-error', system: 'java-localrunner', exit: code, log: log.join('').slice(-2000) });
      });
      return () => {
        stopping = true;
        return stopProcess(child);
      };
    },
  };
}

async function directLatency(broker: string, count: number, perSecond: number): Promise<{ p50: number; p99: number }> {
  const topic = `persistent://public/default/${uniqueName('bench-direct')}`;
  const out = await collect(broker, topic);
  try {
    return await steadyLatency(broker, topic, out.messages, count, perSecond, '');
  } finally {
    await out.close();
  }
}

/** Sends `count` messages at `perSecond` and times each until its output (payload + suffix) arrives. */
async function steadyLatency(broker: string, input: string, outputs: ConsumedMessage[], count: number, perSecond: number, suffix = '!') {
  // One entry per message, sent at once: the input side costs the same for every system.
  const client = new PulsarClient({ serviceUrl: broker });
  const producer = await client.createProducer({ topic: input, batchingEnabled: false });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const seen = outputs.length;
  const watcher = setInterval(() => {
    for (const m of outputs.splice(seen)) {
      const key = m.payload.toString().slice(0, m.payload.length - suffix.length);
      const at = sentAt.get(key);
      if (at !== undefined) latencies.push(performance.now() - at);
    }
  }, 1);
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    while (performance.now() < due) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    sentAt.set(`l${i}`, performance.now());
    sends.push(producer.send({ payload: Buffer.from(`l${i}`) }));
  }
  await Promise.all(sends);
  await waitFor('latency outputs', async () => latencies.length >= count, { timeoutMs: 60_000, intervalMs: 100 });
  clearInterval(watcher);
  await client.close();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  return { p50: pick(0.5), p99: pick(0.99) };
}

function rate(messages: ConsumedMessage[]): number {
  const times = messages.map((m) => Date.parse(m.publishTime)).sort((a, b) => a - b);
  return ((times.length - 1) * 1000) / Math.max(1, times.at(-1)! - times[0]!);
}

async function waitHttp(url: string): Promise<void> {
  await waitFor(`${url} answering`, () => fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok), { timeoutMs: 30_000, intervalMs: 100 });
}

const round = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const middle = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const median = (xs: number[]) => round(middle(xs));
const median3 = (xs: number[]) => round3(middle(xs));
const print = (o: object) => console.log(JSON.stringify({ bench: 'bridge', ...o }));
