// The bridge over the broker's WebSocket API (adapters/pulsar/ws-*.ts), chosen with
// BRIDGE_TRANSPORT=websocket: a fallback for brokers whose binary port the bridge cannot reach.
// The service is off by default on Pulsar clusters (webSocketServiceEnabled=false) and is the
// slower path: one JSON frame with a base64 payload per message and per ack.
// The broker pushes at most receiverQueueSize unacknowledged messages on the connection, so
// acknowledging is the flow control here; a subscription at `earliest` is created through the
// admin API first, since the WebSocket API only creates them at `latest`.
import { readFileSync } from 'node:fs';
import type { Logger } from '../../../process/logger.js';
import { PulsarAdmin } from '../../pulsar/admin-client.js';
import { readBearerToken } from '../../pulsar/bearer-token.js';
import { parseTopicName } from '../../pulsar/topic-name.js';
import { PulsarConsumer } from '../../pulsar/ws-consumer.js';
import { PulsarProducer } from '../../pulsar/ws-producer.js';
import type { PulsarWsOptions } from '../../pulsar/ws-session.js';
import type { BridgeConfig } from '../config.js';
import type { InputConsumer, InputSpec, OutputProducer, PulsarTransport } from './transport.js';

export function websocketTransport(pulsar: BridgeConfig['pulsar'], timeoutMs: number, log: Logger): PulsarTransport {
  const ws: PulsarWsOptions = {
    url: pulsar.url,
    tls: pulsar.tls,
    connectTimeoutMs: pulsar.connectTimeoutMs,
    log,
    ...(pulsar.authToken && { authToken: pulsar.authToken }),
    ...(pulsar.authTokenFile && { authTokenFile: pulsar.authTokenFile }),
  };
  return {
    endpoint: pulsar.url,
    consumer(spec: InputSpec): InputConsumer {
      let consumer: PulsarConsumer | undefined;
      let closed = false;
      const open = (): void => {
        if (closed) return;
        consumer = new PulsarConsumer({
          ...ws,
          topics: 'topics' in spec.input ? spec.input.topics : { pattern: spec.input.pattern },
          subscription: spec.subscription,
          subscriptionType: spec.subscriptionType,
          receiverQueueSize: spec.receiverQueueSize,
          consumerName: spec.consumerName,
          negativeAckRedeliveryDelayMs: spec.negativeAckRedeliveryDelayMs,
          onMessage: spec.onMessage,
        });
      };
      if (spec.position === 'earliest' && 'topics' in spec.input) void createAtEarliest(pulsar, timeoutMs, log, spec.input.topics, spec.subscription).finally(open);
      else open();
      return {
        get connected() {
          return consumer?.connected ?? false;
        },
        get lastError() {
          return consumer?.lastError;
        },
        wake: () => undefined,
        ack: (id, session) => consumer?.ack(id, session) ?? false,
        nack: (id, session) => consumer?.nack(id, session) ?? false,
        close: async () => {
          closed = true;
          await consumer?.close();
        },
      };
    },
    producer(topic, producerName): OutputProducer {
      return new PulsarProducer({ ...ws, topic, sendTimeoutMs: timeoutMs, producerName });
    },
    close: async () => undefined,
  };
}

// Subscriptions start at the latest message when their first consumer creates them; a bridge
// asked for `earliest` creates them first, through the admin API.
async function createAtEarliest(pulsar: BridgeConfig['pulsar'], timeoutMs: number, log: Logger, topics: string[], subscription: string): Promise<void> {
  const admin = new PulsarAdmin({
    url: pulsar.url.replace(/^ws(s?):\/\//, 'http$1://'),
    timeoutMs,
    // The same token and CA as the WebSocket sessions (a Secret may hold `token:<jwt>`).
    token: () => readBearerToken(pulsar),
    ca: pulsar.tls.caFile ? readFileSync(pulsar.tls.caFile, 'utf8') : undefined,
    allowInsecure: pulsar.tls.allowInsecure,
  });
  for (const topic of topics) {
    try {
      await admin.createSubscription(parseTopicName(topic), subscription, 'earliest');
    } catch (err) {
      log.warn({ topic, err: (err as Error).message }, 'could not create the subscription at earliest; the consumer will create it at latest');
    }
  }
}
