// The informer's local cache: the latest copy of every watched object, keyed by namespace/name,
// with named secondary indexes (e.g. children by owner key). Objects in the cache are shared:
// treat them as read-only.
import { objectKey, type KubeObject } from './resource.js';

/** The index values of an object, e.g. the keys of its owners. */
export type IndexFunc<T> = (obj: T) => string[];

export interface ReplaceResult<T> {
  added: T[];
  updated: { old: T; obj: T }[];
  deleted: T[];
}

export class Store<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, { fn: IndexFunc<T>; values: Map<string, Set<string>> }>();

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /** Adds a named index, computed over what the store already holds too. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`store index "${name}" already exists`);
    this.indexes.set(name, { fn, values: new Map() });
    for (const [key, obj] of this.items) this.indexAdd(key, obj, name);
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  /** The objects whose index `name` yields `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`store has no index "${name}"`);
    return [...(index.values.get(value) ?? [])].flatMap((key) => this.items.get(key) ?? []);
  }

  /** Inserts or replaces; returns the previous copy. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.indexRemove(key, old);
    this.items.set(key, obj);
    this.indexAdd(key, obj);
    return old;
  }

  /** Removes; returns the removed copy. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.indexRemove(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replaces the whole content (after a list) and reports what changed. */
  replace(objs: T[]): ReplaceResult<T> {
    const result: ReplaceResult<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objs) {
      seen.add(objectKey(obj));
      const old = this.upsert(obj);
      if (!old) result.added.push(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) result.updated.push({ old, obj });
    }
    for (const key of this.keys()) {
      if (seen.has(key)) continue;
      const old = this.remove(key);
      if (old) result.deleted.push(old);
    }
    return result;
  }

  private indexAdd(key: string, obj: T, only?: string): void {
    for (const [name, index] of this.indexes) {
      if (only && name !== only) continue;
      for (const value of index.fn(obj)) {
        let keys = index.values.get(value);
        if (!keys) index.values.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private indexRemove(key: string, obj: T): void {
    for (const index of this.indexes.values()) {
      for (const value of index.fn(obj)) {
        const keys = index.values.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.values.delete(value);
      }
    }
  }
}
