// An informer: a reflector filling a Store, plus event handlers told about every change. The
// controller's handlers only enqueue keys; the cache is what reconcilers read.
import type { Logger } from '../../process/logger.js';
import { Reflector, type ListWatchSource, type ReflectorOptions, type ReflectorSink } from './reflector.js';
import { objectKey, type KubeObject } from './resource.js';
import { Store } from './store.js';

export interface EventHandler<T extends KubeObject = KubeObject> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  /** `obj` is the last state seen (from the DELETED event, or the cache after a re-list). */
  delete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> extends ReflectorOptions {
  /** Applied to every object before it is cached, e.g. dropManagedFields to save memory. */
  transform?: (obj: T) => T;
}

/** Drops metadata.managedFields (often a third of an object): reconcilers that apply don't read them. */
export function dropManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export class Informer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  readonly store = new Store<T>();
  private readonly reflector: Reflector<T>;
  private readonly handlers: EventHandler<T>[] = [];
  private readonly log: Logger;

  private readonly transform: (obj: T) => T;

  constructor(source: ListWatchSource<T>, opts: InformerOptions<T>) {
    this.reflector = new Reflector(source, this, opts);
    this.log = opts.log.child({ resource: opts.name });
    this.transform = opts.transform ?? ((obj) => obj);
  }

  get hasSynced(): boolean {
    return this.reflector.hasSynced;
  }

  /** The newest resourceVersion the cache reflects. */
  get resourceVersion(): string {
    return this.reflector.resourceVersion;
  }

  /** Registers a handler; objects already cached are replayed to it as adds. */
  addHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.store.list()) this.notify((h) => h.add?.(obj), obj, [handler]);
  }

  start(): void {
    this.reflector.start();
  }

  stop(): Promise<void> {
    return this.reflector.stop();
  }

  /** Resolves true once synced, false if `signal` aborts first. */
  async waitForSync(signal?: AbortSignal, pollMs = 50): Promise<boolean> {
    while (!this.hasSynced) {
      if (signal?.aborted) return false;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return true;
  }

  replace(items: T[]): void {
    const { added, updated, deleted } = this.store.replace(items.map(this.transform));
    for (const obj of added) this.notify((h) => h.add?.(obj), obj);
    for (const { old, obj } of updated) this.notify((h) => h.update?.(old, obj), obj);
    for (const obj of deleted) this.notify((h) => h.delete?.(obj), obj);
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', received: T): void {
    const obj = this.transform(received);
    if (type === 'DELETED') {
      this.store.remove(objectKey(obj));
      this.notify((h) => h.delete?.(obj), obj);
      return;
    }
    const old = this.store.upsert(obj);
    if (old) this.notify((h) => h.update?.(old, obj), obj);
    else this.notify((h) => h.add?.(obj), obj);
  }

  // A throwing handler must not stop the reflector or the other handlers.
  private notify(call: (h: EventHandler<T>) => void, obj: T, handlers = this.handlers): void {
    for (const handler of handlers) {
      try {
        call(handler);
      } catch (err) {
        this.log.error({ key: objectKey(obj), err }, 'event handler failed');
      }
    }
  }
}
