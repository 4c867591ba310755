// Mapping a child object to the keys of its owners of one kind, through metadata.ownerReferences:
// an event on a Deployment enqueues the Function that owns it.
import { groupOf, isNamespaced, keyOf, type KubeObject, type ResourceRef } from './resource.js';
import type { IndexFunc } from './store.js';

/** Name of the store index from an owner's key to its children (see ownerIndex). */
export function ownerIndexName(owner: ResourceRef): string {
  return `owner:${owner.kind}.${owner.group}`;
}

/**
 * The keys of the objects of kind `owner` that own `obj` (any reference of that group and
 * kind, controller or not). Namespaced owners live in their child's namespace.
 */
export function ownerKeys(obj: KubeObject, owner: ResourceRef): string[] {
  return (obj.metadata.ownerReferences ?? [])
    .filter((ref) => ref.kind === owner.kind && groupOf(ref.apiVersion) === owner.group)
    .map((ref) => keyOf(isNamespaced(owner) ? obj.metadata.namespace : undefined, ref.name));
}

/** A store index: owner key → children. */
export function ownerIndex(owner: ResourceRef): IndexFunc<KubeObject> {
  return (obj) => ownerKeys(obj, owner);
}
