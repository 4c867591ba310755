// Function Mesh's Go operator, when it puts its cleanup finalizer on a resource, also creates a
// Job `<name>-<component>-cleanup` whose pod sleeps until the operator signals it on delete. The
// Job has no owner reference (deleting the resource leaves it), and its pod carries the
// resource's labels, so upstream's Services and PDBs select it. This controller cleans up the
// subscription itself: the Job is deleted when upstream's finalizer is migrated or released, which
// happens once per resource. A Job is upstream's only when its labels name the resource and carry
// its uid (`owner`, as upstream labels it) and nothing controls it; a user's Job of that name stays.
import type { WorkloadKind } from '../api/index.js';
import { isForbidden, isNotFound, type KubeObject, type ObjectClient } from '../runtime/index.js';
import { controllerOf } from './apply-plan.js';
import { JOBS } from './kinds.js';
import { UPSTREAM_SUBSCRIPTION_FINALIZER } from './upstream-finalizer.js';

interface Resource {
  kind: WorkloadKind;
  metadata: { name?: string; namespace?: string; uid?: string; finalizers?: string[] };
}

/** MakeFunctionCleanUpJob / MakeSourceCleanUpJob / MakeSinkCleanUpJob (controllers/spec, v0.27). */
export function upstreamCleanupJobName(resource: Resource): string {
  return `${resource.metadata.name}-${resource.kind.toLowerCase()}-cleanup`;
}

/** The resource's Job as upstream labels it: its uid under `owner`, its name and component. */
export function isUpstreamCleanupJob(job: KubeObject, resource: Resource): boolean {
  const labels = job.metadata.labels ?? {};
  return (
    Boolean(resource.metadata.uid) &&
    labels.owner === resource.metadata.uid &&
    labels['compute.functionmesh.io/name'] === resource.metadata.name &&
    labels['compute.functionmesh.io/component'] === resource.kind.toLowerCase() &&
    controllerOf(job) === undefined
  );
}

export interface CleanupJobOutcome {
  /** Set when this call deleted upstream's Job: the event's message. */
  deleted?: string;
  /** Set when the controller may not read or delete Jobs: the warning's message. */
  forbidden?: string;
}

/**
 * Deletes upstream's cleanup Job of a resource that still has upstream's finalizer (a resource
 * without it has no such Job, or had it handled already). Other failures throw: the finalizer
 * stays until the Job could be looked at.
 */
export async function deleteUpstreamCleanupJob(resource: Resource, client: ObjectClient, signal: AbortSignal): Promise<CleanupJobOutcome> {
  if (!resource.metadata.finalizers?.includes(UPSTREAM_SUBSCRIPTION_FINALIZER)) return {};
  const name = upstreamCleanupJobName(resource);
  const namespace = resource.metadata.namespace;
  try {
    const job = await client.get(JOBS, namespace, name, { signal });
    if (!isUpstreamCleanupJob(job, resource)) return {};
    // Background: its pod goes with it.
    await client.delete(JOBS, namespace, name, { signal, preconditions: { uid: job.metadata.uid }, propagationPolicy: 'Background' });
    return { deleted: `deleted Function Mesh's cleanup Job ${name} and its pod: this controller cleans up the subscription itself` };
  } catch (err) {
    if (isNotFound(err)) return {};
    if (isForbidden(err)) {
      return { forbidden: `Function Mesh's cleanup Job ${name}, if any, is left: the controller may not get and delete jobs (batch) in namespace ${namespace}; grant it (manifests/rbac/controller-rbac.yaml) or delete the Job by hand` };
    }
    throw err;
  }
}
