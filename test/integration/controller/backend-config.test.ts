// BackendConfig on the real apiserver: a global and a namespaced object shape the Deployment of a
// Function; with autoUpdate a change to either is re-rendered at once and the status records the
// resourceVersion applied; without it the change waits for the Function's next reconcile; deleting
// one takes its settings back out. BackendConfigs in upstream's shape apply unchanged.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { getObject, spawnController, startController, type ControllerProcess, type LiveObject, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap, type Json } from './manifests.js';

let ns = '';
let controller: RunningController | undefined;
let process_: ControllerProcess | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  if (process_ && process_.child.exitCode === null) {
    process_.child.kill('SIGTERM');
    await process_.exited;
  }
  process_ = undefined;
  if (ns) await deleteNamespace(ns);
});

const backendConfig = (name: string, spec: Json): Json => ({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'BackendConfig', metadata: { name }, spec });

interface Container { name: string; env?: { name: string; value?: string }[]; livenessProbe?: { periodSeconds?: number } }
interface PodTemplate { metadata: { labels?: Record<string, string> }; spec: { containers: Container[]; tolerations?: Json[]; nodeSelector?: Record<string, string>; serviceAccountName?: string } }
const template = (d: LiveObject | undefined) => d?.spec?.template as PodTemplate | undefined;
const mainEnv = (d: LiveObject | undefined) => template(d)?.spec.containers.find((c) => c.name === 'pulsar-function')?.env ?? [];
const envValue = (d: LiveObject | undefined, name: string) => mainEnv(d).find((e) => e.name === name)?.value;

interface WithRevisions { status?: { globalBackendConfigRevision?: string; namespacedBackendConfigRevision?: string } }
const revisions = async (name: string) => ((await getObject('function', ns, name)) as WithRevisions | undefined)?.status ?? {};
const resourceVersion = async (name: string) => (await kubectlJson<{ metadata: { resourceVersion: string } }>(['-n', ns, 'get', 'backendconfig', name])).metadata.resourceVersion;

async function waitForDeployment(name: string, what: string, ok: (d: LiveObject) => boolean): Promise<LiveObject> {
  return waitFor(what, async () => {
    const d = await getObject('deployment', ns, name);
    return d && ok(d) ? d : undefined;
  }, { timeoutMs: 30_000, intervalMs: 300 });
}

const apply = (...items: Json[]) => kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(...items) });

describe('BackendConfig', () => {
  it('shapes the Deployment, follows autoUpdate changes and records the applied revisions', async () => {
    ns = await createTestNamespace('ctl-backend');
    // Both in the test namespace: the in-process controller watches only it.
    controller = await startController(ns, { backendConfigs: { global: { namespace: ns, name: 'global-backend-config' }, namespacedName: 'backend-config' } });
    const global = backendConfig('global-backend-config', {
      autoUpdate: true,
      env: { FROM_GLOBAL: 'g', SHARED: 'global', OWN: 'global' },
      pod: { labels: { layer: 'global', team: 'global' }, tolerations: [{ key: 'pool', operator: 'Exists', effect: 'NoSchedule' }], liveness: { periodSeconds: 30 } },
    });
    const namespaced = backendConfig('backend-config', {
      autoUpdate: true,
      env: { SHARED: 'namespaced' },
      pod: { labels: { team: 'namespaced' }, nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'team', operator: 'Equal', value: 'a', effect: 'NoSchedule' }] },
    });
    await apply(pulsarConfigMap(), global, namespaced);
    await apply(javaFunction('bc', { pod: { labels: { team: 'own' }, env: [{ name: 'OWN', value: 'own' }] } }));

    const first = await waitForDeployment('bc-function', 'the Deployment with the BackendConfigs', (d) => envValue(d, 'FROM_GLOBAL') === 'g');
    expect(mainEnv(first).slice(0, 2)).toEqual([
      { name: 'FROM_GLOBAL', value: 'g' },
      { name: 'SHARED', value: 'namespaced' },
    ]);
    expect(mainEnv(first).filter((e) => e.name === 'OWN')).toEqual([{ name: 'OWN', value: 'own' }]);
    expect(template(first)?.metadata.labels).toEqual(expect.objectContaining({ layer: 'global', team: 'own' }));
    expect(template(first)?.spec.nodeSelector).toEqual({ disk: 'ssd' });
    expect(template(first)?.spec.tolerations).toEqual([
      { key: 'pool', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'team', operator: 'Equal', value: 'a', effect: 'NoSchedule' },
    ]);
    expect(template(first)?.spec.containers[0]?.livenessProbe?.periodSeconds).toBe(30);
    await waitFor('the revisions in status', async () => {
      const s = await revisions('bc');
      return s.globalBackendConfigRevision === (await resourceVersion('global-backend-config')) && s.namespacedBackendConfigRevision === (await resourceVersion('backend-config')) ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300 });

    // autoUpdate: the change alone re-renders, and the status follows the new revision.
    await kubectlOk(['-n', ns, 'patch', 'backendconfig', 'backend-config', '--type=merge', '-p', JSON.stringify({ spec: { env: { SHARED: 'changed' } } })]);
    await waitForDeployment('bc-function', 'the Deployment re-rendered', (d) => envValue(d, 'SHARED') === 'changed');
    const changed = await resourceVersion('backend-config');
    await waitFor('the new namespaced revision in status', async () => ((await revisions('bc')).namespacedBackendConfigRevision === changed) || undefined, { timeoutMs: 30_000, intervalMs: 300 });

    // Without autoUpdate a change waits: turn it off (that update still wakes them), change, and
    // see the Deployment keep the old value until the Function itself is reconciled.
    await kubectlOk(['-n', ns, 'patch', 'backendconfig', 'global-backend-config', '--type=merge', '-p', JSON.stringify({ spec: { autoUpdate: false } })]);
    const off = await resourceVersion('global-backend-config');
    await waitFor('the autoUpdate=false revision in status', async () => ((await revisions('bc')).globalBackendConfigRevision === off) || undefined, { timeoutMs: 30_000, intervalMs: 300 });
    await kubectlOk(['-n', ns, 'patch', 'backendconfig', 'global-backend-config', '--type=merge', '-p', JSON.stringify({ spec: { env: { FROM_GLOBAL: 'g2' } } })]);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(envValue(await getObject('deployment', ns, 'bc-function'), 'FROM_GLOBAL')).toBe('g');
    expect((await revisions('bc')).globalBackendConfigRevision).toBe(off);
    await kubectlOk(['-n', ns, 'label', 'function', 'bc', 'touched=1']);
    await waitForDeployment('bc-function', 'the Deployment at the next reconcile', (d) => envValue(d, 'FROM_GLOBAL') === 'g2');

    // Deleting the namespaced object (autoUpdate) takes its settings and its revision out.
    await kubectlOk(['-n', ns, 'delete', 'backendconfig', 'backend-config']);
    const without = await waitForDeployment('bc-function', 'the Deployment without the namespaced BackendConfig', (d) => envValue(d, 'SHARED') === 'global');
    expect(template(without)?.spec.nodeSelector).toBeUndefined();
    await waitFor('no namespaced revision in status', async () => ((await revisions('bc')).namespacedBackendConfigRevision === undefined) || undefined, { timeoutMs: 30_000, intervalMs: 300 });
  }, 240_000);

  it('is read by the controller process under the names its flags give', async () => {
    ns = await createTestNamespace('ctl-backend-flags');
    process_ = await spawnController(['--leader-elect=false', `--watch-namespace=${ns}`, '--global-backend-config=cluster-defaults', `--global-backend-config-namespace=${ns}`, '--namespaced-backend-config=none']);
    await apply(
      pulsarConfigMap(),
      backendConfig('cluster-defaults', { env: { FROM_GLOBAL: 'flagged' } }),
      // Turned off by the flag: never applied.
      backendConfig('backend-config', { env: { FROM_NAMESPACE: 'off' } }),
      javaFunction('flags'),
    );
    const d = await waitForDeployment('flags-function', 'the Deployment with the flagged global BackendConfig', (x) => envValue(x, 'FROM_GLOBAL') === 'flagged');
    expect(envValue(d, 'FROM_NAMESPACE')).toBeUndefined();
  }, 120_000);

  it("accepts BackendConfigs in upstream's shape unchanged", async () => {
    ns = await createTestNamespace('ctl-backend-up');
    const docs = upstreamBackendConfigs();
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      // The rest goes to the apiserver as written.
      delete (doc.metadata as Json).namespace;
      await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify(doc) });
      const stored = await kubectlJson<{ spec: Json }>(['-n', ns, 'get', 'backendconfig', (doc.metadata as { name: string }).name]);
      // Nothing pruned: what was sent is what is stored.
      expect(stored.spec).toEqual(doc.spec);
    }
  }, 60_000);
});

/**
 * BackendConfigs in the shape Function Mesh's own manifests (its CI clusters, integration cases and
 * samples) use, written here field kind by field kind: a global one with env and pod policy
 * (liveness, labels, tolerations, affinity), one without env, and a namespaced `backend-config`;
 * plus the other pod policy fields its BackendConfigSpec accepts, so that none is pruned.
 */
function upstreamBackendConfigs(): Json[] {
  const nodeAffinity = (disk: string) => ({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: [disk] }] } }] } });
  const toleration = (seconds: number) => ({ key: 'disktype', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  return [
    backendConfig('global-backend-config', {
      autoUpdate: true,
      env: { global1: 'globalvalue1', shared1: 'fromglobal' },
      pod: { liveness: { initialDelaySeconds: 10, periodSeconds: 30 }, labels: { from: 'global-backendconfig' }, tolerations: [toleration(600)], affinity: nodeAffinity('hdd') },
    }),
    backendConfig('global-backend-config-without-env', { autoUpdate: true, pod: { liveness: { initialDelaySeconds: 10, periodSeconds: 30 } } }),
    backendConfig('backend-config', {
      name: 'backend-config',
      autoUpdate: true,
      env: { namespaced1: 'namespacedvalue1', shared1: 'fromnamespace', podenv: 'backendconfigvalue' },
      pod: {
        liveness: { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, successThreshold: 1 },
        labels: { from: 'namespace-backendconfig' },
        annotations: { team: 'a' },
        nodeSelector: { disktype: 'ssd' },
        tolerations: [toleration(300)],
        affinity: nodeAffinity('ssd'),
        imagePullSecrets: [{ name: 'regcred' }],
        securityContext: { runAsUser: 1000, runAsNonRoot: true },
        terminationGracePeriodSeconds: 45,
        serviceAccountName: 'functions',
      },
    }),
  ];
}
