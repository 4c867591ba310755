// A consumer over Pulsar's WebSocket API, for one topic (/ws/v2/consumer/...), several topics or
// a topic pattern (/ws/v3/consumer/{subscription}?topics= | ?topicsPattern=, Pulsar ≥ 3.2).
// Push mode: the broker sends at most receiverQueueSize (≤ 1000) messages not yet acknowledged
// on this connection, so acknowledging is the flow control. Acks and negative acks name the
// session the message came in on: after a reconnect the broker redelivers what was not
// acknowledged, and an ack on the wrong connection would be lost.
import { formatTopicName, parseTopicName, topicPath } from './topic-name.js';
import { decodeConsumerFrame, type ConsumedMessage, type ConsumerFrame } from './ws-messages.js';
import { PulsarWsSession, type PulsarWsOptions } from './ws-session.js';

export type SubscriptionType = 'Exclusive' | 'Failover' | 'Shared' | 'Key_Shared';

export interface ConsumerOptions extends PulsarWsOptions {
  /** One or more topics, or a regex over full topic names (persistent://tenant/ns/...). */
  topics: string[] | { pattern: string };
  subscription: string;
  subscriptionType?: SubscriptionType;
  /** Messages in flight unacknowledged at most; Pulsar caps it at 1000. */
  receiverQueueSize?: number;
  consumerName?: string;
  negativeAckRedeliveryDelayMs?: number;
  onMessage(message: ConsumedMessage, session: number): void;
  onDrop?(session: number, reason: string): void;
}

export class PulsarConsumer {
  readonly description: string;
  private readonly session: PulsarWsSession;

  constructor(opts: ConsumerOptions) {
    const query = new URLSearchParams({ subscriptionType: opts.subscriptionType ?? 'Exclusive' });
    if (opts.receiverQueueSize !== undefined) query.set('receiverQueueSize', String(Math.min(1000, opts.receiverQueueSize)));
    if (opts.consumerName) query.set('consumerName', opts.consumerName);
    if (opts.negativeAckRedeliveryDelayMs !== undefined) query.set('negativeAckRedeliveryDelay', String(opts.negativeAckRedeliveryDelayMs));
    const sub = encodeURIComponent(opts.subscription);
    let path: string;
    if (Array.isArray(opts.topics) && opts.topics.length === 1) {
      path = `/ws/v2/consumer/${topicPath(parseTopicName(opts.topics[0]!))}/${sub}`;
      this.description = `${formatTopicName(parseTopicName(opts.topics[0]!))} subscription ${opts.subscription}`;
    } else if (Array.isArray(opts.topics)) {
      if (!opts.topics.length) throw new Error('PulsarConsumer: no topics');
      const names = opts.topics.map((t) => formatTopicName(parseTopicName(t)));
      query.set('topics', names.join(','));
      path = `/ws/v3/consumer/${sub}`;
      this.description = `${names.join(', ')} subscription ${opts.subscription}`;
    } else {
      query.set('topicsPattern', opts.topics.pattern);
      path = `/ws/v3/consumer/${sub}`;
      this.description = `topics matching ${opts.topics.pattern} subscription ${opts.subscription}`;
    }
    this.session = new PulsarWsSession(`${path}?${query}`, opts, {
      onText: (text, session) => {
        let frame: ConsumerFrame;
        try {
          frame = JSON.parse(text) as ConsumerFrame;
        } catch {
          return;
        }
        if (frame.messageId && frame.payload !== undefined) opts.onMessage(decodeConsumerFrame(frame), session);
      },
      ...(opts.onDrop && { onDrop: opts.onDrop }),
    });
    this.session.start();
  }

  get connected(): boolean {
    return this.session.connected;
  }

  get currentSession(): number {
    return this.session.session;
  }

  get lastError(): string | undefined {
    return this.session.lastError;
  }

  waitConnected(timeoutMs: number): Promise<void> {
    return this.session.waitConnected(timeoutMs);
  }

  /** False when `session` is gone: the broker will redeliver the message instead. */
  ack(messageId: string, session: number): boolean {
    return session === this.session.session && this.session.send(JSON.stringify({ messageId }));
  }

  /** Redelivery after the consumer's negativeAckRedeliveryDelay (to any consumer of a shared subscription). */
  nack(messageId: string, session: number): boolean {
    return session === this.session.session && this.session.send(JSON.stringify({ type: 'negativeAcknowledge', messageId }));
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
