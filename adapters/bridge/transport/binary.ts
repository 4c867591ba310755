// The bridge over Pulsar's own protocol (adapters/pulsar/binary/): one client, so one connection
// per broker for the consumer and every producer. What the bridge adds around the client:
//  - creation that never gives up: a broker that refuses the token or is not up yet leaves the
//    bridge running and unready, retrying with backoff and logging why (a fixed Secret or a
//    broker coming back needs no restart); a producer the client gave up on is made anew;
//  - flow control by the pump: the consumer takes the next message from the client only while the
//    pump holds fewer than receiverQueueSize, so that many at most are unacknowledged in the bridge
//    (the client's own prefetch is the same size and holds nothing the bridge has started);
//  - acks of one event-loop turn leave together, right away: an ack held back longer would be a
//    duplicate after a SIGKILL.
// Message ids reach the pump as base64 of Pulsar's MessageIdData, as on the WebSocket API, so ids,
// CloudEvent ids and ORIGIN_MESSAGE_ID read the same on either transport.
import type { Logger } from '../../../process/logger.js';
import { backoffDelay, sleep } from '../../pulsar/backoff.js';
import { AlreadyClosedError, DEFAULT_MAX_MESSAGE_SIZE, PulsarClient, type Consumer, type Message, type Producer, type ProducerMessage } from '../../pulsar/binary/index.js';
import type { ConsumedMessage, OutgoingMessage } from '../../pulsar/ws-messages.js';
import type { BridgeConfig } from '../config.js';
import type { InputConsumer, InputSpec, OutputProducer, PayloadLimit, PulsarTransport } from './transport.js';

const CREATE_BACKOFF = { initialMs: 200, maxMs: 10_000 };
/**
 * Replies are batched over what one turn of the event loop produces, not held for Pulsar's usual
 * 10 ms: the pump waits for each receipt before it acknowledges, so a longer wait is latency
 * and, with few messages in flight, lost throughput.
 */
const BATCH_DELAY_MS = 1;
/** Room kept in a message for its metadata: the event's attributes, as properties. */
const METADATA_ALLOWANCE = 16 * 1024;
const YIELD_EVERY = 64;

export function binaryTransport(pulsar: BridgeConfig['pulsar'], timeoutMs: number, log: Logger): PulsarTransport {
  const client = new PulsarClient({
    serviceUrl: pulsar.url,
    ...(pulsar.authTokenFile ? { authentication: { tokenFile: pulsar.authTokenFile } }
      : pulsar.authToken ? { authentication: { token: pulsar.authToken } }
      // No token: the client certificate is the identity, as Pulsar's AuthenticationTls.
      : pulsar.tls.certFile && pulsar.tls.keyFile ? { authentication: { certFile: pulsar.tls.certFile, keyFile: pulsar.tls.keyFile } } : {}),
    // With a token too, the certificate is still presented: brokers that require one get it.
    tls: {
      ...(pulsar.tls.caFile && { caFile: pulsar.tls.caFile }),
      ...(pulsar.tls.certFile && pulsar.tls.keyFile && { certFile: pulsar.tls.certFile, keyFile: pulsar.tls.keyFile }),
      allowInsecure: pulsar.tls.allowInsecure,
    },
    connectionTimeoutMs: pulsar.connectTimeoutMs,
    operationTimeoutMs: timeoutMs,
  });
  return {
    endpoint: pulsar.url,
    consumer: (spec) => new BinaryConsumer(client, spec, log),
    producer: (topic, producerName) => new BinaryProducer(client, topic, producerName, timeoutMs, log),
    close: () => client.close(),
  };
}

/** Retries `create` with backoff until it works or `stop` aborts (then undefined). */
async function keepCreating<T>(what: string, create: () => Promise<T>, stop: AbortSignal, log: Logger, onError: (reason: string | undefined) => void): Promise<T | undefined> {
  for (let attempt = 1; !stop.aborted; attempt++) {
    try {
      const made = await create();
      onError(undefined);
      if (attempt > 1) log.info({ what }, 'connected to Pulsar');
      return made;
    } catch (err) {
      const reason = (err as Error).message;
      onError(reason);
      const retryInMs = backoffDelay(attempt, CREATE_BACKOFF);
      log.warn({ what, reason, retryInMs }, 'cannot create on Pulsar, retrying');
      await sleep(retryInMs, stop);
    }
  }
  return undefined;
}

class BinaryConsumer implements InputConsumer {
  lastError: string | undefined;
  private consumer: Consumer | undefined;
  private readonly held = new Map<string, Message>();
  private readonly stop = new AbortController();
  private roomWaiter: (() => void) | undefined;
  private flushQueued = false;
  private readonly running: Promise<void>;

  constructor(
    private readonly client: PulsarClient,
    private readonly spec: InputSpec,
    private readonly log: Logger,
  ) {
    this.running = this.run();
  }

  get connected(): boolean {
    return this.consumer?.connected ?? false;
  }

  private async run(): Promise<void> {
    const { input, subscription } = this.spec;
    const what = `consumer ${subscription} on ${'topics' in input ? input.topics.join(', ') : input.pattern}`;
    while (!this.stop.signal.aborted) {
      const consumer = await keepCreating(what, () => this.client.subscribe({
        ...('topics' in input ? { topics: input.topics } : { topicsPattern: input.pattern }),
        subscription,
        subscriptionType: this.spec.subscriptionType,
        subscriptionInitialPosition: this.spec.position === 'earliest' ? 'Earliest' : 'Latest',
        receiverQueueSize: this.spec.receiverQueueSize,
        consumerName: this.spec.consumerName,
        negativeAckRedeliveryDelayMs: this.spec.negativeAckRedeliveryDelayMs,
      }), this.stop.signal, this.log, (reason) => (this.lastError = reason));
      if (!consumer) return;
      if (this.stop.signal.aborted) return void (await consumer.close());
      this.consumer = consumer;
      try {
        await this.pass(consumer);
      } catch (err) {
        if (this.stop.signal.aborted) return;
        // The client gave up on this consumer (e.g. the subscription was deleted): make a new one.
        this.lastError = (err as Error).message;
        this.log.warn({ what, reason: this.lastError }, 'the consumer stopped; subscribing again');
        this.consumer = undefined;
        await consumer.close().catch(() => undefined);
      }
    }
  }

  /** Hands messages to the pump while it has room, until the consumer closes. */
  private async pass(consumer: Consumer): Promise<void> {
    for (let passed = 1; ; passed++) {
      while (!this.spec.hasRoom() && !this.stop.signal.aborted) await new Promise<void>((resolve) => (this.roomWaiter = resolve));
      if (this.stop.signal.aborted) return;
      // Queued messages come without a pause (receive() resolves at once): let I/O in now and
      // then, so that a backlog does not starve the replies, acks and health probes.
      if (passed % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const m = await consumer.receive();
      const message = consumed(m);
      this.held.set(message.messageId, m);
      this.spec.onMessage(message, 0);
    }
  }

  wake(): void {
    const waiter = this.roomWaiter;
    this.roomWaiter = undefined;
    waiter?.();
  }

  // The client keeps acks made while it reconnects and sends them once subscribed again, and a
  // message id stays valid across connections: the session number has no role here.
  ack(messageId: string): boolean {
    return this.settle(messageId, (c, m) => c.ack(m));
  }

  nack(messageId: string): boolean {
    return this.settle(messageId, (c, m) => c.nack(m));
  }

  private settle(messageId: string, how: (c: Consumer, m: Message) => void): boolean {
    const m = this.held.get(messageId);
    const consumer = this.consumer;
    if (!m || !consumer) return false;
    this.held.delete(messageId);
    how(consumer, m);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        consumer.flushAcks();
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.wake();
    const consumer = this.consumer;
    this.consumer = undefined;
    consumer?.flushAcks();
    await consumer?.close();
    await this.running.catch(() => undefined);
  }
}

class BinaryProducer implements OutputProducer {
  lastError: string | undefined;
  private producer: Producer | undefined;
  private creating: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly client: PulsarClient,
    private readonly topic: string,
    private readonly producerName: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.create();
  }

  /** Created, and the client holds a connection (while the client reconnects it may not). */
  get connected(): boolean {
    return this.producer !== undefined && this.client.connectionCount > 0;
  }

  private create(): void {
    if (this.creating) return;
    this.producer = undefined;
    this.creating = keepCreating(`producer on ${this.topic}`, () => this.client.createProducer({
      topic: this.topic,
      producerName: this.producerName,
      sendTimeoutMs: this.timeoutMs,
      batchingMaxPublishDelayMs: BATCH_DELAY_MS,
    }), this.stop.signal, this.log, (reason) => (this.lastError = reason)).then((producer) => {
      this.creating = undefined;
      if (producer && this.stop.signal.aborted) void producer.close();
      else this.producer = producer;
    });
  }

  /**
   * The broker's maxMessageSize (from its last CONNECTED; Pulsar's default until connected) less
   * room for the message's metadata (the event's attributes become properties); no chunking.
   */
  get payloadLimit(): PayloadLimit {
    const max = this.producer?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    return {
      bytes: max - METADATA_ALLOWANCE,
      why: `the broker's maxMessageSize is ${max} bytes, ${METADATA_ALLOWANCE} of them kept for the message's metadata; raise maxMessageSize on the brokers (and nettyMaxFrameSizeBytes on the bookies) for larger events`,
    };
  }

  /** Resolves with the message id once Pulsar has the message; fails at once while Pulsar refuses the producer. */
  async send(message: OutgoingMessage): Promise<string> {
    if (!this.producer && this.creating && !this.lastError) await Promise.race([this.creating, sleep(this.timeoutMs, this.stop.signal)]);
    const producer = this.producer;
    if (!producer) throw new Error(`send to ${this.topic}: not connected${this.lastError ? ` (${this.lastError})` : ''}`);
    try {
      return (await producer.send(outgoing(message))).toString();
    } catch (err) {
      // The client gives a producer up on errors a retry cannot fix (a terminated topic): the
      // next sends fail at once while a new one is tried in the background.
      if (err instanceof AlreadyClosedError && !this.stop.signal.aborted && this.producer === producer) this.create();
      throw new Error(`send to ${this.topic}: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.creating;
    await this.producer?.close();
  }
}

/** A client message in the form the pump (and the WebSocket consumer) uses. */
export function consumed(m: Message): ConsumedMessage {
  const message: ConsumedMessage = {
    messageId: m.id.serialize().toString('base64'),
    payload: m.payload,
    properties: m.properties,
    publishTime: new Date(m.publishTime).toISOString(),
    redeliveryCount: m.redeliveryCount,
  };
  if (m.key !== undefined) message.key = m.key;
  if (m.eventTime !== undefined) message.eventTime = new Date(m.eventTime).toISOString();
  return message;
}

/** A message to produce, in the client's form (event time as ms since the epoch). */
export function outgoing(message: OutgoingMessage): ProducerMessage {
  const out: ProducerMessage = { payload: message.payload };
  if (message.key !== undefined) out.key = message.key;
  if (message.properties) out.properties = message.properties;
  const eventTime = message.eventTime === undefined ? NaN : Date.parse(message.eventTime);
  if (eventTime > 0) out.eventTime = eventTime;
  return out;
}
