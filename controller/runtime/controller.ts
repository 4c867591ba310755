// A controller: one primary kind, the child kinds it owns, a work queue and N workers calling
// a level-based reconcile. Events only name keys: a change to the primary enqueues its key, a
// change to a child enqueues its owners' keys; the reconciler re-reads the current state.
//
// Workers run in terms: the Manager starts a term when this process may write (synced and,
// with leader election, leading) and ends it when it may not. Ending a term drops queued keys
// and aborts the signal every in-flight reconcile holds (their apiserver calls abort with it):
// at once when leadership is lost, after a grace period on shutdown. A new term re-queues every
// primary object, so nothing is lost in between.
import type { Logger } from '../../process/logger.js';
import { sleep } from './backoff.js';
import type { Informer } from './informer.js';
import type { InformerSet } from './informer-set.js';
import type { RuntimeMetrics } from './metrics.js';
import { TerminalError } from './outcomes.js';
import { ownerKeys } from './owners.js';
import type { RateLimiter } from './rate-limiter.js';
import { objectKey, resourceName, splitKey, type KubeObject, type ResourceRef } from './resource.js';
import { WorkQueue } from './work-queue.js';
import { setMaxListeners } from 'node:events';

export interface ReconcileContext {
  /** `namespace/name` of the primary object (which may no longer exist). */
  key: string;
  namespace: string | undefined;
  name: string;
  /** Aborted when this process must stop writing (leadership lost, shutdown). */
  signal: AbortSignal;
  /** A logger whose every line carries the key. */
  log: Logger;
}

export interface ReconcileResult {
  /** Look again after this long even if nothing changes (e.g. to poll an external system). */
  requeueAfterMs?: number;
}

/** Throw to retry with backoff (a TerminalError: not retried); return to succeed. */
export type Reconcile = (ctx: ReconcileContext) => Promise<ReconcileResult | void>;

export interface ControllerSpec {
  /** Names the controller in logs and metrics, e.g. `function`. */
  name: string;
  primary: ResourceRef;
  /** Child kinds whose ownerReferences point at the primary kind. */
  owns?: ResourceRef[];
  reconcile: Reconcile;
  /** Concurrent reconciles (distinct keys); default 2. */
  workers?: number;
  /** Retry delays after failures; default 5 ms doubling to 1000 s, overall 10/s burst 100. */
  rateLimiter?: () => RateLimiter;
}

interface Term {
  queue: WorkQueue;
  abort: AbortController;
  workers: Promise<void>[];
}

export class Controller {
  readonly name: string;
  /** The primary kind's cache: reconcilers read current objects here. */
  readonly primary: Informer;
  private readonly informers: InformerSet;
  private readonly owned = new Set<string>();
  private term: Term | undefined;
  private readonly log: Logger;

  constructor(
    private readonly spec: ControllerSpec,
    informers: InformerSet,
    private readonly metrics: RuntimeMetrics,
    log: Logger,
  ) {
    this.name = spec.name;
    this.log = log.child({ controller: spec.name });
    this.informers = informers;
    this.primary = informers.informer(spec.primary);
    this.primary.addHandler({
      add: (obj) => this.enqueue(objectKey(obj)),
      update: (_old, obj) => this.enqueue(objectKey(obj)),
      delete: (obj) => this.enqueue(objectKey(obj)),
    });
    for (const ref of spec.owns ?? []) this.watchOwned(ref);
    metrics.trackQueueDepth(spec.name, () => this.term?.queue.length ?? 0);
  }

  /**
   * Watches one more child kind, e.g. one the cluster started serving after the start (KEDA
   * installed later). Its informer starts at once when the others run; idempotent.
   */
  own(ref: ResourceRef): void {
    if (this.owned.has(resourceName(ref))) return;
    if (!this.spec.owns?.some((owned) => resourceName(owned) === resourceName(ref))) this.spec.owns = [...(this.spec.owns ?? []), ref];
    this.watchOwned(ref);
  }

  private watchOwned(ref: ResourceRef): void {
    this.owned.add(resourceName(ref));
    const primary = this.spec.primary;
    const child = this.informers.indexOwners(ref, primary);
    const enqueueOwners = (obj: KubeObject) => ownerKeys(obj, primary).forEach((key) => this.enqueue(key));
    child.addHandler({
      add: enqueueOwners,
      update: (old, obj) => new Set([...ownerKeys(old, primary), ...ownerKeys(obj, primary)]).forEach((key) => this.enqueue(key)),
      delete: enqueueOwners,
    });
  }

  /** The cached children of kind `ref` owned by the primary object `key`. */
  ownedBy<T extends KubeObject = KubeObject>(ref: ResourceRef, key: string): T[] {
    if (!this.spec.owns?.some((owned) => resourceName(owned) === resourceName(ref))) throw new Error(`controller ${this.name} does not own ${ref.kind}: add it to owns`);
    return this.informers.ownedBy<T>(ref, this.spec.primary, key);
  }

  /** Queues a key for reconciling (ignored between terms: the next term queues everything). */
  enqueue(key: string): void {
    this.term?.queue.add(key);
  }

  get running(): boolean {
    return this.term !== undefined;
  }

  /** Starts workers and queues every cached primary object. */
  startWorkers(): void {
    if (this.term) return;
    const name = this.name;
    const queue = new WorkQueue(this.spec.rateLimiter?.(), {
      added: () => this.metrics.queueAdds.inc({ controller: name }),
      retried: () => this.metrics.retries.inc({ controller: name }),
    });
    const abort = new AbortController();
    // Every in-flight reconcile (and each of its requests) listens on this one signal.
    setMaxListeners(0, abort.signal);
    this.term = { queue, abort, workers: [] };
    for (const key of this.primary.store.keys()) queue.add(key);
    const workers = this.spec.workers ?? 2;
    for (let i = 0; i < workers; i++) this.term.workers.push(this.work(queue, abort.signal));
    this.log.info({ workers, queued: queue.length }, 'workers started');
  }

  /**
   * Ends the term: queued keys are dropped at once; in-flight reconciles get `graceMs` to finish
   * (0 when leadership is lost: they must stop writing now), then their signal aborts. Resolves
   * when every worker has returned.
   */
  async stopWorkers({ graceMs = 0 } = {}): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    const drained = term.queue.shutDown();
    if (graceMs > 0 && term.queue.inFlight > 0) {
      const graceTimer = new AbortController();
      await Promise.race([drained, sleep(graceMs, graceTimer.signal)]);
      graceTimer.abort(); // no timer left behind once drained
    }
    term.abort.abort();
    await drained;
    await Promise.all(term.workers);
    this.log.info('workers stopped');
  }

  private async work(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      await this.reconcileOne(queue, key, signal);
      queue.done(key);
    }
  }

  private async reconcileOne(queue: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const log = this.log.child({ key });
    const labels = { controller: this.name };
    const end = this.metrics.reconcileSeconds.startTimer(labels);
    try {
      const result = await this.spec.reconcile({ key, namespace, name, signal, log });
      queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        queue.addAfter(key, result.requeueAfterMs);
        this.metrics.reconciles.inc({ ...labels, result: 'requeue_after' });
      } else {
        this.metrics.reconciles.inc({ ...labels, result: 'success' });
      }
    } catch (err) {
      this.metrics.reconciles.inc({ ...labels, result: 'error' });
      if (signal.aborted) {
        log.info({ err: String(err) }, 'reconcile interrupted: this process stopped writing');
        return;
      }
      if (err instanceof TerminalError) {
        queue.forget(key);
        if (err.recheckAfterMs !== undefined) queue.addAfter(key, err.recheckAfterMs);
        log.warn({ reason: err.reason, err: err.message, recheckInMs: err.recheckAfterMs }, 'reconcile failed; not retried until something changes');
        return;
      }
      const retryInMs = queue.addRateLimited(key);
      log.error({ err, retries: queue.retries(key), retryInMs }, 'reconcile failed');
    } finally {
      end();
    }
  }
}
