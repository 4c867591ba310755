// The Manager runs a process's controllers: shared informers, optional leader election, and
// the rule for when workers may write. Workers run only while the caches are synced and (with
// leader election) this process leads; losing the Lease stops them at once (see controller.ts),
// and winning it again starts fresh ones. Readiness means "caches synced and leadership known",
// not "leading": a standby replica is healthy and ready.
import type { Registry } from 'prom-client';
import type { Logger } from '../../process/logger.js';
import { Controller, type ControllerSpec } from './controller.js';
import { InformerSet } from './informer-set.js';
import type { KubeClient } from './kube-client.js';
import { LeaderElector, type LeaderElectorOptions } from './leader-election.js';
import { RuntimeMetrics } from './metrics.js';

export interface ManagerOptions {
  client: KubeClient;
  log: Logger;
  /** Where the runtime's metrics go (the ops server's registry). */
  registry: Registry;
  /** Watch one namespace only (default: all). */
  namespace?: string;
  /** Omit to run without leader election (a single replica, or tests). */
  leaderElection?: Omit<LeaderElectorOptions, 'client' | 'log' | 'onStartedLeading' | 'onStoppedLeading'>;
  /** Server-side watch timeout (default random 300–600 s). */
  watchTimeoutSeconds?: () => number;
}

export class Manager {
  readonly informers: InformerSet;
  readonly elector: LeaderElector | undefined;
  private readonly controllers: Controller[] = [];
  private readonly metrics: RuntimeMetrics;
  private readonly abort = new AbortController();
  private mayWrite = false;
  private started = false;

  constructor(private readonly opts: ManagerOptions) {
    this.metrics = RuntimeMetrics.for(opts.registry);
    this.informers = new InformerSet({
      client: opts.client,
      log: opts.log,
      metrics: this.metrics,
      namespace: opts.namespace,
      watchTimeoutSeconds: opts.watchTimeoutSeconds,
    });
    if (opts.leaderElection) {
      const lease = `${opts.leaderElection.namespace}/${opts.leaderElection.name}`;
      this.metrics.leader.set({ lease }, 0);
      this.elector = new LeaderElector({
        ...opts.leaderElection,
        client: opts.client,
        log: opts.log,
        onStartedLeading: () => {
          this.metrics.leader.set({ lease }, 1);
          this.setMayWrite(true);
        },
        onStoppedLeading: () => {
          this.metrics.leader.set({ lease }, 0);
          this.setMayWrite(false);
        },
        onNewLeader: (leader) => opts.log.info({ lease, leader }, 'leader observed'),
      });
    }
  }

  /** Adds a controller; call before start(). */
  add(spec: ControllerSpec): Controller {
    if (this.started) throw new Error(`add controller ${spec.name} before Manager.start()`);
    if (this.controllers.some((c) => c.name === spec.name)) throw new Error(`controller name "${spec.name}" is used twice`);
    const controller = new Controller(spec, this.informers, this.metrics, this.opts.log);
    this.controllers.push(controller);
    return controller;
  }

  /** Starts informers and, once they have synced, workers (or the election that gates them). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.informers.start();
    void this.informers.waitForSync(this.abort.signal).then((synced) => {
      if (!synced) return;
      this.opts.log.info('caches synced');
      if (this.elector) this.elector.start();
      else this.setMayWrite(true);
    });
  }

  /** A reason when not ready (for /readyz), undefined when ready. */
  notReadyReason(): string | undefined {
    const unsynced = this.informers.unsynced();
    if (unsynced.length) return `caches not synced: ${unsynced.join(', ')}`;
    if (this.elector && !this.elector.stateKnown) return 'leader election: lease not read yet';
    return undefined;
  }

  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : this.mayWrite;
  }

  /**
   * Graceful stop: in-flight reconciles get `graceMs` (default 10 s) to finish while this process
   * still holds the Lease, then are aborted; then the Lease is released and the watches end.
   */
  async stop({ graceMs = 10_000 } = {}): Promise<void> {
    this.abort.abort();
    this.mayWrite = false;
    await Promise.all(this.controllers.map((c) => c.stopWorkers({ graceMs })));
    await this.elector?.stop();
    await this.informers.stop();
  }

  private setMayWrite(mayWrite: boolean): void {
    if (this.abort.signal.aborted && mayWrite) return;
    this.mayWrite = mayWrite;
    for (const c of this.controllers) {
      if (mayWrite) c.startWorkers();
      else void c.stopWorkers();
    }
  }
}
