// Push activation for StreamIsActive: each open stream is checked every `checkMs` against the
// shared backlog cache; while its function is idle (backlog at or below the activation
// threshold, nobody consuming) the watcher keeps a reader on each of its topics (the transport is
// the `openWatch` given: binary protocol or WebSocket), so the first message published wakes it
// within milliseconds, without polling Pulsar every second. Readers are shared between streams on
// the same topic and closed once nobody idles on it.
// A topic that does not exist is not watched (a reader would create it). Once a check finds it
// created, its reader starts from the earliest message: everything in it was published after the
// check that found it missing, so the message that created it wakes the function too.
import { parseTopicName, type TopicName } from '../adapters/pulsar/topic-name.js';
import type { Logger } from '../process/logger.js';
import { isActive } from './backlog.js';
import type { BacklogReport, BacklogSource } from './backlog-source.js';
import type { TriggerConfig } from './metadata.js';

export interface ActivationStream {
  /** `namespace/name` of the ScaledObject, for logs. */
  key: string;
  config: TriggerConfig;
  log: Logger;
  push: (active: boolean) => void;
}

export interface Watch {
  /** The reader is connected: a message published now will be seen. */
  readonly connected: boolean;
  close(): void;
}

/** Where a reader starts: `latest` (messages published from now on) or `earliest` (all of them). */
export type WatchStart = 'latest' | 'earliest';

export type OpenWatch = (args: {
  config: TriggerConfig;
  topic: TopicName;
  from: WatchStart;
  onOpen: () => void;
  onMessage: () => void;
}) => Watch;

export interface ActivationWatcherOptions {
  source: Pick<BacklogSource, 'read' | 'invalidate'>;
  openWatch: OpenWatch;
  log: Logger;
  /** How often an open stream's state is re-read (through the cache). */
  checkMs?: number;
  /** Debounce of fresh re-reads after readers open or messages arrive. */
  verifyDelayMs?: number;
  onPush?: (stream: ActivationStream) => void;
}

interface StreamState {
  stream: ActivationStream;
  /** Topics this stream idles on (watch keys). */
  watching: Set<string>;
  pushedActive: boolean;
  /** Set while checks fail, so a Pulsar outage is logged once per stream, not every check. */
  failing: boolean;
}

interface SharedWatch {
  watch: Watch;
  streams: Set<StreamState>;
  adminUrl: string;
  topic: TopicName;
}

export class ActivationWatcher {
  private readonly streams = new Set<StreamState>();
  private readonly watches = new Map<string, SharedWatch>();
  /** Watch keys of topics a check found missing and no check has found created since. */
  private readonly missing = new Set<string>();
  private readonly verifyQueue = new Set<StreamState>();
  private verifyTimer?: NodeJS.Timeout;
  private readonly timer: NodeJS.Timeout;
  private readonly checkMs: number;

  constructor(private readonly opts: ActivationWatcherOptions) {
    this.checkMs = opts.checkMs ?? 10_000;
    this.timer = setInterval(() => void this.checkAll(), this.checkMs);
  }

  get watchedTopics(): number {
    return this.watches.size;
  }

  /** Watched topics whose reader is connected. */
  get connectedTopics(): number {
    let n = 0;
    for (const w of this.watches.values()) if (w.watch.connected) n++;
    return n;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Starts watching for a stream; returns the function that stops it. */
  add(stream: ActivationStream): () => void {
    const state: StreamState = { stream, watching: new Set(), pushedActive: false, failing: false };
    this.streams.add(state);
    void this.check(state);
    return () => this.remove(state);
  }

  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.verifyTimer);
    for (const state of [...this.streams]) this.remove(state);
    this.missing.clear();
  }

  private remove(state: StreamState): void {
    this.streams.delete(state);
    this.verifyQueue.delete(state);
    this.setWatching(state, new Set());
  }

  private async checkAll(): Promise<void> {
    await Promise.all([...this.streams].map((s) => this.check(s)));
  }

  private async check(state: StreamState): Promise<void> {
    let report: BacklogReport;
    try {
      report = await this.opts.source.read(state.stream.config);
    } catch (err) {
      if (!state.failing) state.stream.log.warn({ err: (err as Error).message }, 'activation check failed; keeping current watches');
      state.failing = true;
      return;
    }
    if (state.failing) state.stream.log.info('activation check works again');
    state.failing = false;
    if (!this.streams.has(state)) return;
    const { config } = state.stream;
    if (isActive(report.backlog, config.activationBacklog)) {
      this.push(state);
      this.setWatching(state, new Set());
      return;
    }
    state.pushedActive = false;
    // Idle topics: existing (a reader would create a missing one) and without consumers.
    const idle = new Set<string>();
    const created = new Set<string>();
    for (const t of report.topics) {
      const key = watchKey(config.adminUrl, t.topic);
      if (!t.exists) {
        this.missing.add(key);
        continue;
      }
      if (this.missing.delete(key)) created.add(key);
      if (t.consumers === 0) idle.add(key);
    }
    this.setWatching(state, idle, created);
  }

  private push(state: StreamState): void {
    if (state.pushedActive) return;
    state.pushedActive = true;
    state.stream.log.info('work arrived: pushing active');
    state.stream.push(true);
    this.opts.onPush?.(state.stream);
  }

  /** `fromEarliest`: keys of topics created since the last check, read from their first message. */
  private setWatching(state: StreamState, wanted: Set<string>, fromEarliest: ReadonlySet<string> = new Set()): void {
    for (const key of state.watching) {
      if (wanted.has(key)) continue;
      const shared = this.watches.get(key);
      shared?.streams.delete(state);
      if (shared && shared.streams.size === 0) {
        shared.watch.close();
        this.watches.delete(key);
      }
    }
    for (const key of wanted) {
      if (state.watching.has(key)) continue;
      let shared = this.watches.get(key);
      if (!shared) shared = this.openShared(key, state.stream.config, fromEarliest.has(key) ? 'earliest' : 'latest');
      shared.streams.add(state);
    }
    state.watching = wanted;
  }

  private openShared(key: string, config: TriggerConfig, from: WatchStart): SharedWatch {
    const topic = parseTopicName(key.slice(key.indexOf(' ') + 1));
    const shared: SharedWatch = { streams: new Set(), adminUrl: config.adminUrl, topic, watch: { connected: false, close: () => undefined } };
    shared.watch = this.opts.openWatch({
      config,
      topic,
      from,
      // A message may have arrived between the last check and the reader's start: re-read.
      onOpen: () => this.verify(shared),
      onMessage: () => this.onMessage(shared),
    });
    this.watches.set(key, shared);
    return shared;
  }

  private onMessage(shared: SharedWatch): void {
    for (const state of [...shared.streams]) {
      const { config } = state.stream;
      // No consumer and a new message: the backlog grew past 0 (or the subscription does not
      // exist yet, and only a running function creates it). Above 0, the count must be read.
      if (config.activationBacklog === 0) {
        this.push(state);
        this.setWatching(state, new Set());
      } else {
        this.enqueueVerify(state);
      }
    }
  }

  private verify(shared: SharedWatch): void {
    for (const state of shared.streams) this.enqueueVerify(state);
  }

  private enqueueVerify(state: StreamState): void {
    this.verifyQueue.add(state);
    this.verifyTimer ??= setTimeout(() => {
      this.verifyTimer = undefined;
      const batch = [...this.verifyQueue];
      this.verifyQueue.clear();
      for (const s of batch) {
        const topics = [...s.watching].map((k) => parseTopicName(k.slice(k.indexOf(' ') + 1)));
        this.opts.source.invalidate(s.stream.config.adminUrl, topics);
      }
      void Promise.all(batch.map((s) => this.check(s)));
    }, this.opts.verifyDelayMs ?? 100);
  }
}

function watchKey(adminUrl: string, topic: string): string {
  return `${adminUrl} ${topic}`;
}
