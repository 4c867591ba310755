// A producer over Pulsar's WebSocket API. `send` resolves with the message id once the broker
// has persisted the message (its receipt), and rejects on a send error, on a time-out, or when
// the connection drops first — then the outcome is unknown and a retry may duplicate.
import { formatTopicName, parseTopicName, topicPath } from './topic-name.js';
import { encodeProducerFrame, type OutgoingMessage, type ProducerReceiptFrame } from './ws-messages.js';
import { PulsarWsSession, type PulsarWsOptions } from './ws-session.js';

export interface ProducerOptions extends PulsarWsOptions {
  topic: string;
  /** Default time-out of each send, waiting for a connection included. Default 30 s. */
  sendTimeoutMs?: number;
  producerName?: string;
  batching?: { maxMessages?: number; maxPublishDelayMs?: number };
}

export class SendError extends Error {
  override readonly name = 'SendError';
}

interface Pending {
  resolve(messageId: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  session: number;
}

export class PulsarProducer {
  readonly topic: string;
  private readonly session: PulsarWsSession;
  private readonly pending = new Map<string, Pending>();
  private readonly sendTimeoutMs: number;
  private nextContext = 0;

  constructor(opts: ProducerOptions) {
    const topic = parseTopicName(opts.topic);
    this.topic = formatTopicName(topic);
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 30_000;
    const query = new URLSearchParams({ sendTimeoutMillis: String(this.sendTimeoutMs) });
    if (opts.producerName) query.set('producerName', opts.producerName);
    if (opts.batching) {
      query.set('batchingEnabled', 'true');
      if (opts.batching.maxMessages) query.set('batchingMaxMessages', String(opts.batching.maxMessages));
      if (opts.batching.maxPublishDelayMs) query.set('batchingMaxPublishDelay', String(opts.batching.maxPublishDelayMs));
    }
    this.session = new PulsarWsSession(`/ws/v2/producer/${topicPath(topic)}?${query}`, opts, {
      onText: (text, session) => this.onReceipt(text, session),
      onDrop: (session, reason) => this.failSession(session, reason),
    });
    this.session.start();
  }

  get connected(): boolean {
    return this.session.connected;
  }

  get lastError(): string | undefined {
    return this.session.lastError;
  }

  /** Sends in flight, awaiting their receipt. */
  get inFlight(): number {
    return this.pending.size;
  }

  waitConnected(timeoutMs = this.sendTimeoutMs): Promise<void> {
    return this.session.waitConnected(timeoutMs);
  }

  async send(message: OutgoingMessage, timeoutMs = this.sendTimeoutMs): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    if (!this.session.connected) {
      await this.session.waitConnected(timeoutMs).catch((err: Error) => {
        throw new SendError(`send to ${this.topic}: ${err.message}`);
      });
    }
    const context = String(this.nextContext++);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(context);
        reject(new SendError(`send to ${this.topic}: no receipt within ${timeoutMs} ms`));
      }, Math.max(1, deadline - Date.now()));
      this.pending.set(context, { resolve, reject, timer, session: this.session.session });
      if (!this.session.send(encodeProducerFrame(message, context))) {
        this.settle(context, new SendError(`send to ${this.topic}: connection lost`));
      }
    });
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private onReceipt(text: string, _session: number): void {
    let receipt: ProducerReceiptFrame;
    try {
      receipt = JSON.parse(text) as ProducerReceiptFrame;
    } catch {
      return;
    }
    if (receipt.context === undefined) return;
    if (receipt.result === 'ok' && receipt.messageId) this.settle(receipt.context, undefined, receipt.messageId);
    else this.settle(receipt.context, new SendError(`send to ${this.topic}: ${receipt.result}${receipt.errorMsg ? ` (${receipt.errorMsg})` : ''}`));
  }

  private settle(context: string, err: Error | undefined, messageId?: string): void {
    const p = this.pending.get(context);
    if (!p) return;
    this.pending.delete(context);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(messageId!);
  }

  private failSession(session: number, reason: string): void {
    for (const [context, p] of this.pending) {
      if (p.session === session) this.settle(context, new SendError(`send to ${this.topic}: connection lost before the receipt (${reason})`));
    }
  }
}
