// Wires the reconcilers into a Manager: one controller per kind (Function, Source, Sink share
// one reconciler parameterized by kind; FunctionMesh has its own), the children each owns, and
// the ConfigMap watch that wakes every resource naming a ConfigMap when it appears or changes.
import type { Logger } from '../../process/logger.js';
import type { WorkloadKind } from '../api/index.js';
import type { RenderSettings } from '../render/context.js';
import { keyOf, type Controller, type InformerSet, type KubeClient, type KubeObject, type Manager, type ResourceRef } from '../runtime/index.js';
import { BackendConfigLookup, keysIn, watchBackendConfigs, type BackendConfigNames, type BackendConfigObject } from './backend-configs.js';
import type { ChildCaches } from './child-sync.js';
import { EventRecorder } from './events.js';
import type { ConfigMapObject } from './inputs.js';
import { BACKEND_CONFIGS, CONFIG_MAPS, FUNCTION_MESHES, WORKLOAD_RESOURCES, childKinds } from './kinds.js';
import { MeshReconciler } from './mesh-reconciler.js';
import { SubscriptionCleaner, type CleanupPolicy } from './subscription-cleanup.js';
import { WorkloadReconciler, type RenderChildren } from './workload-reconciler.js';

export interface ReconcilerOptions {
  client: KubeClient;
  log: Logger;
  render: RenderChildren;
  /** A function when they can change at run time (the operator config file). */
  settings: RenderSettings | (() => RenderSettings);
  /** The optional child kinds the cluster serves (KEDA's ScaledObject, VPA): only these are watched. */
  servedOptionalKinds: readonly ResourceRef[];
  /** Concurrent reconciles per kind. */
  workers: number;
  /** Names this process in Events (e.g. the pod name). */
  instance: string;
  cleanupPolicy?: CleanupPolicy;
  /** Which BackendConfigs apply; absent when the cluster does not serve the kind (none is watched). */
  backendConfigs?: BackendConfigNames | undefined;
  /** When to look again at unwatched state (missing Secrets, foreign objects in a child's place). */
  recheckMs?: number;
  /** --pause-rollout. */
  pauseRollout?: boolean;
}

export const PULSAR_CONFIG_INDEX = 'pulsarConfig';

/** `namespace/configMapName` of the ConfigMap a resource names in spec.pulsar.pulsarConfig. */
export function pulsarConfigKey(obj: KubeObject): string[] {
  const name = (obj as { spec?: { pulsar?: { pulsarConfig?: string } } }).spec?.pulsar?.pulsarConfig;
  return name ? [keyOf(obj.metadata.namespace, name)] : [];
}

export interface Reconcilers {
  controllers: Controller[];
  /** Queues every cached resource of every kind: the render settings changed. */
  requeueAll(): void;
  /** Optional child kinds the cluster now serves (KEDA installed later): watched and owned from now on. */
  serve(added: readonly ResourceRef[]): void;
}

export function registerReconcilers(manager: Manager, opts: ReconcilerOptions): Reconcilers {
  const events = new EventRecorder(opts.client, 'functionmesh-controller', opts.instance, opts.log);
  const cleaner = new SubscriptionCleaner(opts.cleanupPolicy);
  const configMaps = manager.informers.informer<ConfigMapObject>(CONFIG_MAPS);
  const controllers: Controller[] = [];
  const primaries: { controller: Controller; store: { keys(): string[] } }[] = [];
  const kinds = childKinds(opts.servedOptionalKinds);
  const backendInformer = opts.backendConfigs && manager.informers.informer<BackendConfigObject>(BACKEND_CONFIGS);
  const backendConfigs = backendInformer && new BackendConfigLookup(backendInformer.store, opts.backendConfigs!);

  for (const [kind, ref] of Object.entries(WORKLOAD_RESOURCES) as [WorkloadKind, ResourceRef][]) {
    const store = manager.informers.informer(ref).store;
    const reconciler = new WorkloadReconciler(kind, ref, store, childCaches(manager.informers, ref, kinds), {
      client: opts.client,
      render: opts.render,
      settings: opts.settings,
      events,
      cleaner,
      configMaps: configMaps.store,
      backendConfigs,
      recheckMs: opts.recheckMs,
      pauseRollout: opts.pauseRollout,
    });
    const controller = manager.add({ name: kind.toLowerCase(), primary: ref, owns: kinds, reconcile: reconciler.reconcile, workers: opts.workers });
    controllers.push(controller);
    primaries.push({ controller, store });
    if (!store.hasIndex(PULSAR_CONFIG_INDEX)) store.addIndex(PULSAR_CONFIG_INDEX, pulsarConfigKey);
    const enqueueUsers = (cm: KubeObject) => store.byIndex(PULSAR_CONFIG_INDEX, keyOf(cm.metadata.namespace, cm.metadata.name ?? '')).forEach((obj) => controller.enqueue(keyOf(obj.metadata.namespace, obj.metadata.name ?? '')));
    configMaps.addHandler({ add: enqueueUsers, update: (_old, cm) => enqueueUsers(cm), delete: enqueueUsers });
  }

  // BackendConfigs cover Functions, Sources and Sinks; a mesh's children are among them.
  const workloadPrimaries = [...primaries];
  if (backendInformer && backendConfigs) {
    watchBackendConfigs(backendInformer, backendConfigs, (namespace) => workloadPrimaries.forEach(({ controller, store }) => keysIn(store, namespace).forEach((key) => controller.enqueue(key))));
  }

  const meshKinds = Object.values(WORKLOAD_RESOURCES);
  const meshStore = manager.informers.informer(FUNCTION_MESHES).store;
  const mesh = new MeshReconciler(meshStore, childCaches(manager.informers, FUNCTION_MESHES, meshKinds), {
    client: opts.client,
    events,
    render: opts.render,
    settings: opts.settings,
  });
  const meshController = manager.add({ name: 'functionmesh', primary: FUNCTION_MESHES, owns: meshKinds, reconcile: mesh.reconcile, workers: opts.workers });
  controllers.push(meshController);
  primaries.push({ controller: meshController, store: meshStore });
  const requeueAll = () => primaries.forEach(({ controller, store }) => store.keys().forEach((key) => controller.enqueue(key)));
  const serve = (added: readonly ResourceRef[]) => {
    // `kinds` is the workload controllers' owns list and their caches' kinds: one array.
    for (const ref of added) {
      if (!kinds.includes(ref)) kinds.push(ref);
      workloadPrimaries.forEach(({ controller }) => controller.own(ref));
    }
    if (added.length) requeueAll();
  };
  return { controllers, requeueAll, serve };
}

/** The caches of the kinds an `owner`-kind resource owns, with the informer set's owner index. */
export function childCaches(informers: InformerSet, owner: ResourceRef, kinds: ResourceRef[]): ChildCaches {
  for (const ref of kinds) informers.indexOwners(ref, owner);
  return {
    kinds,
    store: (ref) => informers.informer(ref).store,
    ownedBy: (ref, key) => informers.ownedBy(ref, owner, key),
  };
}
