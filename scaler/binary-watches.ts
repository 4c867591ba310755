// Push activation over Pulsar's binary protocol (the default transport): one PulsarClient per
// admin URL, so every idle topic of a cluster is watched through one connection per broker. Each
// watch is a reader (non-durable: nothing is left behind on the broker) with a receiver queue of
// one, started at `latest` (or `earliest`). The client's address comes from the admin URL's HTTP
// lookup (broker-lookup.ts); when that broker can no longer be reached (it came back at another
// address, or is gone and another broker owns the topics), the client asks the lookup again for
// the topic it is reconnecting, so watches follow the topic, not the first answer. The token and
// the CA are the admin URL's own (credentials.ts).
import { MessageId, PulsarClient, type Reader } from '../adapters/pulsar/binary/index.js';
import type { PulsarAdmin } from '../adapters/pulsar/admin-client.js';
import { backoffDelay } from '../adapters/pulsar/backoff.js';
import type { TopicName } from '../adapters/pulsar/topic-name.js';
import { formatTopicName, parseTopicName } from '../adapters/pulsar/topic-name.js';
import type { Logger } from '../process/logger.js';
import type { OpenWatch, Watch, WatchStart } from './activation-watcher.js';
import { lookupBrokerUrl } from './broker-lookup.js';

export interface BinaryWatchesOptions {
  /** The admin client of an admin URL: its HTTP lookup finds the brokers. */
  adminFor: (adminUrl: string) => PulsarAdmin;
  /** The token getter of an admin URL (credentials.ts). */
  tokenFor: (adminUrl: string) => () => string | undefined;
  /** PEM CA(s) to trust for pulsar+ssl:// (the --pulsar-ca-file bundle). */
  ca?: string;
  /** Binary operation timeout. */
  timeoutMs: number;
  log: Logger;
  /** How often readers are checked for a reconnect (then the watcher re-reads, as after an open). */
  reconnectCheckMs?: number;
  /** How long a failed lookup is remembered, so a thousand watches retrying ask once. Default 5 s. */
  lookupRetryMs?: number;
}

interface ClusterClient {
  /** Resolved once the HTTP lookup answered; a failed lookup is forgotten so the next watch asks again. */
  client: Promise<PulsarClient>;
  resolved?: PulsarClient;
  serviceUrl?: string;
}

export class BinaryWatches {
  private readonly clients = new Map<string, ClusterClient>();
  private readonly watches = new Set<BinaryWatch>();
  /** Admin URLs whose watches fail now: an outage is logged once, not once per topic. */
  private readonly failing = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: BinaryWatchesOptions) {
    this.timer = setInterval(() => {
      for (const w of this.watches) w.noticeReconnect();
    }, opts.reconnectCheckMs ?? 1_000);
    this.timer.unref();
  }

  readonly open: OpenWatch = ({ config, topic, from, onOpen, onMessage }) => {
    const watch = new BinaryWatch({
      client: () => this.clientFor(config.adminUrl, topic),
      report: (err) => this.report(config.adminUrl, err),
      topic,
      from,
      onOpen,
      onMessage,
      forget: () => this.watches.delete(watch),
    });
    this.watches.add(watch);
    return watch;
  };

  /** Binary-protocol connections open now, over every cluster. */
  get connections(): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.resolved?.connectionCount ?? 0;
    return n;
  }

  /** The broker address each admin URL's lookup gave (for logs and tests). */
  get serviceUrls(): Record<string, string | undefined> {
    return Object.fromEntries([...this.clients].map(([adminUrl, c]) => [adminUrl, c.serviceUrl]));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const w of [...this.watches]) w.close();
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map(async (c) => (await c.client).close()));
  }

  /** A watch failed (err) or opened (undefined): one warning per outage of an admin URL. */
  private report(adminUrl: string, err: Error | undefined): void {
    if (!err) {
      if (this.failing.delete(adminUrl)) this.opts.log.info({ adminUrl }, 'topic watches work again');
      return;
    }
    const first = !this.failing.has(adminUrl);
    this.failing.add(adminUrl);
    this.opts.log[first ? 'warn' : 'debug']({ adminUrl, err: err.message }, 'topic watch failed; retrying with backoff');
  }

  private clientFor(adminUrl: string, topic: TopicName): Promise<PulsarClient> {
    const existing = this.clients.get(adminUrl);
    if (existing) return existing.client;
    const token = this.opts.tokenFor(adminUrl);
    const admin = this.opts.adminFor(adminUrl);
    const entry: ClusterClient = {
      client: lookupBrokerUrl(admin, topic).then((serviceUrl) => {
        entry.serviceUrl = serviceUrl;
        this.opts.log.info({ adminUrl, serviceUrl }, 'push activation: binary-protocol client for this admin URL');
        const client = new PulsarClient({
          serviceUrl,
          rediscoverServiceUrl: async (name) => {
            const fresh = await lookupBrokerUrl(admin, parseTopicName(name));
            if (fresh !== entry.serviceUrl) this.opts.log.info({ adminUrl, was: entry.serviceUrl, serviceUrl: fresh }, 'push activation: the broker moved; looking topics up at the new address');
            entry.serviceUrl = fresh;
            return fresh;
          },
          // The getter is asked on every connect, so a rotated token file applies.
          authentication: token() ? { methodName: 'token', getData: () => Buffer.from(token() ?? '') } : undefined,
          tls: this.opts.ca ? { ca: this.opts.ca } : undefined,
          operationTimeoutMs: this.opts.timeoutMs,
          connectionTimeoutMs: this.opts.timeoutMs,
        });
        entry.resolved = client;
        return client;
      }),
    };
    entry.client.catch(() => {
      setTimeout(() => {
        if (this.clients.get(adminUrl) === entry) this.clients.delete(adminUrl);
      }, this.opts.lookupRetryMs ?? 5_000).unref();
    });
    this.clients.set(adminUrl, entry);
    return entry.client;
  }
}

interface BinaryWatchOptions {
  client: () => Promise<PulsarClient>;
  topic: TopicName;
  from: WatchStart;
  onOpen: () => void;
  onMessage: () => void;
  /** A failure (err) or a successful open (undefined), for the cluster's log lines. */
  report: (err: Error | undefined) => void;
  forget: () => void;
}

/** One topic's reader: created (retrying with backoff until it works), then read until closed. */
class BinaryWatch implements Watch {
  private reader?: Reader;
  private closed = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  /** The reader's state at the last reconnect check. */
  private wasConnected = false;

  constructor(private readonly opts: BinaryWatchOptions) {
    void this.start();
  }

  get connected(): boolean {
    return this.reader?.connected ?? false;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.opts.forget();
    const reader = this.reader;
    this.reader = undefined;
    void reader?.close().catch(() => undefined);
  }

  /**
   * The reader reconnects by itself (broker restart, unload) and resumes where it was; a message
   * published while it was away is found by the re-read that onOpen asks for.
   */
  noticeReconnect(): void {
    const now = this.connected;
    if (now && !this.wasConnected && this.reader) this.opts.onOpen();
    this.wasConnected = now;
  }

  private async start(): Promise<void> {
    const topic = formatTopicName(this.opts.topic);
    let reader: Reader;
    try {
      const client = await this.opts.client();
      if (this.closed) return;
      reader = await client.createReader({
        topic,
        startMessageId: this.opts.from === 'earliest' ? MessageId.earliest : MessageId.latest,
        receiverQueueSize: 1,
        subscriptionRolePrefix: 'fm-scaler-watch',
      });
    } catch (err) {
      if (this.closed) return;
      this.retry(err as Error);
      return;
    }
    if (this.closed) {
      void reader.close().catch(() => undefined);
      return;
    }
    this.reader = reader;
    this.attempt = 0;
    this.opts.report(undefined);
    this.wasConnected = true;
    this.opts.onOpen();
    void this.read(reader);
  }

  private async read(reader: Reader): Promise<void> {
    for (;;) {
      try {
        await reader.readNext();
      } catch (err) {
        // Closed by us, or the reader gave up (e.g. the token lost its permission): start over.
        if (this.closed || this.reader !== reader) return;
        this.reader = undefined;
        void reader.close().catch(() => undefined);
        this.retry(err as Error);
        return;
      }
      if (this.closed) return;
      this.opts.onMessage();
    }
  }

  private retry(err: Error): void {
    const delay = backoffDelay(++this.attempt, { initialMs: 500, maxMs: 30_000 });
    this.opts.report(new Error(`${formatTopicName(this.opts.topic)}: ${err.message}`));
    this.retryTimer = setTimeout(() => void this.start(), delay);
  }
}
