// The BackendConfigs a workload reconcile reads: a watched cache of them, the lookup of the two
// covering a namespace (the global one named by flags, the namespace's own of a fixed name), and,
// for those with `autoUpdate: true`, the enqueueing of every resource they cover when they change.
import type { BackendConfigSpec } from '../api/index.js';
import type { BackendConfigLayer, BackendConfigs } from '../render/index.js';
import { keyOf, type Informer, type KubeObject, type Store } from '../runtime/index.js';

export interface BackendConfigObject extends KubeObject {
  spec?: BackendConfigSpec;
}

/** Which BackendConfigs count (controller flags, upstream's names). */
export interface BackendConfigNames {
  /** The cluster-wide object; none when unset. */
  global?: { namespace: string; name: string } | undefined;
  /** The name of each namespace's own object; none when unset. */
  namespacedName?: string | undefined;
}

/** Status fields the workload reconciler keeps when a reconcile ends before applying. */
export const BACKEND_CONFIG_STATUS_FIELDS = ['globalBackendConfigRevision', 'namespacedBackendConfigRevision'] as const;

export class BackendConfigLookup {
  constructor(
    private readonly store: Store<BackendConfigObject>,
    private readonly names: BackendConfigNames,
  ) {}

  /** The two BackendConfigs covering resources in `namespace`, from the cache. */
  forNamespace(namespace: string): BackendConfigs {
    const { global, namespacedName } = this.names;
    return {
      global: global && layer(this.store.get(keyOf(global.namespace, global.name))),
      namespaced: namespacedName ? layer(this.store.get(keyOf(namespace, namespacedName))) : undefined,
    };
  }

  /**
   * Whose resources `obj` covers: every namespace (the global object), its own namespace, or
   * none (an object of another name, which no workload reads). The global object, if it also has
   * the namespaced name, covers everything anyway.
   */
  covers(obj: KubeObject): { namespace: string | undefined } | undefined {
    const { global, namespacedName } = this.names;
    if (global && obj.metadata.namespace === global.namespace && obj.metadata.name === global.name) return { namespace: undefined };
    if (namespacedName && obj.metadata.name === namespacedName) return { namespace: obj.metadata.namespace };
    return undefined;
  }
}

function layer(obj: BackendConfigObject | undefined): BackendConfigLayer | undefined {
  if (!obj) return undefined;
  return { key: keyOf(obj.metadata.namespace, obj.metadata.name ?? ''), revision: obj.metadata.resourceVersion ?? '', spec: obj.spec ?? {} };
}

/**
 * Calls `enqueue` with the covered namespace (undefined: all) whenever a BackendConfig that has,
 * or had, `autoUpdate: true` is created, changed or deleted. Without autoUpdate a change waits for
 * each resource's next reconcile, as upstream.
 */
export function watchBackendConfigs(informer: Informer<BackendConfigObject>, lookup: BackendConfigLookup, enqueue: (namespace: string | undefined) => void): void {
  const changed = (...objs: BackendConfigObject[]) => {
    if (!objs.some((o) => o.spec?.autoUpdate)) return;
    const covered = lookup.covers(objs[objs.length - 1]!);
    if (covered) enqueue(covered.namespace);
  };
  informer.addHandler({ add: (obj) => changed(obj), update: (old, obj) => changed(old, obj), delete: (obj) => changed(obj) });
}

/** The keys of `store` in `namespace` (all of them when undefined). */
export function keysIn(store: { keys(): string[] }, namespace: string | undefined): string[] {
  const keys = store.keys();
  return namespace === undefined ? keys : keys.filter((k) => k.startsWith(`${namespace}/`));
}
