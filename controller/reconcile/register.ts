// Wires the reconcilers into a Manager: one controller per kind (Function, Source, Sink share
// one reconciler parameterized by kind; FunctionMesh has its own), the children each owns, and
// the ConfigMap watch that wakes every resource naming a ConfigMap when it appears or changes.
import type { Logger } from '../../process/logger.js';
import type { WorkloadKind } from '../api/index.js';
import type { RenderSettings } from '../render/context.js';
import { keyOf, type Controller, type KubeClient, type KubeObject, type Manager, type ResourceRef } from '../runtime/index.js';
import type { ChildCaches } from './child-sync.js';
import { EventRecorder } from './events.js';
import type { ConfigMapObject } from './inputs.js';
import { CONFIG_MAPS, FUNCTION_MESHES, WORKLOAD_KINDS, childKinds } from './kinds.js';
import { MeshReconciler } from './mesh-reconciler.js';
import { SubscriptionCleaner, type CleanupPolicy } from './subscription-cleanup.js';
import { WorkloadReconciler, type RenderChildren } from './workload-reconciler.js';

export interface ReconcilerOptions {
  client: KubeClient;
  log: Logger;
  render: RenderChildren;
  settings: RenderSettings;
  /** The optional child kinds the cluster serves (KEDA's ScaledObject, VPA): only these are watched. */
  servedOptionalKinds: readonly ResourceRef[];
  /** Concurrent reconciles per kind. */
  workers: number;
  /** Names this process in Events (e.g. the pod name). */
  instance: string;
  cleanupPolicy?: CleanupPolicy;
  /** When to look again at unwatched state (missing Secrets, foreign objects in a child's place). */
  recheckMs?: number;
}

export const PULSAR_CONFIG_INDEX = 'pulsarConfig';

/** `namespace/configMapName` of the ConfigMap a resource names in spec.pulsar.pulsarConfig. */
export function pulsarConfigKey(obj: KubeObject): string[] {
  const name = (obj as { spec?: { pulsar?: { pulsarConfig?: string } } }).spec?.pulsar?.pulsarConfig;
  return name ? [keyOf(obj.metadata.namespace, name)] : [];
}

export interface Reconcilers {
  controllers: Controller[];
}

export function registerReconcilers(manager: Manager, opts: ReconcilerOptions): Reconcilers {
  const events = new EventRecorder(opts.client, 'functionmesh-controller', opts.instance, opts.log);
  const cleaner = new SubscriptionCleaner(opts.cleanupPolicy);
  const configMaps = manager.informers.informer<ConfigMapObject>(CONFIG_MAPS);
  const controllers: Controller[] = [];
  const kinds = childKinds(opts.servedOptionalKinds);

  for (const [kind, ref] of Object.entries(WORKLOAD_KINDS) as [WorkloadKind, ResourceRef][]) {
    const holder: { controller?: Controller } = {};
    const caches = childCaches(manager, kinds, holder);
    const reconciler = new WorkloadReconciler(kind, ref, manager.informers.informer(ref).store, caches, {
      client: opts.client,
      render: opts.render,
      settings: opts.settings,
      events,
      cleaner,
      configMaps: configMaps.store,
      recheckMs: opts.recheckMs,
    });
    const controller = (holder.controller = manager.add({ name: kind.toLowerCase(), primary: ref, owns: kinds, reconcile: reconciler.reconcile, workers: opts.workers }));
    controllers.push(controller);
    const store = controller.primary.store;
    if (!store.hasIndex(PULSAR_CONFIG_INDEX)) store.addIndex(PULSAR_CONFIG_INDEX, pulsarConfigKey);
    const wake = controller;
    const enqueueUsers = (cm: KubeObject) => store.byIndex(PULSAR_CONFIG_INDEX, keyOf(cm.metadata.namespace, cm.metadata.name ?? '')).forEach((obj) => wake.enqueue(keyOf(obj.metadata.namespace, obj.metadata.name ?? '')));
    configMaps.addHandler({ add: enqueueUsers, update: (_old, cm) => enqueueUsers(cm), delete: enqueueUsers });
  }

  const meshHolder: { controller?: Controller } = {};
  const meshKinds = Object.values(WORKLOAD_KINDS);
  const mesh = new MeshReconciler(manager.informers.informer(FUNCTION_MESHES).store, childCaches(manager, meshKinds, meshHolder), {
    client: opts.client,
    events,
    render: opts.render,
    settings: opts.settings,
  });
  meshHolder.controller = manager.add({ name: 'functionmesh', primary: FUNCTION_MESHES, owns: meshKinds, reconcile: mesh.reconcile, workers: opts.workers });
  controllers.push(meshHolder.controller);
  return { controllers };
}

// The controller is created after its reconciler (Manager.add takes the reconcile function).
function childCaches(manager: Manager, kinds: ResourceRef[], holder: { controller?: Controller }): ChildCaches {
  return {
    kinds,
    store: (ref) => manager.informers.informer(ref).store,
    ownedBy: (ref, key) => holder.controller?.ownedBy(ref, key) ?? [],
  };
}
