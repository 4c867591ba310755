// Applying a resource's children and pruning the ones that no longer belong: server-side apply
// with the controller's one field manager, skipped when the cached child already matches, and
// all-or-nothing checks (objects owned by someone else, and unknown kinds when every child is
// required) before the first write; each fails with a TerminalError (it waits for the user, not
// for a retry). A child of a kind the cluster does not serve is otherwise left out and listed.
// One autoscaler at a time: a new one is applied only once the one it replaces is gone.
import type { KubeObject, ObjectClient, ResourceRef, Store } from '../runtime/index.js';
import { TerminalError, ignoreNotFound, keyOf } from '../runtime/index.js';
import { appliedReplicas, changedByApply, childId, controllerOf, desiredChild, withReplicasMarker, foreignOwnerMessage, isUpToDate, pruneCandidates } from './apply-plan.js';
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
  /** Rendered children left out because the cluster does not serve their kind. */
  missing: KubeObject[];
  /** Rendered autoscalers held back until the autoscaler they replace is deleted (`Kind/name`). */
  waiting: { child: string; for: string[] }[];
}

/** The child kinds with spec.replicas, which an autoscaler may take over. */
const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet']);

/**
 * Kinds that set a workload's replicas. Two on one workload fight (and KEDA's webhook refuses a
 * ScaledObject beside an HPA), so the old one is deleted in the foreground (KEDA's own HPA
 * first) and the new one applied when its deletion event requeues the owner.
 */
const AUTOSCALER_KINDS = new Set(['HorizontalPodAutoscaler', 'ScaledObject']);

export interface SyncOptions {
  client: ObjectClient;
  caches: ChildCaches;
  owner: KubeObject;
  rendered: readonly KubeObject[];
  signal: AbortSignal;
  /**
   * Every child is required: a rendered kind the cluster does not serve fails the sync with this
   * message. Without it such children are left out and listed in `missing`.
   */
  unknownKind?: (obj: KubeObject) => string;
  /** Look again this long after a ChildConflict (a foreign object going away wakes nothing). */
  conflictRecheckMs?: number;
  /** Owned children not rendered but not to be pruned yet (`Kind/name`): a takeover deletes them itself. */
  retain?: ReadonlySet<string>;
  /** Create missing children, but update none (a paused rollout). */
  createOnly?: boolean;
}

export async function syncChildren(opts: SyncOptions): Promise<SyncResult> {
  const { client, caches, owner, signal } = opts;
  const ownerKey = keyOf(owner.metadata.namespace, owner.metadata.name ?? '');
  const missing: KubeObject[] = [];
  const planned = opts.rendered.flatMap((obj) => {
    const ref = refOf(obj, caches.kinds);
    if (!ref) {
      if (opts.unknownKind) throw new TerminalError('KindNotServed', opts.unknownKind(obj));
      missing.push(obj);
      return [];
    }
    const desired = desiredChild(REPLICATED_KINDS.has(ref.kind) ? withReplicasMarker(obj) : obj, owner);
    const live = caches.store(ref).get(keyOf(desired.metadata.namespace, desired.metadata.name ?? ''));
    const foreign = foreignOwnerMessage(live, owner);
    if (foreign) throw new TerminalError('ChildConflict', foreign, opts.conflictRecheckMs);
    return [{ ref, desired, live }];
  });

  const desiredIds = new Set(planned.map((p) => childId(p.desired)));
  // Autoscalers owned and no longer wanted, including those whose deletion is under way.
  const leaving = caches.kinds
    .filter((ref) => AUTOSCALER_KINDS.has(ref.kind))
    .flatMap((ref) => caches.ownedBy(ref, ownerKey).filter((obj) => controllerOf(obj)?.uid === owner.metadata.uid).map((obj) => childId({ kind: ref.kind, metadata: obj.metadata })))
    .filter((id) => !desiredIds.has(id));
  const held = leaving.length ? planned.filter((p) => AUTOSCALER_KINDS.has(p.ref.kind) && !p.live) : [];

  // Children do not depend on each other: they go out together (one round trip, not three).
  const result: SyncResult = {
    live: new Map(),
    created: [],
    updated: [],
    deleted: [],
    missing,
    waiting: held.map((p) => ({ child: childId(p.desired), for: leaving })),
  };
  await Promise.all(
    planned.filter((p) => !held.includes(p)).map(async ({ ref, desired, live }) => {
      const id = childId(desired);
      if (isUpToDate(live, desired) || (live && opts.createOnly)) {
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

  const stale = caches.kinds.flatMap((ref) =>
    pruneCandidates(caches.ownedBy(ref, ownerKey), desiredIds, owner)
      .filter((obj) => !opts.retain?.has(childId({ kind: ref.kind, metadata: obj.metadata })))
      .map((obj) => ({ ref, obj })),
  );
  await Promise.all(
    stale.map(async ({ ref, obj }) => {
      const propagationPolicy = AUTOSCALER_KINDS.has(ref.kind) ? 'Foreground' : 'Background';
      const deleted = client.delete(ref, obj.metadata.namespace, obj.metadata.name ?? '', { signal, preconditions: { uid: obj.metadata.uid }, propagationPolicy });
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
