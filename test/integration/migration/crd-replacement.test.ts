// docs/migration.md, step 2, on a live apiserver: resources stored under Function Mesh's CRDs
// (upstream-crds.ts derives them from ours by the documented differences) with the status its
// operator writes, then `kubectl replace -f manifests/crds/` exactly as the guide says, then this
// controller. Checked: the CRDs are ours afterwards (no conversion webhook left, no unknown fields
// kept), every resource still reads with its whole spec, this controller's status writes succeed
// over the map-shaped status, and everything converges to Ready. Replacing CRDs would break the
// suites sharing the platform, so this runs on an apiserver of its own (etcd and kube-apiserver:
// no controller-manager, so the test plays its part for the Deployments' status).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import YAML from 'yaml';
import { startOwnApiserver, type OwnApiserver } from '../../support/processes.js';
import { SAMPLES_DIR } from '../../support/samples.js';
import { waitFor } from '../../support/wait.js';
import { sampleResources } from '../../unit/api/samples.js';
import { condition, spawnController, type ControllerProcess, type LiveObject } from '../controller/harness.js';
import type { Json } from '../controller/manifests.js';
import { CRD_DIR, ourCrds, upstreamShapedCrd, type Crd } from './upstream-crds.js';
import { UPSTREAM_FINALIZER, upstreamLabels } from './upstream-install.js';

type Stored = LiveObject & { extra?: unknown; spec: Json; status?: Json & { conditions?: unknown } };

let own: OwnApiserver | undefined;
let controller: ControllerProcess | undefined;

const k = (args: string[], input?: string) => own!.kubectl(args, input);
const get = async (kind: string, name: string) => JSON.parse(await k(['-n', 'default', 'get', kind, name, '-o', 'json'])) as Stored;
const items = async (kinds: string) => (JSON.parse(await k(['-n', 'default', 'get', kinds, '-o', 'json'])) as { items: Stored[] }).items;

/** The custom resources of Function Mesh's samples, as written (the namespace left to -n). */
const samples = sampleResources().map(({ kind, object }) => {
  const { namespace: _ns, ...metadata } = object.metadata as Json & { name: string };
  return { kind, name: metadata.name, object: { ...object, metadata } as unknown as Json & { spec: Json } };
});
const WORKLOAD_KINDS = ['Function', 'Source', 'Sink'];
const FN = samples.find((s) => s.kind === 'Function')!;

/** The ConfigMaps and Secrets beside the samples. */
function sampleInputs(): Json[] {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => YAML.parseAllDocuments(readFileSync(path.join(SAMPLES_DIR, f), 'utf8')).map((d) => d.toJS() as Json | null))
    .filter((d): d is Json => d?.kind === 'ConfigMap' || d?.kind === 'Secret')
    .map((d) => ({ ...d, metadata: { ...(d.metadata as Json), namespace: undefined } }));
}

/** The status Function Mesh's operator writes once its children are in place. */
function upstreamStatus(kind: string, name: string, generation: number): Json {
  const ready = (c: string) => ({ condition: c, status: 'True', action: 'NoAction' });
  if (kind === 'FunctionMesh') return { condition: ready('MeshReady'), functionConditions: { member: ready('FunctionReady') }, observedGeneration: generation };
  const selector = Object.entries(upstreamLabels(kind as 'Function', name, 'default')).map(([key, v]) => `${key}=${v}`).sort().join(',');
  return { conditions: { StatefulSet: ready('StatefulSetReady'), Service: ready('ServiceReady') }, replicas: 1, selector, observedGeneration: generation, pendingChange: '{"spec":{}}' };
}

/** kubectl wait fails on a CRD the apiserver has not given conditions yet: asked again until it can answer. */
const established = () => waitFor('the CRDs established', () => k(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']), { timeoutMs: 60_000, intervalMs: 500 });

describe("replacing Function Mesh's CRDs with this project's on a live apiserver (docs/migration.md, step 2)", () => {
  beforeAll(async () => {
    own = await startOwnApiserver();
    await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ourCrds().map(upstreamShapedCrd) }));
    await established();
    await k(['-n', 'default', 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: sampleInputs() }));
    for (const s of samples) {
      // A root field neither operator knows: upstream's CRD keeps it.
      const object = s === FN ? { ...s.object, extra: { note: 'kept by upstream' } } : s.object;
      await k(['-n', 'default', 'create', '-f', '-'], JSON.stringify(object));
      const { generation } = (await get(s.kind, s.name)).metadata;
      await k(['-n', 'default', 'patch', s.kind, s.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: upstreamStatus(s.kind, s.name, generation ?? 1) })]);
    }
    // Upstream's finalizer, as its operator adds it (here without cleanupSubscription: this controller drops it).
    await k(['-n', 'default', 'patch', 'function', FN.name, '--type=merge', '-p', JSON.stringify({ metadata: { finalizers: [UPSTREAM_FINALIZER] } })]);
  }, 180_000);

  afterAll(async () => {
    controller?.child.kill('SIGTERM');
    if (controller) await controller.exited;
    await own?.stop();
  }, 120_000);

  it("stores what Function Mesh's CRDs let its operator store", async () => {
    const fn = await get('function', FN.name);
    expect(fn.status?.conditions).toEqual(expect.objectContaining({ StatefulSet: expect.objectContaining({ condition: 'StatefulSetReady' }) }));
    expect(fn.status?.pendingChange).toBeDefined();
    expect(fn.extra).toEqual({ note: 'kept by upstream' });
    expect(fn.metadata.finalizers).toEqual([UPSTREAM_FINALIZER]);
    expect(((JSON.parse(await k(['get', 'crd', 'functions.compute.functionmesh.io', '-o', 'json'])) as Crd).spec.conversion as { strategy: string }).strategy).toBe('Webhook');
  });

  it('kubectl replace -f manifests/crds/ leaves exactly our CRDs: no conversion webhook, no unknown fields kept', async () => {
    await k(['replace', '-f', CRD_DIR]);
    await established();
    for (const ours of ourCrds()) {
      const live = JSON.parse(await k(['get', 'crd', ours.metadata.name, '-o', 'json'])) as Crd;
      expect(live.spec.conversion).toEqual({ strategy: 'None' });
      expect(live.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
      expect(live.spec.names).toMatchObject(ours.spec.names);
      expect(live.spec.versions.map((v) => v.schema.openAPIV3Schema)).toEqual(ours.spec.versions.map((v) => v.schema.openAPIV3Schema));
      expect(live.spec.versions.map((v) => v.additionalPrinterColumns)).toEqual(ours.spec.versions.map((v) => v.additionalPrinterColumns));
    }
  });

  it('every resource still reads, with its whole spec; only what neither schema of ours has is dropped', async () => {
    const listed = await items('functions,sources,sinks,functionmeshes');
    expect(listed.map((o) => o.metadata.name).sort()).toEqual(samples.map((s) => s.name).sort());
    // The printer columns read the map-shaped status without failing.
    await k(['-n', 'default', 'get', 'functions,sources,sinks,functionmeshes', '-o', 'wide']);
    for (const s of samples) {
      const obj = await get(s.kind, s.name);
      expect(obj.spec).toMatchObject(s.object.spec);
      expect(obj.status?.observedGeneration).toBe(obj.metadata.generation);
      if (WORKLOAD_KINDS.includes(s.kind)) {
        expect(obj.status).toMatchObject({ replicas: 1, selector: expect.stringContaining(`compute.functionmesh.io/name=${s.name}`) });
        // The map, under a schema that wants a list: served as no conditions yet.
        expect(obj.status?.conditions).toEqual({});
        expect(obj.status?.pendingChange).toBeUndefined();
      }
    }
    const fn = await get('function', FN.name);
    expect(fn.extra).toBeUndefined();
    expect(fn.metadata.finalizers).toEqual([UPSTREAM_FINALIZER]);
  });

  it('this controller writes their status over the map and they converge to Ready', async () => {
    controller = await spawnController(['--leader-elect=false', '--watch-namespace=default', '--discovery-interval=1'], { KUBECONFIG: own!.kubeconfig });
    for (const s of samples) {
      await waitFor(
        `${s.kind} ${s.name} with this controller's status`,
        async () => {
          const obj = await get(s.kind, s.name);
          return Array.isArray(obj.status?.conditions) && condition(obj, 'ChildrenApplied')?.status === 'True' && obj.status?.observedGeneration === obj.metadata.generation ? obj : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 300, failIf: () => (controller?.child.exitCode !== null ? controller?.output() : undefined) },
      );
    }
    expect((await get('function', FN.name)).metadata.finalizers ?? []).toEqual([]);

    // The controller-manager's part: each Deployment's pods available.
    const kinds = 'functions,sources,sinks,functionmeshes';
    const notReady = await waitFor(
      'every resource Ready',
      async () => {
        for (const d of await items('deployments')) {
          const replicas = (d.spec.replicas as number | undefined) ?? 1;
          if (d.status?.availableReplicas === replicas && d.status?.observedGeneration === d.metadata.generation) continue;
          const status = { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
          await k(['-n', 'default', 'patch', 'deployment', d.metadata.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
        }
        const waiting = (await items(kinds)).filter((o) => condition(o, 'Ready')?.status !== 'True' || o.status?.observedGeneration !== o.metadata.generation);
        return waiting.length === 0 ? waiting : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(notReady).toEqual([]);
    // A FunctionMesh's members are this controller's Functions, Ready too.
    expect((await items('functions')).length).toBeGreaterThan(samples.filter((s) => s.kind === 'Function').length);
    // Written again by this controller (finalizer, status): the specs are whole.
    for (const s of samples) expect((await get(s.kind, s.name)).spec).toMatchObject(s.object.spec);
    expect(controller.output()).not.toMatch(/"level":"error"/);
  }, 150_000);
});
