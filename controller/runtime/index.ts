// The controller runtime: what every reconciler runs on.
//
//   const client = KubeClient.fromEnvironment({ fieldManager: 'function-mesh-controller' });
//   const manager = new Manager({ client, log, registry: ops.registry,
//     leaderElection: { namespace: 'function-mesh-system', name: 'function-mesh-controller' } });
//   const functions = manager.add({ name: 'function', primary: FUNCTIONS, owns: [DEPLOYMENTS],
//     reconcile: async ({ key, namespace, name, signal, log }) => { ...; return { requeueAfterMs: 30_000 } } });
//   ops.addReadinessCheck('controller', () => manager.notReadyReason());
//   manager.start();  onShutdown(log, [{ name: 'controller', run: () => manager.stop() }]);
//
// Reconcilers read the cache (`functions.primary.store.get(key)`, `functions.ownedBy(DEPLOYMENTS, key)`)
// and write with server-side apply (`client.apply`, `client.applyStatus`), passing `signal`.
export { KubeClient } from './kube-client.js';
export type { ApplyOptions, CallOptions, ObjectClient, DeleteOptions, KubeClientOptions, ListOptions, ObjectList, WatchEvent, WatchEventType, WatchOptions } from './kube-client.js';
export { KubeApiError, isAlreadyExists, isConflict, isForbidden, isGone, isNotFound } from './kube-error.js';
export type { ApiStatus } from './kube-error.js';
export { TerminalError, ignoreNotFound } from './outcomes.js';
export { apiVersionOf, groupOf, isNamespaced, keyOf, objectKey, resourceName, resourcePath, splitKey } from './resource.js';
export type { KubeObject, ObjectMeta, OwnerReference, ResourceRef } from './resource.js';
export { Store } from './store.js';
export type { IndexFunc, ReplaceResult } from './store.js';
export { ownerIndex, ownerIndexName, ownerKeys } from './owners.js';
export { Reflector, listWatch } from './reflector.js';
export type { ListWatchSource, ReflectorOptions, ReflectorSink, RelistReason, WatchEndReason } from './reflector.js';
export { Informer, dropManagedFields } from './informer.js';
export type { EventHandler, InformerOptions } from './informer.js';
export { InformerSet } from './informer-set.js';
export type { InformerSetOptions } from './informer-set.js';
export { WorkQueue } from './work-queue.js';
export type { WorkQueueHooks } from './work-queue.js';
export { ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from './rate-limiter.js';
export type { RateLimiter } from './rate-limiter.js';
export { Backoff, jittered, sleep } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { LEASES, LeaderElector, defaultIdentity, microTime } from './leader-election.js';
export type { Lease, LeaderElectorOptions } from './leader-election.js';
export { RuntimeMetrics } from './metrics.js';
export { Controller } from './controller.js';
export type { ControllerSpec, Reconcile, ReconcileContext, ReconcileResult } from './controller.js';
export { Manager } from './manager.js';
export type { ManagerOptions } from './manager.js';
