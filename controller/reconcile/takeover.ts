// Taking over, in place, what Function Mesh's Go operator runs for a resource: a StatefulSet
// `<name>-<component>` and its headless Service `<name>-<component>-headless`, both owned by the
// resource (so without this, the first sync would prune them at once and stop the function).
//   - Rendered as a Deployment (the usual case): the old StatefulSet and Service are kept while the
//     Deployment comes up, and deleted once a new pod is available, or once a ready ScaledObject
//     can wake one. Until then both run side by side; the old pods are never touched, so each is
//     replaced once, by its deletion.
//   - Rendered as a StatefulSet of the same name (volumeClaimTemplates, statefulConfig): the old
//     one is deleted with its pods orphaned, then ours is created; its selector (a subset of
//     upstream's labels) adopts those pods, which keep running and are rolled once to our template.
// A StatefulSet is upstream's when the resource controls it and it lacks the replicas marker this
// controller puts on every workload it applies.
import { ignoreNotFound, keyOf, type KubeObject, type ObjectClient, type ResourceRef } from '../runtime/index.js';
import { APPLIES_REPLICAS, childId, controllerOf } from './apply-plan.js';
import type { ChildCaches, SyncResult } from './child-sync.js';
import type { ConditionInput } from './conditions.js';
import { DEPLOYMENTS, SCALED_OBJECTS, SERVICES, STATEFUL_SETS } from './kinds.js';
import type { WorkloadObject } from './workload-readiness.js';

interface ScaledObjectLike extends KubeObject {
  spec?: { scaleTargetRef?: { name?: string; kind?: string } };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Reported while a takeover is under way; absent before and after. */
export const TAKEOVER_CONDITION = 'Takeover';

export interface TakeoverPlan {
  /** What to sync now: the rendered children, less a StatefulSet that waits for upstream's to go. */
  rendered: KubeObject[];
  /** Upstream's children the sync must not prune yet (`Kind/name`). */
  retain: Set<string>;
  legacy?: { statefulSet: KubeObject; service?: KubeObject; mode: 'replace' | 'in-place' };
}

interface Owner {
  metadata: { name?: string; namespace?: string; uid?: string };
}

/** Upstream's StatefulSet and headless Service of `owner`, when it has them, and what to do about them. */
export function planTakeover(owner: Owner, rendered: readonly KubeObject[], caches: Pick<ChildCaches, 'kinds' | 'store'>): TakeoverPlan {
  const workload = rendered.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  const none = { rendered: [...rendered], retain: new Set<string>() };
  if (!workload || !caches.kinds.includes(STATEFUL_SETS)) return none;
  const namespace = owner.metadata.namespace;
  const name = workload.metadata.name ?? '';
  const live = caches.store(STATEFUL_SETS).get(keyOf(namespace, name));
  if (!live || !isUpstreamWorkload(live, owner)) return none;
  const serviceName = `${name}-headless`;
  const cachedService = caches.store(SERVICES).get(keyOf(namespace, serviceName));
  const service = cachedService && controllerOf(cachedService)?.uid === owner.metadata.uid ? cachedService : undefined;
  if (workload.kind === 'StatefulSet') {
    // Ours takes the same name: created once upstream's is gone (its delete event requeues us).
    return {
      rendered: rendered.filter((o) => o !== workload),
      retain: new Set([childId({ kind: 'StatefulSet', metadata: live.metadata })]),
      legacy: { statefulSet: live, mode: 'in-place' },
    };
  }
  const retain = new Set([childId({ kind: 'StatefulSet', metadata: live.metadata }), ...(service ? [childId({ kind: 'Service', metadata: service.metadata })] : [])]);
  return { rendered: [...rendered], retain, legacy: { statefulSet: live, service, mode: 'replace' } };
}

export function isUpstreamWorkload(live: KubeObject, owner: Owner): boolean {
  return controllerOf(live)?.uid === owner.metadata.uid && live.metadata.annotations?.[APPLIES_REPLICAS] === undefined;
}

/** Why the new workload can take the load now, or undefined while it cannot. */
export function readyToReplace(deployment: WorkloadObject | undefined, scaledObject: ScaledObjectLike | undefined): string | undefined {
  if (!deployment) return undefined;
  const available = deployment.status?.availableReplicas ?? 0;
  if (available > 0) return `Deployment ${deployment.metadata.name} has ${available} available pod${available === 1 ? '' : 's'}`;
  const target = scaledObject?.spec?.scaleTargetRef;
  const kedaReady = scaledObject?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (scaledObject && kedaReady && target?.name === deployment.metadata.name && (target?.kind ?? 'Deployment') === 'Deployment') {
    return `ScaledObject ${scaledObject.metadata.name} is ready to wake Deployment ${deployment.metadata.name}`;
  }
  return undefined;
}

export interface TakeoverStep {
  /** While under way: the Takeover condition. */
  condition?: ConditionInput;
  /** When upstream's children were deleted now: the event's message. */
  done?: string;
}

/**
 * Moves the takeover on after the sync: deletes upstream's StatefulSet (orphaning its pods when
 * ours replaces it in place) and Service once the new workload can take the load.
 */
export async function advanceTakeover(plan: TakeoverPlan, sync: SyncResult, caches: Pick<ChildCaches, 'kinds' | 'store'>, client: ObjectClient, signal: AbortSignal): Promise<TakeoverStep> {
  const legacy = plan.legacy;
  if (!legacy) return {};
  const sts = legacy.statefulSet;
  const stsName = `StatefulSet ${sts.metadata.name}`;
  // True when this call deleted it (a cache a step behind may show it after it went).
  const remove = async (ref: ResourceRef, obj: KubeObject, propagationPolicy: 'Orphan' | 'Background') =>
    Boolean(await ignoreNotFound(client.delete(ref, obj.metadata.namespace, obj.metadata.name ?? '', { signal, preconditions: { uid: obj.metadata.uid }, propagationPolicy }).then(() => true)));
  if (legacy.mode === 'in-place') {
    if (!sts.metadata.deletionTimestamp) await remove(STATEFUL_SETS, sts, 'Orphan');
    return {
      condition: { type: TAKEOVER_CONDITION, status: 'False', reason: 'ReplacingStatefulSet', message: `Function Mesh's ${stsName} is being deleted with its pods kept running; this controller's StatefulSet of that name adopts them next` },
    };
  }
  const deploymentName = sts.metadata.name ?? '';
  const deployment = (freshest(caches, DEPLOYMENTS, sts.metadata.namespace, deploymentName) ?? sync.live.get(`Deployment/${deploymentName}`)) as WorkloadObject | undefined;
  const scaled = plan.rendered.find((o) => o.kind === 'ScaledObject');
  const scaledObject = (scaled && (freshest(caches, SCALED_OBJECTS, scaled.metadata.namespace, scaled.metadata.name ?? '') ?? sync.live.get(childId(scaled)))) as ScaledObjectLike | undefined;
  const why = readyToReplace(deployment, scaledObject);
  const old = [stsName, ...(legacy.service ? [`Service ${legacy.service.metadata.name}`] : [])].join(' and ');
  if (!why) {
    return {
      condition: {
        type: TAKEOVER_CONDITION,
        status: 'False',
        reason: 'WaitingForNewPod',
        message: `Function Mesh's ${old} keep running until Deployment ${deploymentName} has an available pod${scaled ? ` or ScaledObject ${scaled.metadata.name} is ready` : ''}`,
      },
    };
  }
  const [deleted] = await Promise.all([remove(STATEFUL_SETS, sts, 'Background'), ...(legacy.service ? [remove(SERVICES, legacy.service, 'Background')] : [])]);
  return deleted ? { done: `took over from Function Mesh: deleted its ${old} (${why})` } : {};
}

function freshest(caches: Pick<ChildCaches, 'kinds' | 'store'>, ref: ResourceRef, namespace: string | undefined, name: string): KubeObject | undefined {
  return caches.kinds.includes(ref) ? caches.store(ref).get(keyOf(namespace, name)) : undefined;
}
