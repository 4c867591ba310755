// The controller's work queue, in client-go's model: keys (namespace/name), not events, are
// queued, so a burst of events for one object costs one reconcile. A key is handed to at most
// one worker at a time; a key added while it is being processed is queued again, once, when
// that worker is done. Failures retry with per-key backoff (addRateLimited); reconcilers that
// want another look later use addAfter.
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueHooks {
  /** A key entered the queue (not counted when it was already queued). */
  added?(key: string): void;
  /** A key was scheduled for a retry after a failure. */
  retried?(key: string): void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiting: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private idle: (() => void) | undefined;
  private drained: Promise<void> | undefined;

  constructor(
    private readonly rateLimiter: RateLimiter = defaultControllerRateLimiter(),
    private readonly hooks: WorkQueueHooks = {},
  ) {}

  /** Keys waiting for a worker (not counting delayed or in-flight ones). */
  get length(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.hooks.added?.(key);
    if (!this.processing.has(key)) this.handOut(key);
  }

  /** Adds the key after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Retries a failed key after its backoff; returns the delay (ms). */
  addRateLimited(key: string): number {
    const ms = this.rateLimiter.when(key);
    this.hooks.retried?.(key);
    this.addAfter(key, ms);
    return ms;
  }

  /** The key succeeded: its next failure starts from the shortest backoff again. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  retries(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** The next key to process, or undefined once the queue shuts down. Pair with done(key). */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A worker finished `key`; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.shuttingDown) {
      if (this.processing.size === 0) this.idle?.();
      return;
    }
    if (this.dirty.has(key)) this.handOut(key);
  }

  /**
   * Stops handing out keys and drops queued and delayed ones (level-based: the next leader or
   * process re-lists and re-queues everything), then resolves when in-flight keys are done.
   */
  shutDown(): Promise<void> {
    if (this.drained) return this.drained;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
    this.drained = this.processing.size === 0 ? Promise.resolve() : new Promise((resolve) => (this.idle = resolve));
    return this.drained;
  }

  private handOut(key: string): void {
    const worker = this.waiting.shift();
    if (worker) worker(this.startProcessing(key));
    else this.queue.push(key);
  }

  private startProcessing(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
