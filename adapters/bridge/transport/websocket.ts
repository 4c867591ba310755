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
import type { InputConsumer, InputSpec, OutputProducer, PayloadLimit, PulsarTransport } from './transport.js';

export function websocketTransport(pulsar: BridgeConfig['pulsar'], timeoutMs: number, log: Logger): PulsarTransport {
  const ws: PulsarWsOptions = {
    url: pulsar.url,
    tls: pulsar.tls,
    connectTimeoutMs: pulsar.connectTimeoutMs,
    log,
    ...(pulsar.authToken && { authToken: pulsar.authToken }),
    ...(pulsar.authTokenFile && { authTokenFile: pulsar.authTokenFile }),
  };
  // Sessions that failed for lack of a WebSocket API are logged once, with the fix.
  const sessions: { what: string; lastError(): string | undefined }[] = [];
  const told = new Set<string>();
  const watch = setInterval(() => {
    for (const { what, lastError } of sessions) {
      const error = lastError();
      if (told.has(what) || error === explain(error)) continue;
      told.add(what);
      log.error({ what, reason: explain(error) }, 'Pulsar has no WebSocket API');
    }
  }, 1_000);
  watch.unref();
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
      sessions.push({ what: `consumer ${spec.subscription}`, lastError: () => consumer?.lastError });
      if (spec.position === 'earliest' && 'topics' in spec.input) void createAtEarliest(pulsar, timeoutMs, log, spec.input.topics, spec.subscription).finally(open);
      else open();
      return {
        get connected() {
          return consumer?.connected ?? false;
        },
        get lastError() {
          return explain(consumer?.lastError);
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
      const producer = new PulsarProducer({ ...ws, topic, sendTimeoutMs: timeoutMs, producerName });
      sessions.push({ what: `producer on ${topic}`, lastError: () => producer.lastError });
      return {
        get connected() {
          return producer.connected;
        },
        get lastError() {
          return explain(producer.lastError);
        },
        payloadLimit: WEBSOCKET_PAYLOAD_LIMIT,
        send: (message, ms) => producer.send(message, ms),
        close: () => producer.close(),
      };
    },
    close: async () => clearInterval(watch),
  };
}

/** Pulsar's WebSocket frames are 1 MiB by default and carry the payload in base64 inside JSON. */
export const WEBSOCKET_PAYLOAD_LIMIT: PayloadLimit = {
  bytes: 700 * 1024,
  why: 'the WebSocket transport carries it base64-encoded in a Pulsar WebSocket frame (1 MiB); use the binary transport (the default: unset BRIDGE_TRANSPORT, set BRIDGE_BROKER_URL), which carries up to the broker\'s maxMessageSize',
};

/**
 * A broker without the WebSocket service (webSocketServiceEnabled=false, the default outside
 * standalone) answers the handshake with 404: say what to do about it.
 */
export function explain(lastError: string | undefined): string | undefined {
  if (!lastError?.startsWith('HTTP 404')) return lastError;
  // The 404 body is the web server's HTML page: it says nothing more.
  return 'HTTP 404 on the WebSocket handshake: this Pulsar serves no WebSocket API (webSocketServiceEnabled=false): use the binary transport (unset BRIDGE_TRANSPORT, set BRIDGE_BROKER_URL to the broker service URL)';
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
