// Function Mesh's operator stored `status.conditions` as a map keyed by child. Under this
// project's CRD (a list there) the apiserver cannot type such an object, so every server-side
// apply to it fails ("failed to create typed live object … .status.conditions: expected list,
// got map"): the resource's own status apply, and a FunctionMesh's apply of a member's spec.
// A merge patch is not typed; one that nulls the map makes the object appliable again.
import { hasUpstreamConditions } from '../api/index.js';
import { ignoreNotFound, isConflict, type KubeObject, type ObjectClient, type ResourceRef } from '../runtime/index.js';

/**
 * Clears Function Mesh's map-shaped conditions of `live`, if it has them. With `preconditionOnVersion`
 * the patch carries `live`'s resourceVersion, so a copy from a cache a step behind never clears
 * a list written since (that 409 is no error: there is nothing left to clear, or the next
 * reconcile sees the newer copy). False when nothing was cleared.
 */
export async function clearUpstreamConditions(client: ObjectClient, ref: ResourceRef, live: KubeObject & { status?: { conditions?: unknown } }, opts: { signal: AbortSignal; preconditionOnVersion?: boolean }): Promise<boolean> {
  if (!hasUpstreamConditions(live.status)) return false;
  const { name, namespace, resourceVersion } = live.metadata;
  const patch = { ...(opts.preconditionOnVersion ? { metadata: { resourceVersion } } : {}), status: { conditions: null } };
  try {
    return Boolean(await ignoreNotFound(client.mergePatch(ref, namespace, name ?? '', patch, { subresource: 'status', signal: opts.signal })));
  } catch (err) {
    if (opts.preconditionOnVersion && isConflict(err)) return false;
    throw err;
  }
}
