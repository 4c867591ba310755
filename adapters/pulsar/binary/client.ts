// The entry point: a client for one Pulsar cluster, holding the connection pool (one connection
// per broker, shared by everything the client creates) and the lookup service. It creates
// producers, consumers and readers, choosing the partitioned or multi-topic kinds when the
// topic metadata calls for them.
import { readFileSync } from 'node:fs';
import { bearerToken } from '../bearer-token.js';
import type { ClientContext } from './client-context.js';
import { ConnectionPool } from './connection-pool.js';
import type { Authentication, TlsOptions } from './connection.js';
import { TopicConsumer, type Consumer, type ConsumerOptions, type CursorOptions } from './consumer.js';
import { PulsarClientError } from './errors.js';
import { LookupService, type RediscoverServiceUrl } from './lookup.js';
import { DEFAULT_MEMORY_LIMIT_BYTES, MemoryLimit } from './memory-limit.js';
import { MultiTopicConsumer } from './multi-topic-consumer.js';
import { PartitionedProducer } from './partitioned-producer.js';
import { subscribePattern } from './pattern-consumer.js';
import { TopicProducer, type Producer, type ProducerOptions } from './producer.js';
import { checkReaderOptions, Reader, readerSubscription, type ReaderOptions } from './reader.js';
import { ReceiverQueue } from './receiver-queue.js';
import { formatTopicName, parseTopicName } from '../topic-name.js';

export interface ClientOptions {
  /** pulsar://host:6650 or pulsar+ssl://host:6651 (comma-separated hosts allowed). */
  serviceUrl: string;
  /**
   * Credentials: `{ token }` (a JWT, or `token:<jwt>` as Pulsar's auth parameters hold it; or a
   * function returning one, asked on every connect and every auth challenge), `{ tokenFile }`
   * (read again on every connect and every challenge, so rotated Secrets work), or any
   * Authentication (method name + data). A broker whose `authenticationRefreshCheckSeconds` finds
   * a connection's token expired challenges it: the answer is whatever the token source gives then.
   */
  authentication?: { token: string | TokenSource } | { tokenFile: string } | TlsAuthentication | Authentication;
  tls?: TlsOptions;
  /** Lookups, creating producers and consumers, and other requests. Default 30 s. */
  operationTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Ping the broker when idle this long; close after twice that in silence. Default 30 s. */
  keepAliveIntervalMs?: number;
  /**
   * Payload bytes all producers of this client may hold until the broker stores them; send()
   * waits beyond (backpressure). 0: no limit. Default 64 MiB, as in Java's client.
   */
  memoryLimitBytes?: number;
  /**
   * Asked for a fresh service URL when no host of the current one can be reached (the broker it
   * named came back at another address, or is gone for good), with the topic being looked up;
   * lookups go to its answer from then on. Default: keep trying the service URL.
   */
  rediscoverServiceUrl?: RediscoverServiceUrl;
}

/**
 * Mutual TLS as Pulsar's AuthenticationTls: the connection presents this certificate (PEM files,
 * read on every connect) and CONNECT names the `tls` method; needs a pulsar+ssl:// service URL.
 */
export interface TlsAuthentication {
  certFile: string;
  keyFile: string;
}

/** Where a fresh token comes from (e.g. a call to an identity provider). */
export type TokenSource = () => string | Promise<string>;

export class PulsarClient {
  private readonly ctx: ClientContext;
  private readonly closeables = new Set<{ close(): Promise<void> }>();
  private nextId = 1;
  private closed = false;

  constructor(opts: ClientOptions) {
    const a = opts.authentication;
    const pool = new ConnectionPool({
      auth: authentication(a),
      // TLS authentication is the client certificate itself; the broker takes the role from its CN.
      tls: a && 'certFile' in a ? { ...opts.tls, certFile: a.certFile, keyFile: a.keyFile } : opts.tls,
      connectTimeoutMs: opts.connectionTimeoutMs ?? 10_000,
      operationTimeoutMs: opts.operationTimeoutMs ?? 30_000,
      keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 30_000,
    });
    this.ctx = {
      pool,
      lookup: new LookupService(pool, opts.serviceUrl, opts.rediscoverServiceUrl),
      memory: new MemoryLimit(memoryLimit(opts.memoryLimitBytes)),
      operationTimeoutMs: opts.operationTimeoutMs ?? 30_000,
      newId: () => this.nextId++,
    };
  }

  /** The service URL lookups go to now (a rediscovered one, after the first went away). */
  get serviceUrl(): string {
    return this.ctx.lookup.serviceUrl;
  }

  /** Connections open now (one per broker in use). */
  get connectionCount(): number {
    return this.ctx.pool.size;
  }

  /** Partitions of a topic; 0 when it is not partitioned. */
  getPartitionCount(topic: string): Promise<number> {
    return this.ctx.lookup.partitions(fullName(topic));
  }

  async createProducer(opts: ProducerOptions): Promise<Producer> {
    this.checkOpen();
    const topic = fullName(opts.topic);
    const partitions = await this.ctx.lookup.partitions(topic);
    let producer: Producer;
    if (partitions > 0) {
      producer = await PartitionedProducer.create(this.ctx, { ...opts, topic }, partitions);
    } else {
      const p = new TopicProducer(this.ctx, { ...opts, topic });
      await p.start();
      producer = p;
    }
    return this.track(producer);
  }

  async subscribe(opts: ConsumerOptions): Promise<Consumer> {
    this.checkOpen();
    if (opts.topicsPattern !== undefined) {
      if (opts.topic || opts.topics) throw new PulsarClientError('subscribe: give topicsPattern, or topic/topics, not both');
      return this.track(await subscribePattern(this.ctx, opts, opts.topicsPattern));
    }
    const topics = opts.topics ?? (opts.topic ? [opts.topic] : []);
    if (topics.length === 0) throw new PulsarClientError('subscribe: give topic, topics or topicsPattern');
    return this.track(await this.consumerOver(topics, opts, { durable: true }));
  }

  async createReader(opts: ReaderOptions): Promise<Reader> {
    this.checkOpen();
    checkReaderOptions(opts);
    const consumerOpts: ConsumerOptions = {
      subscription: readerSubscription(opts),
      subscriptionType: 'Exclusive',
      consumerName: opts.readerName,
      receiverQueueSize: opts.receiverQueueSize,
      ackGroupingTimeMs: 0,
    };
    const cursor: CursorOptions = { durable: false, startMessageId: opts.startMessageId, startInclusive: opts.startMessageIdInclusive };
    const consumer = await this.consumerOver([opts.topic], consumerOpts, cursor);
    const parts = consumer instanceof MultiTopicConsumer ? consumer.partitionConsumers : [consumer as TopicConsumer];
    return this.track(new Reader(fullName(opts.topic), consumer, parts, opts));
  }

  private async consumerOver(topics: string[], opts: ConsumerOptions, cursor: CursorOptions): Promise<Consumer> {
    const named = topics.map(fullName);
    const counts = await Promise.all(named.map((t) => this.ctx.lookup.partitions(t)));
    if (named.length === 1 && counts[0] === 0) {
      const c = new TopicConsumer(this.ctx, named[0]!, opts, new ReceiverQueue(), true, -1, cursor);
      await c.start();
      return c;
    }
    return MultiTopicConsumer.create(this.ctx, opts, named.map((t, i) => [t, counts[i]!]), cursor);
  }

  private track<T extends { close(): Promise<void> }>(thing: T): T {
    this.closeables.add(thing);
    const close = thing.close.bind(thing);
    thing.close = async () => {
      this.closeables.delete(thing);
      await close();
    };
    return thing;
  }

  private checkOpen(): void {
    if (this.closed) throw new PulsarClientError('the client is closed');
  }

  /** Closes every producer, consumer and reader (flushing what they hold), then the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.closeables].map((c) => c.close()));
    await this.ctx.pool.close();
  }
}

function memoryLimit(bytes: number | undefined): number {
  if (bytes === undefined) return DEFAULT_MEMORY_LIMIT_BYTES;
  if (!Number.isInteger(bytes) || bytes < 0) throw new PulsarClientError(`memoryLimitBytes ${bytes}: expected a whole number of bytes, 0 for no limit`);
  return bytes;
}

function fullName(topic: string): string {
  return formatTopicName(parseTopicName(topic));
}

function authentication(a: ClientOptions['authentication']): Authentication | undefined {
  if (!a) return undefined;
  if ('methodName' in a) return a;
  if ('certFile' in a) {
    if (!a.certFile || !a.keyFile) throw new PulsarClientError('authentication: TLS authentication needs certFile and keyFile (PEM files)');
    return { methodName: 'tls', getData: () => Buffer.alloc(0) };
  }
  const read: TokenSource = 'token' in a ? (typeof a.token === 'function' ? a.token : () => a.token as string) : () => readFileSync(a.tokenFile, 'utf8');
  return {
    methodName: 'token',
    getData: async () => {
      const token = bearerToken(await read());
      if (!token) throw new PulsarClientError(`authentication: the token${'tokenFile' in a ? ` in ${a.tokenFile}` : ''} is empty`);
      return Buffer.from(token);
    },
  };
}
