// applyDefaults: the schema's defaults plus what the schema cannot express.
import { describe, expect, it } from '@jest/globals';
import { API_VERSION, applyDefaults, type FunctionMeshResource, type FunctionResource, type SinkResource, type SourceResource } from '../../../controller/api/index.js';

const fn = (spec: FunctionResource['spec']): FunctionResource => ({
  apiVersion: API_VERSION,
  kind: 'Function',
  metadata: { name: 'word-count', namespace: 'team-a' },
  spec,
});

describe('applyDefaults', () => {
  it('fills upstream defaults into a minimal Function', () => {
    const out = applyDefaults('Function', fn({ input: { topics: ['in'] }, output: { topic: 'out' }, java: { jar: 'a.jar' } }));
    expect(out.spec).toMatchObject({
      name: 'word-count',
      tenant: 'public',
      namespace: 'default',
      clusterName: 'kubernetes',
      replicas: 1,
      minReplicas: 1,
      autoAck: true,
      processingGuarantee: 'atleast_once',
      forwardSourceMessageProperty: true,
      maxPendingAsyncRequests: 1000,
      logTopicAgent: 'runtime',
      input: { topics: ['in'], typeClassName: '[B' },
      output: { topic: 'out', typeClassName: '[B' },
    });
  });

  it.each([
    ['replicas from minReplicas', { minReplicas: 3 }, { replicas: 3, minReplicas: 3 }],
    ['minReplicas from replicas', { replicas: 4 }, { replicas: 4, minReplicas: 4 }],
    ['both kept when set', { replicas: 2, minReplicas: 1 }, { replicas: 2, minReplicas: 1 }],
    ['scale to zero: replicas follow minReplicas 0', { minReplicas: 0 }, { replicas: 0, minReplicas: 0 }],
  ])('copies %s', (_, given, expected) => {
    expect(applyDefaults('Function', fn({ ...given, java: { jar: 'a.jar' } })).spec).toMatchObject(expected);
  });

  it('keeps an explicit Pulsar name and explicit values', () => {
    const out = applyDefaults('Function', fn({ name: 'custom', autoAck: false, tenant: 'acme', java: { jar: 'a.jar' } }));
    expect(out.spec).toMatchObject({ name: 'custom', autoAck: false, tenant: 'acme' });
  });

  it('does not modify its input', () => {
    const input = fn({ java: { jar: 'a.jar' } });
    const before = structuredClone(input);
    applyDefaults('Function', input);
    expect(input).toEqual(before);
  });

  it('defaults the extensions only where they are used', () => {
    const out = applyDefaults('Function', fn({ http: { image: 'fn:1' }, scaling: {} }));
    expect(out.spec.http).toEqual({ image: 'fn:1', port: 8080, path: '/' });
    expect(out.spec.scaling).toEqual({
      targetBacklogPerReplica: 10,
      activationBacklog: 0,
      cooldownPeriod: 300,
      pollingInterval: 30,
      pushActivation: true,
    });
    expect(applyDefaults('Function', fn({ java: { jar: 'a.jar' } })).spec.scaling).toBeUndefined();
  });

  it('sends sink logs through a sidecar', () => {
    const sink: SinkResource = { apiVersion: API_VERSION, kind: 'Sink', metadata: { name: 's' }, spec: { java: { jar: 'a.nar' } } };
    expect(applyDefaults('Sink', sink).spec).toMatchObject({ logTopicAgent: 'sidecar', autoAck: true, name: 's', replicas: 1 });
  });

  it.each([
    ['count: slides by its length', { windowLengthCount: 10 }, { windowLengthCount: 10, slidingIntervalCount: 10 }],
    ['duration: slides by its length', { windowLengthDurationMs: 500 }, { windowLengthDurationMs: 500, slidingIntervalDurationMs: 500 }],
    ['a sliding interval given is kept', { windowLengthDurationMs: 500, slidingIntervalCount: 3 }, { windowLengthDurationMs: 500, slidingIntervalCount: 3 }],
  ])('window %s; the function class is className', (_, window, expected) => {
    const out = applyDefaults('Function', fn({ className: 'org.example.Win', windowConfig: window, java: { jar: 'a.jar' } }));
    expect(out.spec.windowConfig).toEqual({ ...expected, actualWindowFunctionClassName: 'org.example.Win' });
  });

  const src = (spec: SourceResource['spec']): SourceResource => ({ apiVersion: API_VERSION, kind: 'Source', metadata: { name: 'src' }, spec });

  it('gives a Source without producerConf upstream\'s producer settings, and keeps one given', () => {
    expect(applyDefaults('Source', src({ java: { jar: 'a.nar' } })).spec.output).toEqual({
      typeClassName: '[B',
      producerConf: { maxPendingMessages: 1000, maxPendingMessagesAcrossPartitions: 1000, useThreadLocalProducers: true },
    });
    const given = applyDefaults('Source', src({ java: { jar: 'a.nar' }, output: { topic: 'out', producerConf: { maxPendingMessages: 5 } } }));
    expect(given.spec.output).toEqual({ topic: 'out', typeClassName: '[B', producerConf: { maxPendingMessages: 5 } });
  });

  it('defaults every child of a FunctionMesh, keeping child names', () => {
    const mesh: FunctionMeshResource = {
      apiVersion: API_VERSION,
      kind: 'FunctionMesh',
      metadata: { name: 'm' },
      spec: {
        functions: [{ name: 'a', minReplicas: 0, java: { jar: 'a.jar' } }],
        sinks: [{ name: 'b', java: { jar: 'b.nar' } }],
        sources: [{ name: 'c', java: { jar: 'c.nar' } }],
      },
    };
    const out = applyDefaults('FunctionMesh', mesh).spec;
    expect(out.functions![0]).toMatchObject({ name: 'a', replicas: 0, minReplicas: 0, tenant: 'public', logTopicAgent: 'runtime' });
    expect(out.sinks![0]).toMatchObject({ name: 'b', replicas: 1, minReplicas: 1, logTopicAgent: 'sidecar' });
    expect(out.sources![0]!.output?.producerConf).toEqual({ maxPendingMessages: 1000, maxPendingMessagesAcrossPartitions: 1000, useThreadLocalProducers: true });
  });
});
