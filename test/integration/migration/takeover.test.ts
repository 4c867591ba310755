// Migrating a running Function Mesh installation: resources as its Go operator left them (its
// StatefulSets, headless Services, cleanup finalizer and map-shaped status, see
// upstream-install.ts) on the real platform, then this controller starts and takes over in
// place. Checked: the status is replaced, the finalizer migrated and honoured (upstream's cleanup
// Jobs deleted, a user's Job of the same name kept), each old pod runs
// until a new pod is available and is never restarted before it goes, the old children are
// deleted, a PDB written against upstream's labels selects the new pods, `managed: "false"` is
// left alone, and no delete stays stuck.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { SUBSCRIPTION_FINALIZER } from '../../../controller/reconcile/subscription-cleanup.js';
import { createTestNamespace, deleteNamespace, kubectl, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';
import { condition, getObject, startController, waitForReady, type LiveObject, type RunningController } from '../controller/harness.js';
import { javaFunction, list, pulsarConfigMap, topic, type Json } from '../controller/manifests.js';
import { readStored, rewriteStored } from './etcd-store.js';
import { installAsUpstream, upstreamLabels, type UpstreamInstall } from './upstream-install.js';

let ns: string;
let controller: RunningController | undefined;
const admin = new PulsarAdmin({ url: readPlatformEnv().PULSAR_WEB_URL });
const input = { fn: topic('migrate-fn'), gone: topic('migrate-gone') };
const subscription = (name: string) => `sub-${name}-${ns}`;
const installed: Record<string, UpstreamInstall> = {};
/** Every uid the old StatefulSet's pod had while it existed: one means it was never restarted. */
const oldPodUids = new Set<string>();
const HOLD = { 'migration.test/never': 'scheduled' };

const source = (name: string): Json => ({
  apiVersion: 'compute.functionmesh.io/v1alpha1',
  kind: 'Source',
  metadata: { name },
  spec: {
    className: 'org.apache.pulsar.io.datagenerator.DataGeneratorSource',
    output: { topic: `persistent://public/default/${name}-out` },
    replicas: 1,
    pulsar: { pulsarConfig: 'pulsar' },
    java: { jar: 'connectors/pulsar-io-data-generator.nar' },
  },
});

async function trackOldPod(): Promise<LiveObject | undefined> {
  const pod = await getObject('pod', ns, `${installed.fn!.statefulSet}-0`);
  if (pod) oldPodUids.add(pod.metadata.uid);
  return pod;
}

const events = async (name: string) =>
  (await kubectlJson<{ items: { reason: string; message: string; count?: number }[] }>(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`])).items;

const userJob = (name: string, labels: Record<string, string>): Json => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, labels },
  spec: { template: { metadata: { labels }, spec: { restartPolicy: 'Never', nodeSelector: HOLD, containers: [{ name: 'mine', image: 'busybox:1.36', command: ['true'] }] } } },
});

describe('taking over a running Function Mesh installation', () => {
  beforeAll(async () => {
    ns = await createTestNamespace('migrate');
    for (const [name, t] of Object.entries(input)) await admin.createSubscription(parseTopicName(t), subscription(name));
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(
        pulsarConfigMap('pulsar', readPlatformEnv().PULSAR_WEB_URL),
        // New pods of fn cannot schedule at first: the old StatefulSet must wait for one.
        javaFunction('fn', { cleanupSubscription: true, subscriptionName: subscription('fn'), input: { topics: [input.fn] }, pod: { nodeSelector: HOLD } }),
        javaFunction('gone', { cleanupSubscription: true, subscriptionName: subscription('gone'), input: { topics: [input.gone] } }),
        { ...javaFunction('hands-off'), metadata: { name: 'hands-off', annotations: { 'compute.functionmesh.io/managed': 'false' } } },
        source('src'),
        javaFunction('stateful', { statefulConfig: { pulsar: { serviceUrl: 'bk://bookkeeper.invalid:4181' } } }),
        // Written for Function Mesh's pods; it must count the new ones after the takeover.
        { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'fn-pdb' }, spec: { minAvailable: 1, selector: { matchLabels: upstreamLabels('Function', 'fn', ns) } } },
      ),
    });
    installed.fn = await installAsUpstream(ns, 'Function', 'fn', { finalizer: true });
    installed.gone = await installAsUpstream(ns, 'Function', 'gone', { finalizer: true });
    installed['hands-off'] = await installAsUpstream(ns, 'Function', 'hands-off');
    // A Job of the name upstream would give src's cleanup Job, but the user's own (no `owner` label).
    installed.src = await installAsUpstream(ns, 'Source', 'src', { finalizer: true, cleanupJob: false });
    await kubectlOk(['-n', ns, 'create', '-f', '-'], { input: JSON.stringify(userJob('src-source-cleanup', upstreamLabels('Source', 'src', ns))) });
    installed.stateful = await installAsUpstream(ns, 'Function', 'stateful');
    // A FunctionMesh: upstream created its member as a Function `<mesh>-<name>` that the mesh controls.
    const member = { name: 'm1', ...(javaFunction('m1').spec as Json) };
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh', metadata: { name: 'mesh' }, spec: { functions: [member] } }) });
    const meshUid = (await kubectlJson<{ metadata: { uid: string } }>(['-n', ns, 'get', 'functionmesh', 'mesh'])).metadata.uid;
    const owner = { apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh', name: 'mesh', uid: meshUid, controller: true, blockOwnerDeletion: true };
    const { name: _member, ...memberSpec } = member;
    await kubectlOk(['-n', ns, 'create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', metadata: { name: 'mesh-m1', ownerReferences: [owner] }, spec: { ...memberSpec, name: 'm1' } }) });
    installed['mesh-m1'] = await installAsUpstream(ns, 'Function', 'mesh-m1');
    // FunctionMeshStatus: a condition map per member kind, keyed by member name.
    await rewriteStored('compute.functionmesh.io', 'functionmeshes', ns, 'mesh', (stored) => ({
      ...stored,
      status: { functionConditions: { m1: { condition: 'FunctionReady', status: 'True', action: 'NoAction' } }, condition: { condition: 'MeshReady', status: 'True', action: 'NoAction' }, observedGeneration: 1 },
    }));
    await waitFor('the old StatefulSet pod running', async () => ((await trackOldPod()) as { status?: { phase?: string } } | undefined)?.status?.phase === 'Running' || undefined);
    // Deleted while no operator runs: only Function Mesh's finalizer holds it.
    await kubectlOk(['-n', ns, 'delete', 'function', 'gone', '--wait=false']);
    for (const job of [installed.fn.cleanupJob, installed.gone.cleanupJob]) expect(await getObject('job', ns, job ?? 'none')).toBeDefined();
    // The setup is what upstream leaves: its map in etcd, which the apiserver, pruning by this
    // project's schema, serves as an empty object where a list belongs.
    const stored = (await readStored('compute.functionmesh.io', 'functions', ns, 'fn')) as { status?: { conditions?: Record<string, { condition: string }> } };
    expect(stored.status?.conditions?.StatefulSet?.condition).toBe('StatefulSetReady');
    expect((await getObject('function', ns, 'fn'))?.status?.conditions).toEqual({});
    controller = await startController(ns);
  }, 120_000);

  afterAll(async () => {
    await controller?.stop();
    // Nothing may keep the namespace from going: release what a failed test left.
    const left = await kubectl(['-n', ns, 'get', 'functions,sources', '-o', 'name']);
    for (const obj of left.stdout.split('\n').filter(Boolean)) await kubectl(['-n', ns, 'patch', obj, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await deleteNamespace(ns);
  });

  it('keeps the old StatefulSet and its pod, untouched, while no new pod is available; the map status and finalizer become ours', async () => {
    let early: string | undefined;
    const fn = await waitFor(
      'fn reports the takeover',
      async () => {
        await trackOldPod();
        if (!(await getObject('statefulset', ns, installed.fn!.statefulSet))) early = 'the old StatefulSet was deleted while no new pod was available';
        const obj = await getObject('function', ns, 'fn');
        return Array.isArray(obj?.status?.conditions) && condition(obj, 'Takeover')?.reason === 'WaitingForNewPod' ? obj : undefined;
      },
      { failIf: () => early },
    );
    expect(condition(fn, 'Takeover')?.message).toContain(`StatefulSet ${installed.fn!.statefulSet} and Service ${installed.fn!.service} keep running`);
    expect(fn.metadata.finalizers).toEqual([SUBSCRIPTION_FINALIZER]);
    const deployment = await kubectlJson<{ status: { availableReplicas?: number } }>(['-n', ns, 'get', 'deployment', 'fn-function']);
    expect(deployment.status.availableReplicas ?? 0).toBe(0);
    // A few more reconciles (status writes requeue nothing, so nudge with a no-op label change).
    await kubectlOk(['-n', ns, 'label', 'function', 'fn', 'nudge=1']);
    await new Promise((r) => setTimeout(r, 3000));
    const sts = await getObject('statefulset', ns, installed.fn!.statefulSet);
    expect(sts?.metadata.generation).toBe(1); // its template was never changed: no rolling restart
    expect(await getObject('service', ns, installed.fn!.service)).toBeDefined();
    expect((await trackOldPod())?.metadata.deletionTimestamp).toBeUndefined();
    expect(oldPodUids.size).toBe(1);
  });

  it("deletes Function Mesh's cleanup Jobs (and their pods) once, with an event, and leaves a user's Job of that name", async () => {
    const jobs = [installed.fn!.cleanupJob!, installed.gone!.cleanupJob!];
    await waitFor("Function Mesh's cleanup Jobs and their pods gone", async () => {
      const left = await kubectlJson<{ items: unknown[] }>(['-n', ns, 'get', 'jobs,pods', '-l', `job-name in (${jobs.join(',')})`]);
      return (await Promise.all(jobs.map((j) => getObject('job', ns, j)))).every((j) => j === undefined) && left.items.length === 0;
    });
    for (const name of ['fn', 'gone']) {
      // Recorded with the status, after the reconcile (for gone: after its subscription cleanup).
      const deleted = await waitFor(`the CleanupJobDeleted event of ${name}`, async () => {
        const found = (await events(name)).filter((e) => e.reason === 'CleanupJobDeleted');
        return found.length ? found : undefined;
      });
      expect(deleted).toEqual([expect.objectContaining({ count: 1, message: expect.stringContaining(`cleanup Job ${name}-function-cleanup`) })]);
    }
    // src's finalizer was Function Mesh's, and is gone, so it was looked at: the Job is not src's.
    await waitFor("src without Function Mesh's finalizer", async () => !(await getObject('source', ns, 'src'))?.metadata.finalizers?.length);
    expect(await getObject('job', ns, 'src-source-cleanup')).toBeDefined();
    expect((await events('src')).map((e) => e.reason)).not.toContain('CleanupJobDeleted');
  });

  it('once a new pod is available, deletes the StatefulSet and Service; the old pod was replaced once, and the PDB selects the new pods', async () => {
    await kubectlOk(['-n', ns, 'patch', 'function', 'fn', '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/pod/nodeSelector' }])]);
    await waitFor(
      'the old StatefulSet and Service gone',
      async () => {
        await trackOldPod();
        return !(await getObject('statefulset', ns, installed.fn!.statefulSet)) && !(await getObject('service', ns, installed.fn!.service));
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(oldPodUids.size).toBe(1);
    const fn = await waitForReady('function', ns, 'fn');
    expect(condition(fn, 'Takeover')).toBeUndefined();
    expect((await events('fn')).map((e) => e.reason)).toContain('TakenOver');
    // The new pods carry Function Mesh's whole label set: its selectors find them.
    const selector = Object.entries(upstreamLabels('Function', 'fn', ns)).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = await kubectlJson<{ items: { metadata: { name: string; ownerReferences?: { kind: string }[] } }[] }>(['-n', ns, 'get', 'pods', '-l', selector]);
    expect(pods.items.some((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')).toBe(true);
    await waitFor('the PDB counting a healthy new pod', async () => {
      const pdb = await kubectlJson<{ status?: { currentHealthy?: number; expectedPods?: number } }>(['-n', ns, 'get', 'pdb', 'fn-pdb']);
      return (pdb.status?.currentHealthy ?? 0) >= 1 && !(await getObject('pod', ns, `${installed.fn!.statefulSet}-0`)) ? pdb : undefined;
    });
  });

  it('a Source: taken over as soon as its Deployment is available, labelled as upstream labels a Source', async () => {
    await waitFor('the Source StatefulSet gone', async () => !(await getObject('statefulset', ns, installed.src!.statefulSet)) && !(await getObject('service', ns, installed.src!.service)), { timeoutMs: 90_000 });
    const src = await waitForReady('source', ns, 'src');
    expect(Array.isArray(src.status?.conditions)).toBe(true);
    const deployment = await kubectlJson<{ spec: { template: { metadata: { labels: Record<string, string> } } } }>(['-n', ns, 'get', 'deployment', 'src-source']);
    expect(deployment.spec.template.metadata.labels).toMatchObject(upstreamLabels('Source', 'src', ns));
    expect(deployment.spec.template.metadata.labels['compute.functionmesh.io/app']).toBeUndefined();
  });

  it("rendered as a StatefulSet: upstream's is replaced in place, its pod adopted by ours and rolled once", async () => {
    const { statefulSet, statefulSetUid } = installed.stateful!;
    type Sts = LiveObject & { metadata: { annotations?: Record<string, string> }; status?: { updateRevision?: string; readyReplicas?: number } };
    const sts = await waitFor(
      "this controller's StatefulSet with the pod rolled to its revision",
      async () => {
        const pod = (await getObject('pod', ns, `${statefulSet}-0`)) as (LiveObject & { metadata: { labels?: Record<string, string> } }) | undefined;
        const live = (await getObject('statefulset', ns, statefulSet)) as Sts | undefined;
        // Ours: a new object, marked as applied by this controller.
        if (!live || live.metadata.uid === statefulSetUid || live.metadata.annotations?.['compute.functionmesh.io/applies-replicas'] === undefined) return undefined;
        return pod?.metadata.labels?.['controller-revision-hash'] === live.status?.updateRevision && live.status?.readyReplicas === 1 ? live : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(sts.metadata.ownerReferences?.[0]?.uid).toBe(installed.stateful!.uid);
    // The StatefulSet controller records each pod it deletes: the old pod went once (to be rolled), never again.
    const deletes = (await events(statefulSet)).filter((e) => e.reason === 'SuccessfulDelete');
    expect(deletes.map((e) => e.message)).toEqual([expect.stringContaining(`Delete Pod ${statefulSet}-0`)]);
    const fn = await waitForReady('function', ns, 'stateful');
    expect(condition(fn, 'Takeover')).toBeUndefined();
  });

  it('a FunctionMesh: its member is taken over, and the mesh reads the member\'s status whatever its shape', async () => {
    await waitFor('the member StatefulSet gone', async () => !(await getObject('statefulset', ns, installed['mesh-m1']!.statefulSet)), { timeoutMs: 90_000 });
    await waitForReady('function', ns, 'mesh-m1');
    const mesh = await waitForReady('functionmesh', ns, 'mesh');
    expect(mesh.status?.children).toEqual([expect.objectContaining({ name: 'm1', ready: true })]);
  });

  it('managed: "false": nothing of it is touched', async () => {
    await waitForReady('function', ns, 'fn');
    const obj = await getObject('function', ns, 'hands-off');
    expect(Array.isArray(obj?.status?.conditions)).toBe(false);
    expect(await getObject('deployment', ns, 'hands-off-function')).toBeUndefined();
    expect(await getObject('statefulset', ns, installed['hands-off']!.statefulSet)).toBeDefined();
  });

  it("a Function deleted while only Function Mesh's finalizer held it: its subscription is cleaned up and it goes", async () => {
    await waitFor('gone deleted', async () => (await getObject('function', ns, 'gone')) === undefined || undefined, { timeoutMs: 60_000 });
    // A topic left without subscriptions may be deleted by the broker meanwhile: no list then.
    expect((await admin.listSubscriptions(parseTopicName(input.gone))) ?? []).not.toContain(subscription('gone'));
  });

  it('deleting a taken-over Function cleans up its subscription and is never stuck', async () => {
    expect(await admin.listSubscriptions(parseTopicName(input.fn))).toContain(subscription('fn'));
    await kubectlOk(['-n', ns, 'delete', 'function', 'fn', '--wait=false']);
    await waitFor('fn deleted', async () => (await getObject('function', ns, 'fn')) === undefined || undefined, { timeoutMs: 60_000 });
    expect((await admin.listSubscriptions(parseTopicName(input.fn))) ?? []).not.toContain(subscription('fn'));
  });
});
