// The end-to-end scenario on real pods, run once per function runtime (mesh-http, mesh-java):
// - installed from manifests/overlays/local-node (test/support/installation.ts): the controller,
//   2 replicas with leader election, and the scaler run as pods on the real node;
// - a FunctionMesh source → function → sink; the Source and the Sink are HTTP (the SDK's example
//   image with K_SINK), the function is what the variant gives; function and sink scale 0..3 on
//   the real KEDA through our scaler at the address the controller renders (a Service name: KEDA
//   resolves it through cluster DNS, kube-proxy routes it);
// - 5,000 events POSTed to the Source; a receiver on the pod gateway counts what the Sink delivers;
//   one function pod is force-deleted mid-stream; nothing may be missing, duplicates are reported;
// - after the cooldown the function and the sink are back at 0 pods; a second batch wakes them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventReceiver } from '../../support/event-receiver.js';
import { install, uninstall, type InstallImages, type PodInfo } from '../../support/installation.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { importImages, type ImageName } from '../../support/node-images.js';
import { waitFor } from '../../support/wait.js';
import { realNode, type RealNode } from '../node/real-node.js';
import {
  ReplicaHistory, conditionsOf, createPulsarConfig, createSubscriptions, deploymentReplicas, meshManifest, meshTopics, passesThrough,
  postEvents, readyPods, sourceUrl, waitForZero, type Topics,
} from '../../support/mesh.js';

const EVENTS = 5000;
const SECOND_BATCH = 50;
/** No result for this long after the stream: whatever has not arrived is missing. */
const QUIET_MS = 60_000;
/** At most this many events a second: the stream outlasts the function's scale-out, so a pod dies mid-stream. */
const POST_RATE = 250;
/**
 * The receiver answers each delivery this late. The Sink's bridge keeps 32 deliveries in flight
 * (its rendered default), so one Sink pod delivers at most 32 / 0.2 s = 160 events a second, below
 * POST_RATE: its backlog grows and KEDA must scale it out, however fast the pods are. Without it a
 * single Sink pod kept up on a quiet run and the Sink never left 1 replica.
 */
const RECEIVER_DELAY_MS = 200;

export interface MeshContext {
  ns: string;
  node: RealNode;
  images: Record<ImageName, string>;
  topics: Topics;
}

type FunctionSpec = (ctx: MeshContext) => Promise<Record<string, unknown>>;

export function describeMesh(title: string, prefix: string, extraImages: ImageName[], functionSpec: FunctionSpec): void {
  const state: {
    ctx?: MeshContext; receiver?: EventReceiver; history?: ReplicaHistory; installed?: Awaited<ReturnType<typeof install>>;
    source?: string; fn?: string; sink?: string;
  } = {};
  const ctx = () => state.ctx!;
  const expected = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e-${from + i}!!!`);

  beforeAll(async () => {
    const node = realNode();
    const images = await importImages(['controller', 'scaler', 'bridge', 'example', ...extraImages]) as Record<ImageName, string>;
    const ns = await createTestNamespace(prefix);
    state.ctx = { ns, node, images, topics: meshTopics(ns) };
    state.receiver = await EventReceiver.start(node.gateway, { responseDelayMs: RECEIVER_DELAY_MS });
    const installImages: InstallImages = {
      controller: images.controller, scaler: images.scaler, bridge: images.bridge, downloader: images.downloader, javaRunner: images['java-runner'],
    };
    state.installed = await install(ns, installImages);
    await createPulsarConfig(ns);
    const subscriptions = { fn: `${ns}-shout`, sink: `${ns}-out` };
    const fn = await functionSpec(state.ctx);
    await createSubscriptions(state.ctx.topics, subscriptions);
    state.history = new ReplicaHistory(ns).start();
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: JSON.stringify(meshManifest({
        name: 'mesh', topics: state.ctx.topics, exampleImage: images.example, receiverUrl: state.receiver.url, taint: node.taint, fn, subscriptions,
      })),
    });
    await waitFor('the mesh\'s three Deployments', async () => {
      const names = (await kubectlJson<{ items: { metadata: { name: string } }[] }>(['-n', ns, 'get', 'deployments'])).items.map((d) => d.metadata.name);
      [state.source, state.fn, state.sink] = ['-in', '-shout', '-out'].map((part) => names.find((n) => n.startsWith('mesh') && n.includes(part)));
      return Boolean(state.source && state.fn && state.sink);
    }, { timeoutMs: 60_000 });
  }, 1_800_000);

  afterAll(async () => {
    state.history?.stop();
    await state.receiver?.close();
    if (state.ctx) await deleteNamespace(state.ctx.ns);
    if (state.installed) await uninstall(state.installed.objects);
  }, 120_000);

  describe(title, () => {
    it('runs the controller (2 replicas, one leader) and the scaler as pods on the real node', async () => {
      for (const name of ['functionmesh-controller', 'functionmesh-scaler']) {
        const pods = await kubectlJson<{ items: PodInfo[] }>(['-n', ctx().ns, 'get', 'pods', '-l', `app.kubernetes.io/name=${name}`]);
        expect(pods.items.map((p) => p.spec.nodeName)).toEqual([ctx().node.name, ctx().node.name]);
      }
      const controllers = (await kubectlJson<{ items: PodInfo[] }>(['-n', ctx().ns, 'get', 'pods', '-l', 'app.kubernetes.io/name=functionmesh-controller'])).items.map((p) => p.metadata.name);
      expect(controllers).toContain(state.installed!.leader.split('_')[0]);
    });

    it('the Source idles at 1 pod; KEDA, through the scaler\'s Service name, keeps the function and the sink at 0', async () => {
      await waitFor('the source pod ready', async () => (await readyPods(ctx().ns, state.source!)).length === 1, { timeoutMs: 180_000, intervalMs: 1000 });
      await waitForZero(ctx().ns, [state.fn!, state.sink!]);
      for (const d of [state.fn!, state.sink!]) {
        const so = await kubectlJson<{ spec: { triggers: { type: string; metadata: { scalerAddress: string } }[] }; status?: { conditions?: { type: string; status: string }[] } }>(['-n', ctx().ns, 'get', 'scaledobject', d]);
        // KEDA answers Ready=True only once it has reached the scaler and got its metric spec.
        await waitFor(`ScaledObject ${d} Ready`, async () => (await kubectlJson<typeof so>(['-n', ctx().ns, 'get', 'scaledobject', d]))
          .status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), { timeoutMs: 60_000 });
        expect(so.spec.triggers[0]!.metadata.scalerAddress).toBe(`functionmesh-scaler.${ctx().ns}.svc:9090`);
      }
      const mesh = await waitFor('the mesh Ready', async () => {
        const ready = (await conditionsOf(ctx().ns, 'functionmesh', 'mesh')).find((c) => c.type === 'Ready');
        return ready?.status === 'True' ? ready : undefined;
      }, { timeoutMs: 60_000 });
      expect(mesh.reason).toBe('AllChildrenReady');
    }, 300_000);

    it('5,000 events: 0 → 1 → 3 real pods, one force-deleted mid-stream, every result delivered', async () => {
      const url = await sourceUrl(ctx().ns, '-in');
      const events = Array.from({ length: EVENTS }, (_, i) => `e-${i}`);
      let postingDone = false;
      const posting = postEvents(url, events, { concurrency: 64, perSecond: POST_RATE }).finally(() => { postingDone = true; });
      // the function at 3 ready pods
      const victim = await waitFor('the function at 3 ready pods', async () => {
        const pods = await readyPods(ctx().ns, state.fn!);
        return pods.length === 3 ? pods[0] : undefined;
      }, { timeoutMs: 240_000, intervalMs: 500 });
      const deliveredAtKill = state.receiver!.unique;
      // mid-stream: events still going in, or results still coming out
      expect({ postingDone, delivered: deliveredAtKill }).not.toEqual({ postingDone: true, delivered: EVENTS });
      await kubectlOk(['-n', ctx().ns, 'delete', 'pod', victim.metadata.name, '--grace-period=0', '--force']);
      const posted = await posting;
      const postedAt = Date.now();
      // All of them, or nothing new for a minute: then the missing ones are named below.
      await waitFor(`all ${EVENTS} results at the receiver`, async () => state.receiver!.unique >= EVENTS || Date.now() - Math.max(state.receiver!.lastArrival, postedAt) > QUIET_MS, { timeoutMs: 300_000, intervalMs: 1000 });
      const missing = state.receiver!.missing(expected(0, EVENTS));
      const pods = [...await readyPods(ctx().ns, state.fn!), ...await readyPods(ctx().ns, state.sink!)];
      process.stdout.write(`${JSON.stringify({ e2e: 'mesh', variant: prefix, events: EVENTS, unique: state.receiver!.unique, duplicates: state.receiver!.duplicates, postRetries: posted.retries, postMs: posted.ms, deliveredAtKill, replicaSteps: { fn: state.history!.replicaSteps(state.fn!), sink: state.history!.replicaSteps(state.sink!) } })}\n`);
      expect(missing).toEqual([]);
      expect(state.receiver!.unique).toBe(EVENTS);
      expect(pods.every((p) => p.spec.nodeName === ctx().node.name)).toBe(true);
      for (const d of [state.fn!, state.sink!]) {
        expect(passesThrough(state.history!.replicaSteps(d), [0, 1, 3])).toBe(true);
      }
      expect(state.history!.maxReady(state.fn!)).toBe(3);
    }, 900_000);

    it('after the cooldown the function and the sink are back at 0 pods, and their conditions say so', async () => {
      await waitForZero(ctx().ns, [state.fn!, state.sink!], 240_000);
      for (const member of ['function', 'sink']) {
        const name = member === 'function' ? 'mesh-shout' : 'mesh-out';
        const ready = await waitFor(`${member} ${name} Ready=True ScaledToZero`, async () => {
          const c = (await conditionsOf(ctx().ns, member, name)).find((x) => x.type === 'Ready');
          return c?.reason === 'ScaledToZero' ? c : undefined;
        }, { timeoutMs: 60_000 });
        expect(ready.status).toBe('True');
      }
      expect(await deploymentReplicas(ctx().ns, state.source!)).toBe(1);
      for (const d of [state.fn!, state.sink!]) expect(state.history!.replicaSteps(d).at(-1)).toBe(0);
    }, 300_000);

    it('a second batch wakes them from zero, and every result arrives', async () => {
      expect([await deploymentReplicas(ctx().ns, state.fn!), await deploymentReplicas(ctx().ns, state.sink!)]).toEqual([0, 0]);
      const posting = postEvents(await sourceUrl(ctx().ns, '-in'), Array.from({ length: SECOND_BATCH }, (_, i) => `e-${EVENTS + i}`));
      // watched directly (every 250 ms), not from the once-a-second history: a wake may be short
      await Promise.all([state.fn!, state.sink!].map((d) => waitFor(`${d} woken from 0`, async () => (await deploymentReplicas(ctx().ns, d)) >= 1, { timeoutMs: 180_000, intervalMs: 250 })));
      await posting;
      await waitFor(`the second batch at the receiver`, async () => state.receiver!.missing(expected(EVENTS, SECOND_BATCH)).length === 0, { timeoutMs: 240_000, intervalMs: 1000 });
      process.stdout.write(`${JSON.stringify({ e2e: 'mesh-second-batch', variant: prefix, replicaSteps: { fn: state.history!.replicaSteps(state.fn!), sink: state.history!.replicaSteps(state.sink!) } })}\n`);
    }, 300_000);
  });
}
