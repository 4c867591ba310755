// The runtime's Prometheus metrics, registered once per registry and labelled by controller
// or resource, so several controllers in one process share them.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class RuntimeMetrics {
  readonly reconciles: Counter<'controller' | 'result'>;
  readonly reconcileSeconds: Histogram<'controller'>;
  readonly queueDepth: Gauge<'controller'>;
  readonly queueAdds: Counter<'controller'>;
  readonly retries: Counter<'controller'>;
  readonly watchRestarts: Counter<'resource' | 'reason'>;
  readonly relists: Counter<'resource' | 'reason'>;
  readonly leader: Gauge<'lease'>;
  private readonly depthSources = new Map<string, () => number>();

  private constructor(registry: Registry) {
    const registers = [registry];
    const depthSources = this.depthSources;
    this.reconciles = new Counter({
      name: 'fm_controller_reconcile_total',
      help: 'Reconciles by result: success, requeue_after (success with a requested re-check) or error (a TerminalError too, though it is not retried)',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileSeconds = new Histogram({
      name: 'fm_controller_reconcile_duration_seconds',
      help: 'Time spent in one reconcile',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'fm_controller_workqueue_depth',
      help: 'Keys waiting for a worker',
      labelNames: ['controller'],
      registers,
      collect() {
        for (const [controller, depth] of depthSources) this.set({ controller }, depth());
      },
    });
    this.queueAdds = new Counter({
      name: 'fm_controller_workqueue_adds_total',
      help: 'Keys added to the work queue (a key already queued is not counted)',
      labelNames: ['controller'],
      registers,
    });
    this.retries = new Counter({
      name: 'fm_controller_workqueue_retries_total',
      help: 'Keys scheduled for a retry after a failed reconcile',
      labelNames: ['controller'],
      registers,
    });
    this.watchRestarts = new Counter({
      name: 'fm_controller_watch_restarts_total',
      help: 'Watches that ended and were restarted, by reason: timeout (server closed it as asked), error, expired (410)',
      labelNames: ['resource', 'reason'],
      registers,
    });
    this.relists = new Counter({
      name: 'fm_controller_relists_total',
      help: 'Full lists by reason: initial, expired (after 410 Gone), error',
      labelNames: ['resource', 'reason'],
      registers,
    });
    this.leader = new Gauge({
      name: 'fm_controller_leader',
      help: '1 while this process holds the leader-election lease',
      labelNames: ['lease'],
      registers,
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, RuntimeMetrics>();

  static for(registry: Registry): RuntimeMetrics {
    let metrics = RuntimeMetrics.byRegistry.get(registry);
    if (!metrics) RuntimeMetrics.byRegistry.set(registry, (metrics = new RuntimeMetrics(registry)));
    return metrics;
  }

  /** Reports a controller's queue depth at scrape time. */
  trackQueueDepth(controller: string, depth: () => number): void {
    this.depthSources.set(controller, depth);
  }
}
