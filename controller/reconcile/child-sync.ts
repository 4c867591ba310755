// Applying a resource's children and pruning the ones that no longer belong: server-side apply
// with the controller's one field manager, skipped when the cached child already matches, and
// all-or-nothing checks (unknown kinds, objects owned by someone else) before the first write;
// each fails with a TerminalError (it waits for the user, not for a retry).
import type { KubeObject, ObjectClient, ResourceRef, Store } from '../runtime/index.js';
import { TerminalError, ignoreNotFound, keyOf } from '../runtime/index.js';
import { appliedReplicas, changedByApply, childId, desiredChild, withReplicasMarker, foreignOwnerMessage, isUpToDate, pruneCandidates } from './apply-plan.js';
import { refOf } from './kinds.js';

/** Where the sync finds the cached objects of a kind. */
export interface ChildCaches {
  kinds: readonly ResourceRef[];
  store(ref: ResourceRef): Store;
  ownedBy(ref: ResourceRef, ownerKey: string): KubeObject[];
}

export interface SyncResult {
  /** The children as they are now (apply results, or the cached copy when nothing was sent), by `Kind/name`. */
  live: Map<string, KubeObject>;
  created: string[];
  updated: string[];
  deleted: string[];
}

/** The child kinds with spec.replicas, which an autoscaler may take over. */
const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet']);

export interface SyncOptions {
  client: ObjectClient;
  caches: ChildCaches;
  owner: KubeObject;
  rendered: readonly KubeObject[];
  signal: AbortSignal;
  /** Message for a rendered kind the cluster does not serve (e.g. KEDA missing). */
  unknownKind: (obj: KubeObject) => string;
  /** Look again this long after a ChildConflict (a foreign object going away wakes nothing). */
  conflictRecheckMs?: number;
}

export async function syncChildren(opts: SyncOptions): Promise<SyncResult> {
  const { client, caches, owner, signal } = opts;
  const ownerKey = keyOf(owner.metadata.namespace, owner.metadata.name ?? '');
  const planned = opts.rendered.map((obj) => {
    const ref = refOf(obj, caches.kinds);
    if (!ref) throw new TerminalError('KindNotServed', opts.unknownKind(obj));
    const desired = desiredChild(REPLICATED_KINDS.has(ref.kind) ? withReplicasMarker(obj) : obj, owner);
    const live = caches.store(ref).get(keyOf(desired.metadata.namespace, desired.metadata.name ?? ''));
    const foreign = foreignOwnerMessage(live, owner);
    if (foreign) throw new TerminalError('ChildConflict', foreign, opts.conflictRecheckMs);
    return { ref, desired, live };
  });

  // Children do not depend on each other: they go out together (one round trip, not three).
  const result: SyncResult = { live: new Map(), created: [], updated: [], deleted: [] };
  await Promise.all(
    planned.map(async ({ ref, desired, live }) => {
      const id = childId(desired);
      if (isUpToDate(live, desired)) {
        result.live.set(id, live!);
        return;
      }
      if (live && REPLICATED_KINDS.has(ref.kind) && !hasReplicas(desired) && appliedReplicas(live)) {
        await handOverReplicas(client, ref, live, signal);
      }
      const applied = await client.apply(ref, desired, { signal });
      result.live.set(id, applied);
      if (!live) result.created.push(id);
      else if (changedByApply(live, applied)) result.updated.push(id);
    }),
  );

  const desiredIds = new Set(planned.map((p) => childId(p.desired)));
  const stale = caches.kinds.flatMap((ref) => pruneCandidates(caches.ownedBy(ref, ownerKey), desiredIds, owner).map((obj) => ({ ref, obj })));
  await Promise.all(
    stale.map(async ({ ref, obj }) => {
      const deleted = client.delete(ref, obj.metadata.namespace, obj.metadata.name ?? '', { signal, preconditions: { uid: obj.metadata.uid }, propagationPolicy: 'Background' });
      if (await ignoreNotFound(deleted.then(() => true))) result.deleted.push(childId({ kind: ref.kind, metadata: obj.metadata }));
    }),
  );
  // Stable order for events and logs.
  for (const list of [result.created, result.updated, result.deleted]) list.sort();
  return result;
}

function hasReplicas(obj: KubeObject): boolean {
  return (obj as { spec?: { replicas?: number } }).spec?.replicas !== undefined;
}

/**
 * The workload is now scaled by KEDA or an HPA, and this controller's applied configuration
 * still holds spec.replicas. Dropping it from the next apply would delete the field (back to the
 * default of 1: pods would churn). So first another manager states the current value, then our
 * apply without replicas leaves it in place for the autoscaler, which takes it over on its
 * first change. This is the handover Kubernetes documents for server-side apply.
 */
async function handOverReplicas(client: ObjectClient, ref: ResourceRef, live: KubeObject, signal: AbortSignal): Promise<void> {
  const replicas = (live as { spec?: { replicas?: number } }).spec?.replicas;
  if (replicas === undefined) return;
  const { name, namespace } = live.metadata;
  await client.apply(ref, { metadata: { name, namespace }, spec: { replicas } } as KubeObject, {
    signal,
    fieldManager: `${client.fieldManager}-replicas-handover`,
  });
}
