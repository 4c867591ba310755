// Function and sink modes: every message from the input subscription is POSTed to the container
// as a CloudEvent, retried with backoff, dead-lettered when it cannot be delivered, and
// acknowledged only once what it produced (reply or dead letter) is persisted in Pulsar.
//
// Flow control: the consumer holds at most receiverQueueSize unacknowledged messages; the
// ordering scheduler starts at most `concurrency` of them; retries keep their slot.
// Reconnects: a message redelivered while its first copy is still being processed is not
// processed twice — the copy is acknowledged when the first one finishes; one that already
// finished (its ack lost with the old connection) is acknowledged at once.
// Shutdown: stop taking messages, hand back (negative ack) what has not started or waits for a
// retry, let the rest finish until the deadline, then cut deliveries and hand those back too.
import { setMaxListeners } from 'node:events';
import type { Logger } from '../../process/logger.js';
import type { CloudEvent } from '../cloudevents/cloud-event.js';
import { cloudEventToMessage, messageToCloudEvent, type MessageContext } from '../cloudevents/pulsar-binding.js';
import { backoffDelay, sleep } from '../pulsar/backoff.js';
import type { ConsumedMessage, OutgoingMessage } from '../pulsar/ws-messages.js';
import type { BridgeConfig } from './config.js';
import { deadLetterMessage } from './dead-letter.js';
import type { BridgeMetrics } from './metrics.js';
import { OrderingScheduler } from './ordering.js';
import { nextStep } from './retry-policy.js';
import type { DeliveryResult } from './target-client.js';

export interface Acknowledger {
  ack(messageId: string, session: number): boolean;
  nack(messageId: string, session: number): boolean;
}

export interface Sender {
  send(message: OutgoingMessage, timeoutMs?: number): Promise<string>;
}

export interface Target {
  deliver(event: CloudEvent, signal?: AbortSignal): Promise<DeliveryResult>;
}

export interface PumpDeps {
  config: BridgeConfig;
  consumer: Acknowledger;
  /** Function mode: where replies go. */
  output?: Sender;
  deadLetter: Sender;
  target: Target;
  context: MessageContext;
  metrics: BridgeMetrics;
  log: Logger;
  /** A message left the pump (acknowledged or handed back): there is room for another. */
  onSettled?: () => void;
}

interface Entry {
  message: ConsumedMessage;
  /** Session to acknowledge on: updated when a redelivered copy arrives on a new connection. */
  session: number;
  receivedAt: number;
}

type Outcome = 'done' | 'hand-back';

const REMEMBERED_COMPLETIONS = 10_000;
const PERSIST_BACKOFF = { initialMs: 100, maxMs: 5_000 };

export class MessagePump {
  private readonly scheduler: OrderingScheduler<Entry>;
  private readonly active = new Map<string, Entry>();
  private readonly completed = new Set<string>(); // insertion-ordered: oldest evicted first
  private readonly draining = new AbortController(); // cuts retry waits
  private readonly stopping = new AbortController(); // cuts deliveries and sends
  private idle: (() => void) | undefined;

  constructor(private readonly deps: PumpDeps) {
    // Every delivery and retry wait listens on these two signals.
    setMaxListeners(0, this.draining.signal, this.stopping.signal);
    this.scheduler = new OrderingScheduler<Entry>(deps.config.ordering, deps.config.concurrency, (entry) => void this.run(entry));
  }

  get inFlight(): number {
    return this.active.size;
  }

  get isDraining(): boolean {
    return this.draining.signal.aborted;
  }

  onMessage(message: ConsumedMessage, session: number): void {
    const { consumer, metrics, config } = this.deps;
    metrics.received.inc();
    const id = message.messageId;
    const running = this.active.get(id);
    if (running) {
      running.session = session;
      return;
    }
    if (this.completed.has(id)) {
      consumer.ack(id, session);
      return;
    }
    if (this.isDraining) {
      if (consumer.nack(id, session)) metrics.handedBack.inc();
      return;
    }
    const entry: Entry = { message, session, receivedAt: performance.now() };
    this.active.set(id, entry);
    metrics.inFlight.inc();
    if (config.guarantee === 'atmost_once') consumer.ack(id, session);
    this.scheduler.submit(entry, message.key);
  }

  /** Stops taking work; resolves when everything in flight is finished or handed back. */
  async stop(deadlineMs: number): Promise<void> {
    this.draining.abort();
    for (const entry of this.scheduler.drain()) this.finish(entry, 'hand-back');
    if (this.active.size) {
      const idle = new Promise<void>((resolve) => (this.idle = resolve));
      // The deadline timers are cancelled once idle, so a finished pump holds no timer.
      const done = new AbortController();
      try {
        await Promise.race([idle, sleep(deadlineMs, done.signal)]);
        if (this.active.size) {
          this.deps.log.warn({ inFlight: this.active.size }, 'shutdown deadline reached: handing back what is still in flight');
          this.stopping.abort();
          await Promise.race([idle, sleep(2_000, done.signal)]);
        }
      } finally {
        done.abort();
      }
    }
  }

  private async run(entry: Entry): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.process(entry);
    } catch (err) {
      if (!this.stopping.signal.aborted) this.deps.log.error({ err, messageId: entry.message.messageId }, 'processing failed');
      outcome = 'hand-back';
    }
    this.finish(entry, outcome);
  }

  private async process(entry: Entry): Promise<Outcome> {
    const { config, target, metrics, output, context } = this.deps;
    const { message } = entry;
    const event = messageToCloudEvent(message, context);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const result = await target.deliver(event, this.stopping.signal);
      metrics.deliveryDuration.observe((performance.now() - started) / 1000);
      if (result.verdict === 'delivered') {
        if (result.reply && output) {
          await this.persist(output, cloudEventToMessage(result.reply, message.key === undefined ? {} : { key: message.key }));
          metrics.replies.inc();
        }
        metrics.delivered.inc();
        return 'done';
      }
      metrics.failed.inc({ verdict: result.verdict });
      if (this.stopping.signal.aborted) return 'hand-back';
      const failure = { retryable: result.verdict === 'retry', reason: result.reason, ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }) };
      const step = config.guarantee === 'atmost_once'
        ? { action: 'dead-letter' as const, reason: `at most once, not retried: ${result.reason}` }
        : nextStep(attempt, failure, { ...(config.maxRetries !== undefined && { maxRetries: config.maxRetries }), backoff: config.backoff });
      if (step.action === 'dead-letter') {
        const record = { reason: step.reason, target: config.targetUrl, ...(result.status !== undefined && { status: result.status }) };
        await this.persist(this.deps.deadLetter, deadLetterMessage(message, record));
        metrics.deadLettered.inc();
        this.deps.log.warn({ messageId: event.attributes.id, reason: step.reason }, 'dead-lettered');
        return 'done';
      }
      if (this.isDraining) return 'hand-back';
      metrics.retried.inc();
      await sleep(step.delayMs, this.draining.signal);
      if (this.isDraining) return 'hand-back';
    }
  }

  /** Sends until Pulsar confirms; only shutdown's deadline gives up (the message is then handed back). */
  private async persist(sender: Sender, message: OutgoingMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sender.send(message, this.deps.config.timeoutMs);
        return;
      } catch (err) {
        if (this.stopping.signal.aborted) throw err;
        this.deps.log.warn({ err: (err as Error).message, attempt }, 'send to Pulsar failed, retrying');
        await sleep(backoffDelay(attempt, PERSIST_BACKOFF), this.stopping.signal);
      }
    }
  }

  private finish(entry: Entry, outcome: Outcome): void {
    const { consumer, metrics, config } = this.deps;
    const id = entry.message.messageId;
    if (config.guarantee === 'atleast_once') {
      if (outcome === 'done') {
        consumer.ack(id, entry.session);
        this.remember(id);
      } else if (consumer.nack(id, entry.session)) {
        metrics.handedBack.inc();
      }
    }
    this.active.delete(id);
    this.scheduler.complete(entry);
    metrics.inFlight.dec();
    metrics.processingDuration.observe((performance.now() - entry.receivedAt) / 1000);
    if (!this.active.size) this.idle?.();
    this.deps.onSettled?.();
  }

  private remember(id: string): void {
    this.completed.add(id);
    if (this.completed.size > REMEMBERED_COMPLETIONS) this.completed.delete(this.completed.values().next().value!);
  }
}
