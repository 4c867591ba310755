// Which optional kinds (KEDA's ScaledObject, the VPA) the cluster serves, asked at start — a
// controller that watched a kind the cluster lacks would never finish syncing its caches — and
// again periodically, so that a kind installed later is watched from then on.
import type { Logger } from '../../process/logger.js';
import { ignoreNotFound, resourceName, type KubeClient, type ResourceRef } from '../runtime/index.js';

/** `log` undefined: ask quietly (the periodic check, which would repeat the same warnings). */
export async function servedKinds(client: KubeClient, refs: readonly ResourceRef[], log: Logger | undefined, signal?: AbortSignal): Promise<ResourceRef[]> {
  const served: ResourceRef[] = [];
  for (const ref of refs) {
    if (await ignoreNotFound(client.list(ref, { limit: 1, signal }))) {
      served.push(ref);
    } else {
      log?.warn({ resource: resourceName(ref) }, `${ref.kind} is not served by this cluster: resources needing it report it in their ChildrenApplied condition; install its CRDs: the controller notices within its --discovery-interval`);
    }
  }
  return served;
}

export interface ServedKindsWatch {
  close(): void;
}

/**
 * Asks again every `intervalMs` which optional kinds are served, and hands the newly served ones to
 * `onServed` (with the whole served list): installing KEDA after the controller started switches
 * the HPA fallback to ScaledObjects without a restart. A kind that stops being served is only
 * logged: its watch keeps retrying, and the resources report the failure.
 */
export function watchServedKinds(opts: {
  initial: readonly ResourceRef[];
  check: (signal: AbortSignal) => Promise<ResourceRef[]>;
  intervalMs: number;
  onServed: (added: ResourceRef[], served: ResourceRef[]) => void;
  log: Logger;
}): ServedKindsWatch {
  const abort = new AbortController();
  let known = [...opts.initial];
  let running = false;
  const refresh = async () => {
    if (running) return;
    running = true;
    try {
      const served = await opts.check(abort.signal);
      const added = served.filter((ref) => !known.includes(ref));
      const gone = known.filter((ref) => !served.includes(ref));
      if (gone.length) opts.log.warn({ resources: gone.map(resourceName) }, 'no longer served by this cluster: restart the controller once they are removed for good');
      if (added.length) {
        opts.log.info({ resources: added.map(resourceName) }, 'now served by this cluster: watching them');
        known = [...known, ...added];
        opts.onServed(added, known);
      }
    } catch (err) {
      if (!abort.signal.aborted) opts.log.warn({ err: String(err) }, 'could not ask which optional kinds are served; asking again later');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void refresh(), opts.intervalMs);
  timer.unref();
  return {
    close: () => {
      clearInterval(timer);
      abort.abort();
    },
  };
}
