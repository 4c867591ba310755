import { describe, expect, it } from '@jest/globals';
import { applyDefaults, type WorkloadResource } from '../../../controller/api/index.js';
import { functionDetails } from '../../../controller/render/index.js';
import { fn, render, sink, source } from './fixtures.js';

const details = (r: WorkloadResource, runtime: 'JAVA' | 'PYTHON' | 'GO' = 'JAVA') =>
  functionDetails(applyDefaults(r.kind, r) as WorkloadResource, runtime);

const identity = { tenant: 'public', namespace: 'default', processingGuarantees: 'ATLEAST_ONCE', runtime: 'JAVA', parallelism: 1 };

describe('FunctionDetails JSON (Pulsar Function.proto field names)', () => {
  it.each([
    {
      name: 'a plain function',
      resource: fn({ tenant: 't', namespace: 'ns', funcConfig: { greeting: 'hi' }, resources: { requests: { cpu: '500m', memory: '1Gi' } } }),
      expected: {
        ...identity,
        tenant: 't',
        namespace: 'ns',
        name: 'fn',
        className: 'org.example.Fn',
        userConfig: '{"greeting":"hi"}',
        autoAck: true,
        resources: { cpu: 0.5, ram: 2 ** 30 },
        source: {
          typeClassName: '[B',
          subscriptionType: 'SHARED',
          inputSpecs: { 'persistent://public/default/in': { isRegexPattern: false } },
          subscriptionPosition: 'EARLIEST',
        },
        sink: { typeClassName: '[B', topic: 'persistent://public/default/out', forwardSourceMessageProperty: true },
        componentType: 'FUNCTION',
      },
    },
    {
      name: 'delivery settings, ordering and retries',
      resource: fn({
        processingGuarantee: 'effectively_once',
        retainOrdering: true,
        timeout: 2000,
        subscriptionName: 'sub',
        subscriptionPosition: 'latest',
        cleanupSubscription: true,
        deadLetterTopic: 'dlq',
        maxMessageRetry: 3,
        logTopic: 'logs',
        runtimeFlags: '-Xmx1g',
        showPreciseParallelism: true,
        replicas: 3,
        secretsMap: { B: { path: 's', key: 'b' }, A: { path: 's', key: 'a' } },
      }),
      expected: {
        ...identity,
        name: 'fn',
        className: 'org.example.Fn',
        processingGuarantees: 'EFFECTIVELY_ONCE',
        parallelism: 3,
        logTopic: 'logs',
        runtimeFlags: '-Xmx1g',
        secretsMap: '{"A":{"path":"s","key":"a"},"B":{"path":"s","key":"b"}}',
        autoAck: true,
        source: {
          typeClassName: '[B',
          subscriptionType: 'FAILOVER',
          inputSpecs: { 'persistent://public/default/in': { isRegexPattern: false } },
          timeoutMs: 2000,
          subscriptionName: 'sub',
          cleanupSubscription: true,
          subscriptionPosition: 'LATEST',
          negativeAckRedeliveryDelayMs: 2000,
        },
        sink: { typeClassName: '[B', topic: 'persistent://public/default/out', forwardSourceMessageProperty: true },
        retryDetails: { maxMessageRetries: 3, deadLetterTopic: 'dlq' },
        retainOrdering: true,
        componentType: 'FUNCTION',
      },
    },
    {
      name: 'per-topic consumer settings, a pattern and producer settings',
      resource: fn({
        retainKeyOrdering: true,
        input: {
          topicPattern: 'persistent://t/ns/orders-.*',
          customSerdeSources: { a: 'org.example.Serde' },
          sourceSpecs: { b: { schemaType: 'avro', receiverQueueSize: 50, consumerProperties: { x: 'y' } } },
        },
        output: { topic: 'out', producerConf: { maxPendingMessages: 10, compressionType: 'ZSTD', batchBuilder: 'KEY_BASED' } },
      }),
      expected: {
        ...identity,
        name: 'fn',
        className: 'org.example.Fn',
        autoAck: true,
        source: {
          typeClassName: '[B',
          subscriptionType: 'KEY_SHARED',
          inputSpecs: {
            'persistent://t/ns/orders-.*': { isRegexPattern: true },
            a: { serdeClassName: 'org.example.Serde', isRegexPattern: false },
            b: { schemaType: 'avro', isRegexPattern: false, receiverQueueSize: { value: 50 }, consumerProperties: { x: 'y' } },
          },
          subscriptionPosition: 'EARLIEST',
        },
        sink: {
          typeClassName: '[B',
          topic: 'out',
          producerSpec: { maxPendingMessages: 10, batchBuilder: 'KEY_BASED', compressionType: 'ZSTD' },
          forwardSourceMessageProperty: true,
        },
        retainKeyOrdering: true,
        componentType: 'FUNCTION',
      },
    },
    {
      name: 'a source: connector class and configs in the SourceSpec',
      resource: source({ sourceConfig: { host: 'db' }, output: { topic: 'out', typeClassName: 'org.example.Rec' } }),
      expected: {
        ...identity,
        name: 'src',
        className: 'org.apache.pulsar.functions.api.utils.IdentityFunction',
        userConfig: '{"host":"db"}',
        autoAck: true,
        source: { className: 'org.example.Src', configs: '{"host":"db"}', typeClassName: 'org.example.Rec' },
        // Upstream's webhook gives a Source without producerConf these producer settings.
        sink: {
          typeClassName: 'org.example.Rec',
          topic: 'out',
          forwardSourceMessageProperty: true,
          producerSpec: { maxPendingMessages: 1000, maxPendingMessagesAcrossPartitions: 1000, useThreadLocalProducers: true },
        },
        componentType: 'SOURCE',
      },
    },
    {
      name: 'a sink: connector class and configs in the SinkSpec',
      resource: sink({ sinkConfig: { url: 'http://es' }, negativeAckRedeliveryDelayMs: 100, autoAck: false }),
      expected: {
        ...identity,
        name: 'snk',
        className: 'org.apache.pulsar.functions.api.utils.IdentityFunction',
        autoAck: false,
        source: {
          typeClassName: '[B',
          subscriptionType: 'SHARED',
          inputSpecs: { 'persistent://public/default/in': { isRegexPattern: false } },
          subscriptionPosition: 'EARLIEST',
          negativeAckRedeliveryDelayMs: 100,
        },
        sink: { className: 'org.example.Snk', configs: '{"url":"http://es"}', typeClassName: '[B' },
        componentType: 'SINK',
      },
    },
  ])('$name', ({ resource, expected }) => {
    expect(details(resource)).toEqual(expected);
  });

  it('a window function runs in Pulsar\'s executor, told the real class in userConfig', () => {
    const d = details(fn({ windowConfig: { actualWindowFunctionClassName: '', windowLengthCount: 10, slidingIntervalCount: 5 } }));
    expect(d.className).toBe('org.apache.pulsar.functions.windowing.WindowFunctionExecutor');
    expect(d.autoAck).toBe(false);
    expect(JSON.parse(d.userConfig as string)).toEqual({
      __WINDOWCONFIGS__: { actualWindowFunctionClassName: 'org.example.Fn', windowLengthCount: 10, slidingIntervalCount: 5 },
    });
  });

  it('a batch source runs in Pulsar\'s batch executor', () => {
    const d = details(source({ batchSourceConfig: { discoveryTriggererClassName: 'org.example.Trigger' } }));
    const src = d.source as Record<string, string>;
    expect(src.className).toBe('org.apache.pulsar.functions.source.batch.BatchSourceExecutor');
    expect(JSON.parse(src.configs!)).toEqual({
      __BATCHSOURCECONFIGS__: '{"discoveryTriggererClassName":"org.example.Trigger"}',
      __BATCHSOURCECLASSNAME__: 'org.example.Src',
    });
  });

  it.each([
    { name: 'a sliding window: as written', window: { windowLengthCount: 10, slidingIntervalCount: 5 }, expected: { windowLengthCount: 10, slidingIntervalCount: 5 } },
    { name: 'a tumbling count window slides by its length', window: { windowLengthCount: 10 }, expected: { windowLengthCount: 10, slidingIntervalCount: 10 } },
    { name: 'a tumbling time window slides by its length', window: { windowLengthDurationMs: 3000 }, expected: { windowLengthDurationMs: 3000, slidingIntervalDurationMs: 3000 } },
  ])('window defaults: $name', ({ window, expected }) => {
    const d = details(fn({ windowConfig: window }));
    expect(JSON.parse(d.userConfig as string)).toEqual({ __WINDOWCONFIGS__: { actualWindowFunctionClassName: 'org.example.Fn', ...expected } });
  });

  it('both sliding intervals (upstream accepts them): both passed on, and the unused duration named', () => {
    const resource = fn({ windowConfig: { windowLengthDurationMs: 3000, slidingIntervalCount: 5, slidingIntervalDurationMs: 1000 } });
    expect(JSON.parse(details(resource).userConfig as string)).toEqual({
      __WINDOWCONFIGS__: { actualWindowFunctionClassName: 'org.example.Fn', windowLengthDurationMs: 3000, slidingIntervalCount: 5, slidingIntervalDurationMs: 1000 },
    });
    expect(render(resource).problems).toEqual([{ severity: 'warning', field: 'spec.windowConfig.slidingIntervalDurationMs', message: expect.stringContaining('slides by count') as unknown as string }]);
    expect(render(fn({ windowConfig: { windowLengthDurationMs: 3000, slidingIntervalCount: 5 } })).problems).toEqual([]);
  });

  it('the window function class: className wins, actualWindowFunctionClassName serves without one', () => {
    const windowOf = (d: Record<string, unknown>) => (JSON.parse(d.userConfig as string) as { __WINDOWCONFIGS__: Record<string, unknown> }).__WINDOWCONFIGS__;
    expect(windowOf(details(fn({ windowConfig: { actualWindowFunctionClassName: 'org.example.Other', windowLengthCount: 2 } }))).actualWindowFunctionClassName).toBe('org.example.Fn');
    const noClass = details(fn({ className: undefined, windowConfig: { actualWindowFunctionClassName: 'org.example.Win', windowLengthCount: 2 } }));
    expect(windowOf(noClass).actualWindowFunctionClassName).toBe('org.example.Win');
  });

  it.each([
    { name: 'retries without a topic, default subscription', spec: { maxMessageRetry: 3 }, expected: { maxMessageRetries: 3, deadLetterTopic: 't-ns-fn-DLQ' } },
    { name: 'a named subscription leaves the client its own', spec: { maxMessageRetry: 3, subscriptionName: 'sub' }, expected: { maxMessageRetries: 3 } },
    { name: 'a subscription with a backslash, as upstream', spec: { maxMessageRetry: 3, subscriptionName: 'a\\b' }, expected: { maxMessageRetries: 3, deadLetterTopic: 't-ns-fn-DLQ' } },
    { name: 'the topic given wins', spec: { maxMessageRetry: 3, deadLetterTopic: 'dlq' }, expected: { maxMessageRetries: 3, deadLetterTopic: 'dlq' } },
    { name: 'no retries, no dead letters', spec: {}, expected: undefined },
  ])('dead-letter topic: $name', ({ spec, expected }) => {
    expect(details(fn({ tenant: 't', namespace: 'ns', ...spec })).retryDetails).toEqual(expected);
    expect(details(sink({ tenant: 't', namespace: 'ns', name: 'fn', ...spec })).retryDetails).toEqual(expected);
  });

  it.each([
    {
      name: 'a built-in source by sourceType, settings in configs',
      spec: { input: undefined, sourceConfig: { sourceType: 'kafka', configs: { bootstrapServers: 'k:9092', topic: 't' } } },
      source: { builtin: 'kafka', configs: '{"bootstrapServers":"k:9092","topic":"t"}' },
    },
    {
      name: 'fields read from configs (archive, className, typeClassName), nested configs merged',
      spec: {
        input: undefined,
        sourceConfig: { configs: { archive: 'builtin://rabbitmq', className: 'org.example.In', typeClassName: 'org.example.Rec', configs: { host: 'mq' }, queue: 'q' } },
      },
      source: { builtin: 'rabbitmq', className: 'org.example.In', typeClassName: 'org.example.Rec', configs: '{"host":"mq","queue":"q"}' },
    },
    {
      name: 'a batch source connector runs in the batch executor',
      spec: { input: undefined, sourceConfig: { className: 'org.example.In', batchSourceConfig: { discoveryTriggererClassName: 'org.example.Trigger' } } },
      source: {
        className: 'org.apache.pulsar.functions.source.batch.BatchSourceExecutor',
        configs: '{"__BATCHSOURCECONFIGS__":"{\\"discoveryTriggererClassName\\":\\"org.example.Trigger\\"}","__BATCHSOURCECLASSNAME__":"org.example.In"}',
      },
    },
  ])('a Function with an embedded source: $name', ({ spec, source: expected }) => {
    const d = details(fn(spec));
    expect(d.source).toMatchObject(expected);
    expect((d.source as Record<string, unknown>).inputSpecs).toBeUndefined();
    expect(d.className).toBe('org.example.Fn');
  });

  it('a Function with an embedded sink: the type names the built-in sink, also in its settings', () => {
    const d = details(fn({ sinkConfig: { sinkType: 'elastic_search', typeClassName: 'org.example.Doc', configs: { elasticSearchUrl: 'http://es:9200' } } }));
    expect(d.sink).toEqual({
      builtin: 'elastic_search',
      typeClassName: 'org.example.Doc',
      topic: 'persistent://public/default/out',
      configs: '{"elasticSearchUrl":"http://es:9200","sinkType":"elastic_search"}',
      forwardSourceMessageProperty: true,
    });
  });

  it('parallelism stays 1 when replicas change, unless showPreciseParallelism', () => {
    expect(details(fn({ replicas: 1 }))).toEqual(details(fn({ replicas: 7 })));
    expect(details(fn({ replicas: 7, showPreciseParallelism: true })).parallelism).toBe(7);
  });
});
