// `npm run bench -- e2e [--wakes=5] [--events=10000] [--together] [--baseline-java-image=REF]`: the
// product on real pods (the
// local platform with FM_REAL_NODE=1), installed from manifests/overlays/local-node as the e2e
// suites install it (test/support/installation.ts).
//
// Wake: time from the first message published to an idle function (0 pods) until its first
// result reaches the output topic, including KEDA's activation and the pod's start. Four
// Functions, both runtimes (HTTP: bridge + the SDK's example; java: ExclamationFunction from a
// function:// package on the Java runner) × both triggers (external-push: the scaler pushes
// "active" as the message arrives; external: KEDA's poll, at its default 30 s), all at KEDA's
// default polling interval. Each round wakes the four one after the other, each from 0 pods and
// alone (no other pod of the bench starting), as a user sees one wake; `--together` publishes to
// all four at the same moment instead, so their pods start side by side on the node's cores.
// `--baseline-java-image` adds a fifth, Java with push on that runner image (`spec.image`; one the
// node holds, e.g. an earlier build's content tag), woken in the same rounds, so that two runner
// images are compared under the same load; its line has `"image":"baseline"`.
// One line per case:
//   {"bench":"e2e.wake","runtime":"http"|"java","trigger":"push"|"poll","wakes":N,"p50_ms":…,"p95_ms":…,
//    "mode":"sequential"|"together","phases_p50_ms":{…},"load":[…]}
// phases_p50_ms: per phase, the median over the wakes of its time after the publish
// (bench/wake-timeline.ts says what each phase is and where its time comes from).
//
// Mesh: the HTTP source → function → sink mesh (test/support/mesh.ts), `--events` messages
// published straight to its first topic (0: no mesh); function and sink scale to 3. One line:
//   {"bench":"e2e.mesh","replicas":3,"events":N,"throughput_per_s":…,"drain_ms":…,"to_zero_ms":…,…}
// throughput_per_s: results reaching the receiver per second while function and sink both had 3
// ready pods; drain_ms: last message published → last result delivered; to_zero_ms: last result
// → function and sink at 0 pods (cooldown 10 s, polling 2 s there).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PulsarConsumer } from '../adapters/pulsar/ws-consumer.js';
import { PulsarProducer } from '../adapters/pulsar/ws-producer.js';
import { EventReceiver } from '../test/support/event-receiver.js';
import { install, uninstall } from '../test/support/installation.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../test/support/kubectl.js';
import {
  ReplicaHistory, createPulsarConfig, createSubscriptions, deploymentReplicas, meshManifest, meshTopics, readyPods, REAL_NODE_SCHEDULING,
} from '../test/support/mesh.js';
import { importImages } from '../test/support/node-images.js';
import { apiExamplesJar, declareStringSchema, javaExclamation, uploadFunctionPackage } from '../test/support/pulsar-packages.js';
import { waitFor } from '../test/support/wait.js';
import { PulsarAdmin } from '../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../adapters/pulsar/topic-name.js';
import { preflight } from './preflight.js';
import { WakeWatch, formatTimeline, medianTimeline, type Timeline } from './wake-timeline.js';

/** KEDA's default polling interval, for both triggers. */
const KEDA_DEFAULT_POLLING_S = 30;

interface WakeCase {
  runtime: 'http' | 'java'; trigger: 'push' | 'poll'; name: string; input: string; output: string; baseline?: boolean;
  ms: number[]; timelines: Timeline[]; load: number[]; firstAt?: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

export default async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: {
    wakes: { type: 'string', default: '5' }, events: { type: 'string', default: '10000' }, together: { type: 'boolean', default: false },
    'baseline-java-image': { type: 'string' },
  } });
  const wakes = Number(values.wakes);
  const events = Number(values.events);
  const mode = values.together ? 'together' : 'sequential';
  const env = await preflight('e2e', { pulsar: true, crds: true });
  if (env.FM_REAL_NODE !== '1') throw new Error(`bench e2e: the platform in ${env.FM_PLATFORM_DIR} has no real node: hack/local-down, then FM_REAL_NODE=1 hack/local-up`);
  const images = await importImages(['controller', 'scaler', 'bridge', 'example', 'downloader', 'java-runner']);
  const ns = await createTestNamespace('bench-e2e');
  const closers: (() => Promise<void>)[] = [];
  let installed: Awaited<ReturnType<typeof install>> | undefined;
  try {
    installed = await install(ns, {
      controller: images.controller, scaler: images.scaler, bridge: images.bridge, downloader: images.downloader, javaRunner: images['java-runner'],
    });
    await createPulsarConfig(ns);
    const cases = await createWakeFunctions(ns, env.PULSAR_WEB_URL, images.example, env.FM_NODE_TAINT!, values['baseline-java-image']);
    for (const c of cases) {
      const consumer = new PulsarConsumer({
        url: env.PULSAR_WS_URL, topics: [c.output], subscription: `bench-${ns}`,
        onMessage: (m, session) => { c.firstAt ??= Date.now(); void consumer.ack(m.messageId, session); },
      });
      closers.push(() => consumer.close());
      await consumer.waitConnected(30_000);
    }
    const producers = new Map(cases.map((c) => [c.name, new PulsarProducer({ url: env.PULSAR_WS_URL, topic: c.input })]));
    for (const p of producers.values()) { closers.push(() => p.close()); await p.waitConnected(30_000); }

    const watch = new WakeWatch(ns).start();
    closers.push(async () => watch.stop());
    const atZero = (c: WakeCase) => waitFor(`${c.name} at 0 pods`, async () => (await deploymentReplicas(ns, `${c.name}-function`)) === 0
      && (await podCount(ns, `${c.name}-function`)) === 0, { timeoutMs: 300_000, intervalMs: 500 });
    const wake = async (c: WakeCase, round: number) => {
      c.firstAt = undefined;
      c.load.push(os.loadavg()[0]!);
      const sent = Date.now();
      await producers.get(c.name)!.send({ payload: Buffer.from(`wake-${round}`) });
      await waitFor(`${c.name}'s first result`, async () => c.firstAt, { timeoutMs: 300_000, intervalMs: 20 });
      c.ms.push(c.firstAt! - sent);
      const deployment = `${c.name}-function`;
      c.timelines.push(await watch.timeline({ deployment, sent, result: c.firstAt!, input: c.input, subscription: c.name, scaledObject: deployment }));
    };
    for (let round = 0; round < wakes; round++) {
      if (mode === 'together') {
        await Promise.all(cases.map(atZero));
        await Promise.all(cases.map((c) => wake(c, round)));
      } else {
        // One wake at a time: the others are idle, running or stopping, none starting.
        for (const c of cases) { await atZero(c); await wake(c, round); }
      }
      for (const c of cases) process.stderr.write(`round ${round + 1}/${wakes} ${c.runtime}/${c.trigger}${c.baseline ? ' (baseline image)' : ''}: ${c.ms.at(-1)} ms (${formatTimeline(c.timelines.at(-1)!)})\n`);
    }
    watch.stop();
    for (const c of cases) {
      console.log(JSON.stringify({
        bench: 'e2e.wake', runtime: c.runtime, trigger: c.trigger, ...(c.baseline ? { image: 'baseline' } : {}), wakes: c.ms.length, p50_ms: percentile(c.ms, 50), p95_ms: percentile(c.ms, 95),
        mode, all_ms: c.ms, phases_p50_ms: medianTimeline(c.timelines, (v) => percentile(v, 50)), load: c.load.map((l) => Math.round(l * 10) / 10),
      }));
    }
    if (events <= 0) return;
    for (const c of cases) await kubectlOk(['-n', ns, 'delete', 'function', c.name, '--wait=false']);
    console.log(JSON.stringify(await meshThroughput(ns, env, images.example, events, closers)));
  } finally {
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
    await deleteNamespace(ns);
    if (installed) await uninstall(installed.objects);
  }
}

async function podCount(ns: string, deployment: string): Promise<number> {
  const d = await kubectlJson<{ spec: { selector: { matchLabels: Record<string, string> } } }>(['-n', ns, 'get', 'deployment', deployment]);
  const selector = Object.entries(d.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
  return (await kubectlJson<{ items: unknown[] }>(['-n', ns, 'get', 'pods', '-l', selector])).items.length;
}

async function createWakeFunctions(ns: string, web: string, exampleImage: string, taint: string, baselineJavaImage?: string): Promise<WakeCase[]> {
  const pkg = await uploadFunctionPackage(web, `${ns}-exclamation`, 'v1', apiExamplesJar());
  const admin = new PulsarAdmin({ url: web, timeoutMs: 10_000 });
  const cases: WakeCase[] = [];
  const variants = [
    ...(['http', 'java'] as const).flatMap((runtime) => (['push', 'poll'] as const).map((trigger) => ({ runtime, trigger, baseline: false }))),
    ...(baselineJavaImage ? [{ runtime: 'java' as const, trigger: 'push' as const, baseline: true }] : []),
  ];
  for (const { runtime, trigger, baseline } of variants) {
    const name = `wake-${runtime}-${trigger}${baseline ? '-baseline' : ''}`;
    const c: WakeCase = { runtime, trigger, name, baseline, input: `persistent://public/default/${ns}-${name}-in`, output: `persistent://public/default/${ns}-${name}-out`, ms: [], timelines: [], load: [] };
    if (runtime === 'java') for (const t of [c.input, c.output]) await declareStringSchema(web, t);
    // The subscription exists before the Function, as a deployed function's would.
    await admin.createSubscription(parseTopicName(c.input), name, 'earliest');
    const runtimeSpec = runtime === 'http' ? { className: 'exclamation', http: { image: exampleImage, port: 8080 } } : javaExclamation(pkg);
    const { input, output, ...rest } = runtimeSpec as Record<string, unknown> & { input?: object; output?: object };
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', metadata: { name },
      spec: {
        ...rest, ...(baseline ? { image: baselineJavaImage } : {}), subscriptionName: name,
        input: { topics: [c.input], ...input }, output: { topic: c.output, ...output },
        minReplicas: 0, maxReplicas: 1,
        scaling: { pollingInterval: KEDA_DEFAULT_POLLING_S, cooldownPeriod: 5, pushActivation: trigger === 'push' },
        pod: { ...REAL_NODE_SCHEDULING(taint), terminationGracePeriodSeconds: 5 },
        pulsar: { pulsarConfig: 'pulsar' },
      },
    }) });
    cases.push(c);
  }
  return cases;
}

async function meshThroughput(ns: string, env: Record<string, string>, exampleImage: string, events: number, closers: (() => Promise<void>)[]) {
  const receiver = await EventReceiver.start(env.FM_NODE_GATEWAY!);
  closers.push(() => receiver.close());
  const topics = meshTopics(ns);
  const subscriptions = { fn: `${ns}-shout`, sink: `${ns}-out` };
  await createSubscriptions(topics, subscriptions);
  const history = new ReplicaHistory(ns).start();
  closers.push(async () => history.stop());
  await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify(meshManifest({
    name: 'mesh', topics, exampleImage, receiverUrl: receiver.url, taint: env.FM_NODE_TAINT!, subscriptions,
    fn: { className: 'exclamation', http: { image: exampleImage, port: 8080 } },
  })) });
  const [fn, sink] = ['mesh-shout-function', 'mesh-out-sink'];
  await waitFor('the mesh idle: function and sink at 0', async () => (await deploymentReplicas(ns, fn)) === 0 && (await deploymentReplicas(ns, sink)) === 0, { timeoutMs: 180_000, intervalMs: 1000 });

  // Three ready pods of both, and when: sampled beside the stream.
  let allThreeAt: number | undefined;
  let deliveredAtThree = 0;
  const watch = setInterval(() => void (async () => {
    if (allThreeAt) return;
    if ((await readyPods(ns, fn)).length === 3 && (await readyPods(ns, sink)).length === 3 && !allThreeAt) {
      allThreeAt = Date.now();
      deliveredAtThree = receiver.unique;
    }
  })().catch(() => undefined), 500);
  closers.push(async () => clearInterval(watch));

  const producer = new PulsarProducer({ url: env.PULSAR_WS_URL!, topic: topics.raw });
  closers.push(() => producer.close());
  await producer.waitConnected(30_000);
  const start = Date.now();
  const IN_FLIGHT = 200;
  for (let i = 0; i < events; i += IN_FLIGHT) {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, events - i) }, (_, k) => producer.send({ payload: Buffer.from(`m-${i + k}`) })));
  }
  const published = Date.now();
  await waitFor(`all ${events} results at the receiver`, async () => receiver.unique >= events, { timeoutMs: 900_000, intervalMs: 200 });
  const lastAt = Math.max(...receiver.firstAt.values());
  clearInterval(watch);
  await waitFor('function and sink back at 0 pods', async () => (await deploymentReplicas(ns, fn)) === 0 && (await deploymentReplicas(ns, sink)) === 0
    && (await podCount(ns, fn)) === 0 && (await podCount(ns, sink)) === 0, { timeoutMs: 600_000, intervalMs: 500 });
  const zeroAt = Date.now();
  history.stop();
  const atThree = allThreeAt && allThreeAt < lastAt ? (events - deliveredAtThree) / ((lastAt - allThreeAt) / 1000) : NaN;
  return {
    bench: 'e2e.mesh', replicas: 3, events, duplicates: receiver.duplicates,
    throughput_per_s: Math.round(atThree), publish_ms: published - start, drain_ms: lastAt - published, to_zero_ms: zeroAt - lastAt,
    first_result_ms: Math.min(...receiver.firstAt.values()) - start,
    replica_steps: { function: history.replicaSteps(fn), sink: history.replicaSteps(sink) },
  };
}
