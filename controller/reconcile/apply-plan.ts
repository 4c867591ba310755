// Pure decisions around applying children: owner references, whether a cached child already
// matches what would be applied (so a level-based resync costs no write), which children no
// longer belong, and who owns spec.replicas.
import { createHash } from 'node:crypto';
import { parseQuantity } from '../render/quantity.js';
import type { KubeObject, OwnerReference } from '../runtime/index.js';

/** Annotation holding a hash of the configuration this controller last applied. */
export const APPLIED_HASH = 'compute.functionmesh.io/applied-hash';

export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** JSON with object keys sorted: equal objects give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The object to apply: the rendered one with the owner reference and the hash of its content.
 * The hash catches fields the controller stopped rendering (which a subset check cannot see).
 */
export function desiredChild<T extends KubeObject>(rendered: T, owner: KubeObject): T {
  const withOwner = { ...rendered, metadata: { ...rendered.metadata, ownerReferences: [controllerRef(owner)] } };
  const hash = createHash('sha256').update(canonicalJson(withOwner)).digest('hex').slice(0, 16);
  return { ...withOwner, metadata: { ...withOwner.metadata, annotations: { ...withOwner.metadata.annotations, [APPLIED_HASH]: hash } } };
}

/**
 * True when `desired` is already in place: the live object carries the same applied hash and
 * still holds every value `desired` states (no one else changed them since). When false, the
 * apply goes out; a false "changed" only costs a no-op apply.
 */
export function isUpToDate(live: KubeObject | undefined, desired: KubeObject): boolean {
  if (!live) return false;
  if (live.metadata.annotations?.[APPLIED_HASH] !== desired.metadata.annotations?.[APPLIED_HASH]) return false;
  // List items may lack apiVersion/kind, and name/namespace matched already.
  const { apiVersion: _v, kind: _k, metadata, ...body } = desired as KubeObject & Record<string, unknown>;
  const { labels, annotations, ownerReferences } = metadata;
  return contains(live.metadata, { labels, annotations, ownerReferences }) && contains(live, body);
}

/** Every value stated in `want` is present and equal in `have` (lists element by element). */
export function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, w]) => w === undefined || contains(h[k], w));
  }
  return have === want || sameQuantity(have, want);
}

/** The apiserver normalizes quantities (`0.1` → `100m`, `1.1G` → `1100M`): equal amounts match. */
function sameQuantity(have: unknown, want: unknown): boolean {
  if (typeof have !== 'string' || typeof want !== 'string') return false;
  const a = parseQuantity(have);
  const b = parseQuantity(want);
  return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(b) * 1e-9;
}

/** True when an apply changed what the object says (status-only changes do not count). */
export function changedByApply(before: KubeObject, after: KubeObject): boolean {
  const stated = (o: KubeObject) => {
    const { labels, annotations, ownerReferences } = o.metadata;
    const { apiVersion: _v, kind: _k, metadata: _m, status: _s, ...body } = o as KubeObject & Record<string, unknown>;
    return canonicalJson({ labels, annotations, ownerReferences, body });
  };
  return stated(before) !== stated(after);
}

/** The controller owner of `obj`, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

/** A live object of the same name that belongs to someone else: we must not take it over. */
export function foreignOwnerMessage(live: KubeObject | undefined, owner: KubeObject): string | undefined {
  if (!live) return undefined;
  const ref = controllerOf(live);
  if (ref?.uid === owner.metadata.uid) return undefined;
  const who = ref ? `${ref.kind} ${ref.name}` : 'no controller';
  return `${live.kind ?? 'object'} ${live.metadata.name} already exists and is owned by ${who}, not ${owner.kind} ${owner.metadata.name}: delete or rename it`;
}

/** Children controlled by `owner` that are not in the desired set (keyed `Kind/name`). */
export function pruneCandidates<T extends KubeObject>(owned: readonly T[], desired: ReadonlySet<string>, owner: KubeObject): T[] {
  return owned.filter((obj) => controllerOf(obj)?.uid === owner.metadata.uid && !desired.has(childId(obj)) && !obj.metadata.deletionTimestamp);
}

export function childId(obj: { kind?: string; metadata: { name?: string } }): string {
  return `${obj.kind}/${obj.metadata.name}`;
}

/**
 * Annotation on a workload saying whether the controller's applied configuration holds
 * spec.replicas ("true") or leaves it to an autoscaler ("false"). The informer cache carries no
 * managedFields, so this is how the controller knows it must hand replicas over.
 */
export const APPLIES_REPLICAS = 'compute.functionmesh.io/applies-replicas';

export function withReplicasMarker<T extends KubeObject>(workload: T): T {
  const applies = (workload as { spec?: { replicas?: number } }).spec?.replicas !== undefined;
  return { ...workload, metadata: { ...workload.metadata, annotations: { ...workload.metadata.annotations, [APPLIES_REPLICAS]: String(applies) } } };
}

/** True when the live workload's last applied configuration held spec.replicas. */
export function appliedReplicas(live: KubeObject): boolean {
  return live.metadata.annotations?.[APPLIES_REPLICAS] === 'true';
}
