// The scaler's shared cache: concurrent asks for one key share one fetch (single-flight), and a
// result — value or error — is reused for `freshMs`, so the load on Pulsar is bounded by the
// number of keys over the window, whatever the call rate of KEDA and the HPA. With `staleMs`, a
// value up to freshMs + staleMs old is served at once while one refresh runs in the background
// (stale-while-revalidate), so askers never wait on Pulsar for a key that is asked regularly.
// With `jitter`, each value's freshness is cut by a random part of it, so keys first fetched
// together (a scaler restart, a burst of new ScaledObjects) are refreshed spread over the window
// rather than all in the same instant, which would stall the event loop that answers KEDA.

export type Clock = () => number;

interface Entry<V> {
  settled?: { at: number; value?: V; error?: unknown; jitterMs: number };
  inflight?: { promise: Promise<V>; generation: number };
  /** Bumped by invalidate(): results of fetches started before it are not served. */
  generation: number;
  lastAsked: number;
}

export interface FreshCacheOptions {
  freshMs: number;
  /** Errors are reused for this long (default: freshMs), so a down Pulsar is not hammered. */
  errorFreshMs?: number;
  /** Past freshMs, a value is still served this long while it is refreshed (default 0: off). */
  staleMs?: number;
  /** Up to this fraction of freshMs is taken off each value's freshness, at random (default 0). */
  jitter?: number;
  now?: Clock;
  random?: () => number;
}

export class FreshCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly freshMs: number;
  private readonly errorFreshMs: number;
  private readonly staleMs: number;
  private readonly jitter: number;
  private readonly now: Clock;
  private readonly random: () => number;
  /** Fetches started, for metrics and benchmarks. */
  fetches = 0;

  constructor(opts: FreshCacheOptions) {
    this.freshMs = opts.freshMs;
    this.errorFreshMs = opts.errorFreshMs ?? opts.freshMs;
    this.staleMs = opts.staleMs ?? 0;
    this.jitter = opts.jitter ?? 0;
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new RangeError(`jitter must be in [0, 1), got ${this.jitter}`);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  get(key: K, fetch: () => Promise<V>, freshMs = this.freshMs): Promise<V> {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { generation: 0, lastAsked: now };
      this.entries.set(key, entry);
    }
    entry.lastAsked = now;
    const s = entry.settled;
    if (s) {
      const age = now - s.at + s.jitterMs;
      if ('error' in s && s.error !== undefined) {
        if (age < this.errorFreshMs) return Promise.reject(s.error);
      } else if (age < freshMs) {
        return Promise.resolve(s.value as V);
      } else if (age < freshMs + this.staleMs) {
        if (!this.current(entry)) this.start(key, entry, fetch).catch(() => undefined); // the error is stored
        return Promise.resolve(s.value as V);
      }
    }
    return this.current(entry) ?? this.start(key, entry, fetch);
  }

  /** The next get() fetches anew, even if a fetch is in flight or a value is fresh. */
  invalidate(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.generation++;
    entry.settled = undefined;
  }

  /** Forgets keys nobody asked for within `idleMs` (ScaledObjects deleted or moved). */
  sweep(idleMs: number): number {
    const cutoff = this.now() - idleMs;
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.lastAsked < cutoff && !entry.inflight) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.entries.size;
  }

  private current(entry: Entry<V>): Promise<V> | undefined {
    return entry.inflight && entry.inflight.generation === entry.generation ? entry.inflight.promise : undefined;
  }

  private start(key: K, entry: Entry<V>, fetch: () => Promise<V>): Promise<V> {
    const generation = entry.generation;
    this.fetches++;
    const promise = Promise.resolve()
      .then(fetch)
      .then(
        (value) => {
          this.settle(key, entry, generation, { at: this.now(), value, jitterMs: this.jitter * this.freshMs * this.random() });
          return value;
        },
        (error: unknown) => {
          this.settle(key, entry, generation, { at: this.now(), error: error ?? new Error('fetch failed'), jitterMs: 0 });
          throw error;
        },
      );
    entry.inflight = { promise, generation };
    return promise;
  }

  private settle(key: K, entry: Entry<V>, generation: number, settled: NonNullable<Entry<V>['settled']>): void {
    if (entry.inflight?.generation === generation) entry.inflight = undefined;
    // A result fetched before an invalidation is not stored: it may predate what invalidated it.
    if (generation === entry.generation && this.entries.get(key) === entry) entry.settled = settled;
  }
}
