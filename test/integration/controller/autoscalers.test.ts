// One autoscaler per workload, on the real platform: switching between KEDA and the HPA with the
// compute.functionmesh.io/autoscaler annotation never leaves both on the Deployment. And on an
// apiserver that serves neither KEDA nor the VPA (our own, with only our CRDs), the controller
// falls back to upstream's CPU HPA (minReplicas 0 → 1, said in a condition and an Event) and
// applies everything else while a condition names the VPA it could not create; KEDA installed
// later is picked up without a restart and replaces that HPA.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectl, kubectlOk } from '../../support/kubectl.js';
import { startOwnApiserver } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { condition, spawnController, startController, type ControllerProcess, type LiveObject, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap } from './manifests.js';

const ANNOTATION = 'compute.functionmesh.io/autoscaler';

describe('switching autoscalers on the shared platform', () => {
  let ns: string;
  let controller: RunningController;
  beforeEach(async () => {
    ns = await createTestNamespace('ctl-autoscaler');
    controller = await startController(ns, { recheckMs: 1000 });
  });
  afterEach(async () => {
    await controller.stop();
    await deleteNamespace(ns);
  });

  it('keda → hpa → keda: each autoscaler appears only once the other is gone', async () => {
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap(), javaFunction('sw', { replicas: 1, maxReplicas: 3 })) });
    const present = async () => {
      const [so, hpa] = await Promise.all([kubectl(['-n', ns, 'get', 'scaledobject', 'sw-function', '-o', 'name']), kubectl(['-n', ns, 'get', 'hpa', '-o', 'name'])]);
      // KEDA's own HPA (keda-hpa-*) belongs to the ScaledObject: count it with it.
      const hpas = hpa.stdout.split('\n').filter(Boolean);
      return { so: so.code === 0, ours: hpas.includes('horizontalpodautoscaler.autoscaling/sw-function'), keda: hpas.some((h) => h.includes('keda-hpa-')) };
    };
    await waitFor('the ScaledObject', async () => (await present()).so || undefined);

    const watchBoth = async (until: (p: Awaited<ReturnType<typeof present>>) => boolean) => {
      const seen: string[] = [];
      await waitFor('the switch', async () => {
        const p = await present();
        if (p.ours && (p.so || p.keda)) seen.push(JSON.stringify(p));
        return until(p) || undefined;
      }, { timeoutMs: 60_000, intervalMs: 100 });
      return seen;
    };
    await kubectlOk(['-n', ns, 'annotate', 'function', 'sw', `${ANNOTATION}=hpa`]);
    expect(await watchBoth((p) => p.ours && !p.so && !p.keda)).toEqual([]);
    await kubectlOk(['-n', ns, 'annotate', 'function', 'sw', `${ANNOTATION}-`]);
    expect(await watchBoth((p) => p.so && !p.ours)).toEqual([]);
  }, 180_000);
});

describe('an apiserver that serves neither KEDA nor the VPA', () => {
  let own: Awaited<ReturnType<typeof startOwnApiserver>>;
  let controller: ControllerProcess | undefined;
  const ownKubectl = (args: string[], input?: string) => own.kubectl(args, input);
  const get = async (kind: string, name: string): Promise<LiveObject | undefined> => {
    try {
      return JSON.parse(await ownKubectl(['-n', 'default', 'get', kind, name, '-o', 'json'])) as LiveObject;
    } catch (err) {
      if (/NotFound/.test(String(err))) return undefined;
      throw err;
    }
  };

  beforeAll(async () => {
    own = await startOwnApiserver();
    await ownKubectl(['apply', '--server-side', '-f', 'manifests/crds/']);
    await ownKubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  }, 180_000);
  afterAll(async () => {
    controller?.child.kill('SIGTERM');
    if (controller) await controller.exited;
    await own?.stop();
  }, 120_000);

  it('falls back to the CPU HPA at 1 replica, says so, and applies all but the VPA', async () => {
    const fn = javaFunction('nokeda', { replicas: undefined, minReplicas: 0, maxReplicas: 4, pod: { vpa: { updatePolicy: { updateMode: 'Auto' } } } });
    await ownKubectl(['-n', 'default', 'apply', '-f', '-'], list(pulsarConfigMap(), fn));
    controller = await spawnController(['--leader-elect=false', '--watch-namespace=default', '--discovery-interval=1'], { KUBECONFIG: own.kubeconfig });

    const hpa = await waitFor('the fallback HPA', () => get('hpa', 'nokeda-function'), { timeoutMs: 60_000, intervalMs: 300 });
    expect(hpa.spec).toEqual(expect.objectContaining({ minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] }));
    expect(await get('deployment', 'nokeda-function')).toBeDefined();
    expect(await get('service', 'nokeda-function')).toBeDefined();

    const status = await waitFor('the conditions', async () => {
      const f = await get('function', 'nokeda');
      return condition(f, 'Autoscaling') && condition(f, 'ChildrenApplied') ? f : undefined;
    });
    expect(condition(status, 'ChildrenApplied')).toEqual(expect.objectContaining({ status: 'False', reason: 'KindNotServed', message: expect.stringContaining('VerticalPodAutoscaler nokeda-function (autoscaling.k8s.io/v1: install the VPA)') }));
    expect(condition(status, 'Autoscaling')?.message).toContain('minReplicas 0 becomes 1');
    const events = JSON.parse(await ownKubectl(['-n', 'default', 'get', 'events', '--field-selector', 'involvedObject.name=nokeda', '-o', 'json'])) as { items: { reason: string; message: string }[] };
    expect(events.items).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'KedaNotServed', message: expect.stringContaining('minReplicas 0 becomes 1') })]));
    expect(controller.output()).toContain('ScaledObject is not served by this cluster');

    // KEDA installed later (its ScaledObject CRD, as the shared platform serves it): at the next
    // discovery the controller watches ScaledObjects and KEDA takes over, without a restart.
    const keda = JSON.parse(await kubectlOk(['get', 'crd', 'scaledobjects.keda.sh', '-o', 'json'])) as { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
    await ownKubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: keda.apiVersion, kind: keda.kind, metadata: { name: keda.metadata.name }, spec: keda.spec }));
    await ownKubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/scaledobjects.keda.sh']);
    // One autoscaler at a time: the HPA goes first, in the foreground. This apiserver runs no
    // garbage collector, so the test plays its part and lifts the foregroundDeletion finalizer.
    await waitFor('the HPA deleted for KEDA', async () => (await get('hpa', 'nokeda-function'))?.metadata.deletionTimestamp ?? ((await get('hpa', 'nokeda-function')) ? undefined : 'gone'), { timeoutMs: 60_000, intervalMs: 300 });
    if (await get('hpa', 'nokeda-function')) await ownKubectl(['-n', 'default', 'patch', 'hpa', 'nokeda-function', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const scaled = await waitFor('the ScaledObject', () => get('scaledobject', 'nokeda-function'), { timeoutMs: 60_000, intervalMs: 300 });
    expect(scaled.spec).toEqual(expect.objectContaining({ minReplicaCount: 0, maxReplicaCount: 4 }));
    expect(await get('hpa', 'nokeda-function')).toBeUndefined();
    await waitFor('the fallback gone from the Autoscaling condition', async () => {
      const message = condition(await get('function', 'nokeda'), 'Autoscaling')?.message;
      return message?.includes('ScaledObject') && !message.includes('minReplicas 0 becomes 1') ? message : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    expect(controller.output()).toContain('now served by this cluster');
    expect(controller.child.exitCode).toBeNull();
  }, 300_000);
});
