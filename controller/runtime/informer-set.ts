// One informer per kind, shared by every controller of a process: four controllers that own
// Deployments still open one Deployment watch. Cached objects carry no managedFields.
import type { Logger } from '../../process/logger.js';
import type { KubeClient } from './kube-client.js';
import { Informer, dropManagedFields } from './informer.js';
import type { RuntimeMetrics } from './metrics.js';
import { ownerIndex, ownerIndexName } from './owners.js';
import { listWatch } from './reflector.js';
import { resourceName, type KubeObject, type ResourceRef } from './resource.js';

export interface InformerSetOptions {
  client: KubeClient;
  log: Logger;
  metrics?: RuntimeMetrics;
  /** Watch one namespace only (default: all namespaces). */
  namespace?: string;
  /** Server-side watch timeout (default random 300–600 s). */
  watchTimeoutSeconds?: () => number;
}

export class InformerSet {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(private readonly opts: InformerSetOptions) {}

  /** The shared informer for a kind (created on first use; started if the set already is). */
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): Informer<T> {
    const name = `${resourceName(ref)}/${ref.version}`;
    let informer = this.informers.get(name);
    if (!informer) {
      const { client, log, metrics, namespace, watchTimeoutSeconds } = this.opts;
      const resource = resourceName(ref);
      informer = new Informer(listWatch(client, ref, { namespace }), {
        name: resource,
        log,
        transform: dropManagedFields,
        watchTimeoutSeconds,
        onRelist: (reason) => metrics?.relists.inc({ resource, reason }),
        onWatchEnd: (reason) => metrics?.watchRestarts.inc({ resource, reason }),
      });
      this.informers.set(name, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /**
   * Indexes the cached objects of kind `child` by the keys of their `owner`-kind owners (like
   * controller-runtime's FieldIndexer); idempotent. Returns the child's informer.
   */
  indexOwners<T extends KubeObject = KubeObject>(child: ResourceRef, owner: ResourceRef): Informer<T> {
    const informer = this.informer<T>(child);
    const name = ownerIndexName(owner);
    if (!informer.store.hasIndex(name)) informer.store.addIndex(name, ownerIndex(owner) as (obj: T) => string[]);
    return informer;
  }

  /** The cached objects of kind `child` owned by the `owner`-kind object `ownerKey` (`namespace/name`). */
  ownedBy<T extends KubeObject = KubeObject>(child: ResourceRef, owner: ResourceRef, ownerKey: string): T[] {
    return this.indexOwners<T>(child, owner).store.byIndex(ownerIndexName(owner), ownerKey);
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /** The kinds not yet listed (empty when all have synced). */
  unsynced(): string[] {
    return [...this.informers].filter(([, i]) => !i.hasSynced).map(([name]) => name);
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }
}
