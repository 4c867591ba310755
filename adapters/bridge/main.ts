// The bridge process beside an HTTP function, source or sink container:
//   npx tsx adapters/bridge/main.ts [--key=value ...]   (configuration: docs/bridge.md)
// Exit code 2 means the configuration is invalid (the log line names every bad key).
import os from 'node:os';
import { createLogger } from '../../process/logger.js';
import { startOpsServer } from '../../process/ops-server.js';
import { onShutdown, type ShutdownStep } from '../../process/shutdown.js';
import { ConfigError, parseBridgeConfig, type BridgeConfig } from './config.js';
import { startIngress } from './ingress.js';
import { MessagePump } from './message-pump.js';
import { createBridgeMetrics } from './metrics.js';
import { TargetClient } from './target-client.js';
import { binaryTransport } from './transport/binary.js';
import type { OutputProducer } from './transport/transport.js';
import { websocketTransport } from './transport/websocket.js';

const log = createLogger('bridge');
let config: BridgeConfig;
try {
  config = parseBridgeConfig(process.env, process.argv.slice(2));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  log.fatal({ problems: err.problems }, err.message);
  process.exit(2);
}

const key = log.child({ key: config.name, mode: config.mode });
const ops = await startOpsServer({ port: config.opsPort });
const metrics = createBridgeMetrics(ops.registry);
const steps: ShutdownStep[] = [{ name: 'ops server', run: () => ops.close() }];
const instance = process.env.HOSTNAME ?? os.hostname();
const pulsar = (config.pulsar.transport === 'binary' ? binaryTransport : websocketTransport)(config.pulsar, config.timeoutMs, key);
steps.push({ name: `pulsar client (${config.pulsar.transport})`, run: () => pulsar.close() });
const producer = (topic: string): OutputProducer => {
  const p = pulsar.producer(topic, `${instance}-${topic.split('/').pop()}-${process.pid}`);
  steps.push({ name: `producer ${topic}`, run: () => p.close() });
  ops.addReadinessCheck(`producer ${topic}`, () => (p.connected ? undefined : `not connected${p.lastError ? `: ${p.lastError}` : ''}`));
  return p;
};

if (config.mode === 'source') {
  const output = producer(config.output!);
  const ingress = await startIngress({ ...config.ingress, timeoutMs: config.timeoutMs, producer: output, metrics, log: key });
  steps.push({ name: 'source ingress', run: () => ingress.close() });
} else {
  const output = config.mode === 'function' ? producer(config.output!) : undefined;
  const deadLetter = producer(config.deadLetterTopic!);
  const target = new TargetClient({
    url: config.targetUrl,
    timeoutMs: config.timeoutMs,
    maxSockets: config.concurrency,
    plainReply: (input, body, contentType) => ({
      attributes: {
        specversion: '1.0',
        id: input.attributes.id!,
        source: config.cloudEvents.source ?? config.output!,
        type: config.cloudEvents.replyType,
        time: new Date().toISOString(),
        ...(contentType && { datacontenttype: contentType }),
      },
      data: body,
    }),
  });
  const input = config.input!;
  const source = config.cloudEvents.source ?? ('topics' in input ? input.topics.join(',') : input.pattern);
  const consumer = pulsar.consumer({
    input,
    subscription: config.subscription!,
    subscriptionType: config.subscriptionType,
    position: config.subscriptionPosition,
    receiverQueueSize: config.receiverQueueSize,
    consumerName: `${instance}-${process.pid}`,
    // Hand-backs at shutdown should reach another replica soon, not after Pulsar's default minute.
    negativeAckRedeliveryDelayMs: 1_000,
    onMessage: (message, session) => pump.onMessage(message, session),
    hasRoom: () => !pump.isDraining && pump.inFlight < config.receiverQueueSize,
  });
  const pump: MessagePump = new MessagePump({
    config,
    consumer,
    ...(output && { output }),
    deadLetter,
    target,
    context: { source, type: config.cloudEvents.type, ...(config.cloudEvents.dataContentType && { dataContentType: config.cloudEvents.dataContentType }) },
    metrics,
    log: key,
    onSettled: () => consumer.wake(),
  });
  ops.addReadinessCheck('consumer', () => (consumer.connected ? undefined : `not connected${consumer.lastError ? `: ${consumer.lastError}` : ''}`));
  ops.addReadinessCheck('draining', () => (pump.isDraining ? 'finishing in-flight messages' : undefined));
  steps.push({ name: 'http target', run: () => target.close() });
  steps.push({ name: 'consumer', run: () => consumer.close() });
  steps.push({ name: 'message pump', run: () => pump.stop(Math.max(0, config.shutdownTimeoutMs - 3_000)) });
}

onShutdown(key, steps, config.shutdownTimeoutMs);
key.info({ pulsar: pulsar.endpoint, transport: config.pulsar.transport, ops: ops.port, target: config.mode === 'source' ? undefined : config.targetUrl }, 'bridge started');
