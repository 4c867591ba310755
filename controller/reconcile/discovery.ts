// Which optional kinds (KEDA's ScaledObject, the VPA) the cluster serves, asked once at start:
// a controller that watched a kind the cluster lacks would never finish syncing its caches.
import type { Logger } from '../../process/logger.js';
import { ignoreNotFound, resourceName, type KubeClient, type ResourceRef } from '../runtime/index.js';

export async function servedKinds(client: KubeClient, refs: readonly ResourceRef[], log: Logger, signal?: AbortSignal): Promise<ResourceRef[]> {
  const served: ResourceRef[] = [];
  for (const ref of refs) {
    if (await ignoreNotFound(client.list(ref, { limit: 1, signal }))) {
      served.push(ref);
    } else {
      log.warn({ resource: resourceName(ref) }, `${ref.kind} is not served by this cluster: resources needing it report it in their ChildrenApplied condition; install its CRDs and restart the controller`);
    }
  }
  return served;
}
