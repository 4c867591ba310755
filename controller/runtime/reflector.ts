// The list+watch loop that keeps a cache in step with the apiserver (our own, instead of the
// library's makeInformer, whose reconnect handling has misbehaved; see README.md here):
//
//   list (paged) ─► replace the cache ─► watch from the list's resourceVersion ─┐
//        ▲                                 (bookmarks on; newest version kept)  │
//        │ 410 Gone: the version was compacted                                  │
//        └──────────────────────────────────────────────────────────────────────┤
//                          server ended the watch (timeoutSeconds): watch again ◄┘
//                          any other error: back off with jitter, watch again
//
// A watch restarted from a version too old for the server fails with 410 and so re-lists.
import type { Logger } from '../../process/logger.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { isGone } from './kube-error.js';
import type { KubeClient, ObjectList, WatchEvent } from './kube-client.js';
import { apiVersionOf, type KubeObject, type ResourceRef } from './resource.js';

/** Where a reflector gets its lists and watches: the apiserver, or a fake in unit tests. */
export interface ListWatchSource<T extends KubeObject = KubeObject> {
  list(opts: { limit?: number; continue?: string; signal: AbortSignal }): Promise<ObjectList<T>>;
  watch(opts: { resourceVersion: string; timeoutSeconds: number; signal: AbortSignal }): AsyncIterable<WatchEvent<T>>;
}

/** What the reflector feeds: the whole state after a list, then one change at a time. */
export interface ReflectorSink<T extends KubeObject = KubeObject> {
  replace(items: T[], resourceVersion: string): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
}

export type RelistReason = 'initial' | 'expired' | 'error';
export type WatchEndReason = 'timeout' | 'error' | 'expired';

export interface ReflectorOptions {
  /** For logs and metrics, e.g. `configmaps` or `functions.compute.functionmesh.io`. */
  name: string;
  log: Logger;
  /** Server-side watch timeout; by default random in [300, 600) s so watches do not restart together. */
  watchTimeoutSeconds?: () => number;
  /** List page size (default 500). */
  pageSize?: number;
  backoff?: BackoffOptions;
  onRelist?(reason: RelistReason): void;
  onWatchEnd?(reason: WatchEndReason): void;
}

/** A list+watch source for one kind, optionally one namespace and a label selector. */
export function listWatch<T extends KubeObject = KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  filter: { namespace?: string; labelSelector?: string } = {},
): ListWatchSource<T> {
  const typeMeta = { apiVersion: apiVersionOf(ref), kind: ref.kind };
  return {
    async list(opts) {
      const list = await client.list<T>(ref, { ...filter, ...opts });
      // List items carry no kind; stamp it so cached objects look like watched ones.
      return { ...list, items: list.items.map((item) => ({ ...item, ...typeMeta })) };
    },
    watch: (opts) => client.watch<T>(ref, { ...filter, ...opts, allowWatchBookmarks: true }),
  };
}

export class Reflector<T extends KubeObject = KubeObject> {
  /** The newest resourceVersion seen (list, event or bookmark): where the next watch starts. */
  resourceVersion = '';
  private synced = false;
  private failures = 0;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly log: Logger;

  constructor(
    private readonly source: ListWatchSource<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly opts: ReflectorOptions,
  ) {
    this.backoff = new Backoff({ initialMs: 800, maxMs: 30_000, jitter: 1, ...opts.backoff });
    this.log = opts.log.child({ resource: opts.name });
  }

  /** True once the first list has reached the sink. */
  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Ends the current watch and the loop. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let relist: RelistReason | undefined = 'initial';
    while (!signal.aborted) {
      try {
        if (relist) {
          await this.list(relist, signal);
          relist = undefined;
        }
        const healthy = await this.watch(signal);
        if (signal.aborted) break;
        this.opts.onWatchEnd?.('timeout');
        if (healthy) continue;
        // Closed at once with nothing to say: back off rather than spin.
        this.failures++;
        this.log.warn({ resourceVersion: this.resourceVersion }, 'watch closed early without events; backing off');
      } catch (err) {
        if (signal.aborted) break;
        this.failures++;
        const duringList = relist !== undefined;
        if (isGone(err)) {
          relist = 'expired';
          this.log.info({ resourceVersion: this.resourceVersion }, 'resourceVersion expired (410 Gone); re-listing');
          if (!duringList) this.opts.onWatchEnd?.('expired');
          // The first expiry re-lists at once; repeated ones back off like any error.
          if (this.failures === 1) continue;
        } else {
          if (duringList) relist = 'error';
          else this.opts.onWatchEnd?.('error');
          this.log.warn({ err: String(err), during: duringList ? 'list' : 'watch', failures: this.failures }, 'list/watch failed; backing off');
        }
      }
      await sleep(this.backoff.next(), signal);
    }
  }

  private async list(reason: RelistReason, signal: AbortSignal): Promise<void> {
    this.opts.onRelist?.(reason);
    const { items, resourceVersion } = await this.listAll(signal);
    this.sink.replace(items, resourceVersion);
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.log.debug({ reason, count: items.length, resourceVersion }, 'listed');
  }

  // Pages through the list; all pages come from one snapshot. If the snapshot expires midway
  // (410 on a continue token), falls back to one unpaged list.
  private async listAll(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }> {
    const limit = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let cont: string | undefined;
    try {
      do {
        const page = await this.source.list({ limit, continue: cont, signal });
        items.push(...page.items);
        cont = page.metadata.continue || undefined;
        if (!cont) return { items, resourceVersion: page.metadata.resourceVersion ?? '' };
      } while (!signal.aborted);
    } catch (err) {
      if (!(cont && isGone(err))) throw err;
      this.log.info('list snapshot expired between pages; listing unpaged');
    }
    const whole = await this.source.list({ signal });
    return { items: whole.items, resourceVersion: whole.metadata.resourceVersion ?? '' };
  }

  /**
   * Runs one watch to its end. True if it was healthy: it delivered something, or the server
   * held it open for about the time asked (a quiet kind sends nothing between timeouts).
   */
  private async watch(signal: AbortSignal): Promise<boolean> {
    const timeoutSeconds = this.opts.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const started = Date.now();
    let delivered = false;
    for await (const event of this.source.watch({ resourceVersion: this.resourceVersion, timeoutSeconds, signal })) {
      if (event.type !== 'BOOKMARK') this.sink.apply(event.type, event.object);
      const rv = event.object.metadata.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (!delivered) this.healthy();
      delivered = true;
    }
    const healthy = delivered || Date.now() - started >= (timeoutSeconds * 1000) / 2;
    if (healthy) this.healthy();
    return healthy;
  }

  private healthy(): void {
    this.failures = 0;
    this.backoff.reset();
  }
}
