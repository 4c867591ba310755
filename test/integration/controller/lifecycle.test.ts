// A Function's life under the controller: updates land in place (and a replica change restarts
// no pod), switching between fixed replicas, KEDA and an HPA creates and prunes the autoscalers
// while handing spec.replicas over, deletes garbage-collect the children, and a missing
// ConfigMap is reported until it appears.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { condition, getObject, runningPods, startController, waitForReady, type LiveObject, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap, type Json } from './manifests.js';

let ns: string;
let controller: RunningController;
beforeEach(async () => {
  ns = await createTestNamespace('ctl-life');
  controller = await startController(ns, { recheckMs: 1000 });
});
afterEach(async () => {
  await controller.stop();
  await deleteNamespace(ns);
});

const apply = (...items: Json[]) => kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(...items) });
const deployment = (name: string) => getObject('deployment', ns, `${name}-function`);
interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string }[];
  args?: string[];
  command?: string[];
}
const mainContainer = (d: LiveObject | undefined) =>
  ((d?.spec?.template as { spec: { containers: Container[] } } | undefined)?.spec.containers ?? []).find((c) => c.name === 'pulsar-function');
const appliedFields = (d: LiveObject | undefined) =>
  JSON.stringify(d?.metadata.managedFields?.find((m) => m.manager === 'functionmesh-controller' && m.operation === 'Apply' && !m.subresource)?.fieldsV1 ?? {});

describe('Function lifecycle', () => {
  it('renders the default anti-affinity into the live Deployment, and removes it with pod.disableDefaultAffinity', async () => {
    await apply(pulsarConfigMap(), javaFunction('spread', { replicas: 2 }));
    await waitForReady('function', ns, 'spread');
    const affinity = async () => ((await deployment('spread'))?.spec?.template as { spec: { affinity?: unknown } } | undefined)?.spec.affinity;
    expect(await affinity()).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { 'compute.functionmesh.io/component': 'function', 'compute.functionmesh.io/name': 'spread' } }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    });
    // Server-side apply drops what the controller no longer applies.
    await kubectlOk(['-n', ns, 'patch', 'function', 'spread', '--type=merge', '-p', '{"spec":{"pod":{"disableDefaultAffinity":true}}}']);
    await waitFor('the affinity removed', async () => (await affinity()) === undefined || undefined);
  });

  it('updates image, env, topics and replicas in place; a replica change restarts no pod', async () => {
    await apply(pulsarConfigMap(), javaFunction('fn'));
    const ready = await waitForReady('function', ns, 'fn');
    const selector = ready.status!.selector!;
    const first = await waitFor('one running pod', async () => ((await runningPods(ns, selector)).length === 1 ? runningPods(ns, selector) : undefined));

    await kubectlOk(['-n', ns, 'patch', 'function', 'fn', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
    const three = await waitFor('3 running pods', async () => ((await runningPods(ns, selector)).length === 3 ? runningPods(ns, selector) : undefined));
    expect(three).toEqual(expect.arrayContaining(first));
    const rs = await kubectlJson<{ items: unknown[] }>(['-n', ns, 'get', 'replicasets', '-l', selector]);
    expect(rs.items).toHaveLength(1);

    // The scale subresource: kubectl scale on the Function reaches the Deployment and status.
    await kubectlOk(['-n', ns, 'scale', 'function', 'fn', '--replicas=2']);
    await waitFor('replicas 2 in status', async () => (await getObject('function', ns, 'fn'))?.status?.replicas === 2 || undefined);
    expect((await deployment('fn'))?.spec?.replicas).toBe(2);
    // Scaling down removes a pod (the ReplicaSet picks which) and starts none.
    const two = await waitFor('2 running pods', async () => ((await runningPods(ns, selector)).length === 2 ? runningPods(ns, selector) : undefined));
    expect(three).toEqual(expect.arrayContaining(two));

    const newTopic = `persistent://public/default/fn-in-${Date.now()}`;
    await kubectlOk(['-n', ns, 'patch', 'function', 'fn', '--type=merge', '-p', JSON.stringify({
      spec: { image: 'apachepulsar/pulsar-functions-java-sample:4.0.9', input: { topics: [newTopic] }, pod: { env: [{ name: 'GREETING', value: 'hello' }] } },
    })]);
    const updated = await waitFor('Deployment updated', async () => {
      const c = mainContainer(await deployment('fn'));
      return c?.image === 'apachepulsar/pulsar-functions-java-sample:4.0.9' ? c : undefined;
    });
    expect(updated.env).toEqual(expect.arrayContaining([{ name: 'GREETING', value: 'hello' }]));
    expect(JSON.stringify([...(updated.command ?? []), ...(updated.args ?? [])])).toContain(newTopic.split('/').pop());
    const after = await waitForReady('function', ns, 'fn');
    expect(after.status?.observedGeneration).toBe(after.metadata.generation);
    expect(condition(after, 'ChildrenApplied')?.status).toBe('True');
  });

  it('switches fixed replicas → KEDA → HPA → fixed, pruning autoscalers and handing spec.replicas over', async () => {
    await apply(pulsarConfigMap(), javaFunction('auto', { replicas: 2 }));
    await waitForReady('function', ns, 'auto');
    expect(appliedFields(await deployment('auto'))).toContain('f:replicas');

    await apply(javaFunction('auto', { replicas: 2, maxReplicas: 4 }));
    const so = await waitFor('ScaledObject', () => getObject('scaledobject', ns, 'auto-function'));
    expect(so.spec).toEqual(expect.objectContaining({ minReplicaCount: 2, maxReplicaCount: 4 }));
    await waitFor('replicas released by the controller', async () => !appliedFields(await deployment('auto')).includes('f:replicas') || undefined);
    // The handover kept the running count: no drop to the default of 1.
    expect((await deployment('auto'))?.spec?.replicas).toBe(2);

    await apply(javaFunction('auto', { replicas: 2, maxReplicas: 4, pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent80'] } }));
    await waitFor('HPA created', () => getObject('hpa', ns, 'auto-function'));
    await waitFor('ScaledObject pruned', async () => (await getObject('scaledobject', ns, 'auto-function')) === undefined || undefined);

    await apply(javaFunction('auto', { replicas: 3 }));
    await waitFor('HPA pruned', async () => (await getObject('hpa', ns, 'auto-function')) === undefined || undefined);
    await waitFor('fixed replicas 3', async () => (await deployment('auto'))?.spec?.replicas === 3 || undefined);
    expect(appliedFields(await deployment('auto'))).toContain('f:replicas');
    await waitForReady('function', ns, 'auto');
  });

  it('deleting a Function garbage-collects its children', async () => {
    await apply(pulsarConfigMap(), javaFunction('gone', { maxReplicas: 3 }));
    await waitForReady('function', ns, 'gone');
    for (const kind of ['deployment', 'service', 'scaledobject']) expect(await getObject(kind, ns, 'gone-function')).toBeDefined();
    await kubectlOk(['-n', ns, 'delete', 'function', 'gone', '--wait=true']);
    await waitFor('children collected', async () => {
      for (const kind of ['deployment', 'service', 'scaledobject']) if (await getObject(kind, ns, 'gone-function')) return undefined;
      return true;
    }, { timeoutMs: 60_000 });
  });

  it('reports a missing ConfigMap clearly and recovers when it appears', async () => {
    await apply(javaFunction('late'));
    const waiting = await waitForReady('function', ns, 'late', 'False');
    expect(condition(waiting, 'PulsarConfigResolved')).toEqual(expect.objectContaining({
      status: 'False',
      reason: 'ConfigMapNotFound',
      message: expect.stringContaining(`ConfigMap pulsar not found in namespace ${ns}`),
    }));
    expect(condition(waiting, 'Ready')?.reason).toBe('ConfigMapNotFound');
    expect(await deployment('late')).toBeUndefined();
    const events = await kubectlJson<{ items: { reason: string; type: string }[] }>(['-n', ns, 'get', 'events', '--field-selector', 'involvedObject.name=late']);
    expect(events.items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Warning', reason: 'ConfigMapNotFound' })]));

    const started = Date.now();
    await apply(pulsarConfigMap());
    const ready = await waitForReady('function', ns, 'late', 'True', 60_000); // longer than the bound: the expect judges
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(condition(ready, 'PulsarConfigResolved')?.status).toBe('True');
  });

  it('waits for a missing auth Secret, then applies', async () => {
    await apply(pulsarConfigMap(), javaFunction('authed', { pulsar: { pulsarConfig: 'pulsar', authSecret: 'pulsar-auth' } }));
    const waiting = await waitForReady('function', ns, 'authed', 'False');
    expect(condition(waiting, 'PulsarConfigResolved')).toEqual(expect.objectContaining({
      reason: 'SecretNotFound',
      message: `Secret pulsar-auth (spec.pulsar.authSecret) not found in namespace ${ns}: create it`,
    }));
    await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'pulsar-auth', '--from-literal=clientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken', '--from-literal=clientAuthenticationParameters=token:x']);
    await waitForReady('function', ns, 'authed', 'True', 30_000);
  });

  it('does not take over an object of a child\'s name that it does not own', async () => {
    await kubectlOk(['-n', ns, 'create', 'service', 'clusterip', 'taken-function', '--tcp=80:80']);
    await apply(pulsarConfigMap(), javaFunction('taken'));
    const refused = await waitForReady('function', ns, 'taken', 'False');
    expect(condition(refused, 'ChildrenApplied')).toEqual(expect.objectContaining({
      reason: 'ChildConflict',
      message: 'Service taken-function already exists and is owned by no controller, not Function taken: delete or rename it',
    }));
    expect(await deployment('taken')).toBeUndefined();
    await kubectlOk(['-n', ns, 'delete', 'service', 'taken-function']);
    await waitForReady('function', ns, 'taken', 'True', 30_000);
  });
});
