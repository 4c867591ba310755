import { describe, expect, it } from '@jest/globals';
import { parseTriggerMetadata } from '../../../scaler/metadata.js';
import type { HorizontalPodAutoscaler, ScaledObject } from '../../../controller/render/index.js';
import { find, fn, kinds, render, settings, sink, source, workloadOf } from './fixtures.js';

describe('who owns the replica count', () => {
  it.each([
    { name: 'fixed replicas', resource: fn({ replicas: 3 }), kinds: ['Deployment', 'Service'], replicas: 3 },
    { name: 'no replicas: 1', resource: fn(), kinds: ['Deployment', 'Service'], replicas: 1 },
    { name: 'replicas: 0 alone stops the function', resource: fn({ replicas: 0 }), kinds: ['Deployment', 'Service'], replicas: 0 },
    { name: 'maxReplicas equal to minReplicas: fixed', resource: fn({ replicas: 2, maxReplicas: 2 }), kinds: ['Deployment', 'Service'], replicas: 2 },
    { name: 'maxReplicas: KEDA on backlog', resource: fn({ replicas: 1, maxReplicas: 5 }), kinds: ['Deployment', 'Service', 'ScaledObject'], replicas: undefined },
    { name: 'minReplicas 0: scale to zero', resource: fn({ minReplicas: 0 }), kinds: ['Deployment', 'Service', 'ScaledObject'], replicas: undefined },
    { name: 'spec.scaling alone: KEDA', resource: fn({ scaling: { targetBacklogPerReplica: 5 } }), kinds: ['Deployment', 'Service', 'ScaledObject'], replicas: undefined },
    { name: 'builtinAutoscaler: HPA', resource: fn({ maxReplicas: 4, pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent50'] } }), kinds: ['Deployment', 'Service', 'HorizontalPodAutoscaler'], replicas: undefined },
    { name: 'autoScalingMetrics: HPA', resource: sink({ minReplicas: 2, maxReplicas: 4, pod: { autoScalingMetrics: [{ type: 'Pods' }] } }), kinds: ['Deployment', 'Service', 'HorizontalPodAutoscaler'], replicas: undefined },
    { name: 'source with maxReplicas: CPU HPA', resource: source({ maxReplicas: 3 }), kinds: ['Deployment', 'Service', 'HorizontalPodAutoscaler'], replicas: undefined },
    { name: 'source without maxReplicas: fixed', resource: source({ replicas: 2 }), kinds: ['Deployment', 'Service'], replicas: 2 },
    { name: 'vpa: a VerticalPodAutoscaler', resource: fn({ pod: { vpa: { updatePolicy: { updateMode: 'Auto' } } } }), kinds: ['Deployment', 'Service', 'VerticalPodAutoscaler'], replicas: 1 },
  ])('$name', ({ resource, kinds: expected, replicas }) => {
    const result = render(resource);
    expect(kinds(result)).toEqual(expected);
    expect(workloadOf(result).spec.replicas).toBe(replicas);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('a replica change leaves the pod template alone (no restart)', () => {
    const template = (replicas: number) => workloadOf(render(fn({ replicas }))).spec.template;
    expect(template(1)).toEqual(template(9));
  });
});

describe('KEDA ScaledObject', () => {
  it('targets the Deployment with the external scaler and the spec\'s bounds', () => {
    const so = find<ScaledObject>(render(fn({
      minReplicas: 0,
      maxReplicas: 8,
      subscriptionName: 'orders-sub',
      subscriptionPosition: 'latest',
      scaling: { targetBacklogPerReplica: 50, activationBacklog: 2, cooldownPeriod: 60, pollingInterval: 5 },
      pod: { autoScalingBehavior: { scaleDown: { stabilizationWindowSeconds: 30 } } },
    })), 'ScaledObject')!;
    expect(so).toEqual({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: expect.objectContaining({ name: 'fn-function', namespace: 'team-a' }),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fn-function' },
        minReplicaCount: 0,
        maxReplicaCount: 8,
        cooldownPeriod: 60,
        pollingInterval: 5,
        advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } } },
        triggers: [
          {
            type: 'external-push',
            name: 'backlog',
            metadata: {
              scalerAddress: 'functionmesh-scaler.fm-system.svc:9090',
              adminURL: 'http://pulsar:8080',
              subscription: 'orders-sub',
              subscriptionPosition: 'latest',
              targetBacklog: '50',
              activationBacklog: '2',
              topics: 'persistent://public/default/in',
            },
          },
        ],
      },
    });
  });

  it('defaults: KEDA\'s timings, Function Mesh\'s subscription, max from replicas', () => {
    const so = find<ScaledObject>(render(fn({ minReplicas: 0 })), 'ScaledObject')!;
    expect(so.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 1, cooldownPeriod: 300, pollingInterval: 30 });
    expect(so.spec.advanced).toBeUndefined();
    expect(so.spec.triggers[0]!.metadata).toMatchObject({ subscription: 'public/default/fn', subscriptionPosition: 'earliest', targetBacklog: '10', activationBacklog: '0' });
  });

  it('one trigger for the topics, one per pattern; polling only without push activation', () => {
    const so = find<ScaledObject>(render(sink({
      minReplicas: 0,
      scaling: { pushActivation: false },
      input: { topics: ['a', 'b'], topicPattern: 't/ns/orders-.*', sourceSpecs: { 'persistent://t/ns/x-.*': { isRegexPattern: true } } },
    })), 'ScaledObject')!;
    expect(so.spec.triggers.map((t) => [t.type, t.name, t.metadata.topics ?? t.metadata.topicPattern])).toEqual([
      ['external', 'backlog', 'persistent://public/default/a,persistent://public/default/b'],
      ['external', 'backlog-pattern', 'persistent://t/ns/orders-.*'],
      ['external', 'backlog-pattern-2', 'persistent://t/ns/x-.*'],
    ]);
  });

  it('a StatefulSet is the scale target when the workload is one', () => {
    const so = find<ScaledObject>(render(fn({ maxReplicas: 3, statefulConfig: { pulsar: { serviceUrl: 'bk://bk:4181' } } })), 'ScaledObject')!;
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'fn-function' });
  });

  it('minReplicas 0 with builtinAutoscaler: KEDA with cpu/memory triggers beside the backlog', () => {
    const result = render(fn({ minReplicas: 0, maxReplicas: 4, pod: { builtinAutoscaler: ['AverageUtilizationMemoryPercent80', 'AverageUtilizationCPUPercent20'] } }));
    const so = find<ScaledObject>(result, 'ScaledObject')!;
    expect(so.spec.triggers.slice(1)).toEqual([
      { type: 'memory', metricType: 'Utilization', metadata: { value: '80' } },
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '20' } },
    ]);
    expect(find(result, 'HorizontalPodAutoscaler')).toBeUndefined();
  });

  it('without the ConfigMap\'s webServiceURL the trigger has no adminURL, and a warning says why', () => {
    const result = render(fn({ minReplicas: 0 }), null);
    expect(find<ScaledObject>(result, 'ScaledObject')!.spec.triggers[0]!.metadata.adminURL).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.pulsar.pulsarConfig' })]);
  });

  it.each([
    { name: 'topics', input: { topics: ['in', 'persistent://t/ns/other'] }, subscriptionName: 'orders', subscription: 'orders' },
    { name: 'a pattern', input: { topicPattern: 'persistent://t/ns/orders-.*' }, subscriptionName: 'orders', subscription: 'orders' },
    { name: 'Pulsar\'s default subscription', input: { topics: ['in'] }, subscriptionName: undefined, subscription: 'public/default/fn' },
  ])('the trigger metadata is what the scaler parses: $name', ({ input, subscriptionName, subscription }) => {
    const so = find<ScaledObject>(render(fn({ minReplicas: 0, subscriptionName, input })), 'ScaledObject')!;
    for (const trigger of so.spec.triggers) {
      const parsed = parseTriggerMetadata(trigger.metadata);
      expect(parsed).toMatchObject({ adminUrl: 'http://pulsar:8080', subscription, initialPosition: 'earliest', targetBacklog: 10, activationBacklog: 0 });
      expect(parsed.source.kind).toBe(input.topics ? 'topics' : 'pattern');
    }
    expect(so.spec.triggers[0]!.metadata.scalerAddress).toBe(settings.scalerAddress);
  });
});

describe('HPA (Function Mesh CPU/memory autoscaling)', () => {
  it('builtin rules, one per resource, scaled by limit/request as upstream', () => {
    const hpa = find<HorizontalPodAutoscaler>(render(fn({
      replicas: 2,
      maxReplicas: 6,
      resources: { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } },
      pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent50', 'AverageUtilizationCPUPercent80', 'AverageUtilizationMemoryPercent20'] },
    })), 'HorizontalPodAutoscaler')!;
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fn-function' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 100 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 20 } } },
      ],
    });
  });

  it('custom metrics and behavior pass through', () => {
    const metrics = [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }];
    const behavior = { scaleUp: { stabilizationWindowSeconds: 0 } };
    const hpa = find<HorizontalPodAutoscaler>(render(fn({ minReplicas: 1, maxReplicas: 3, pod: { autoScalingMetrics: metrics, autoScalingBehavior: behavior } })), 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.metrics).toEqual(metrics);
    expect(hpa.spec.behavior).toEqual(behavior);
  });

  it('a Source defaults to upstream\'s 80% CPU and never scales to zero', () => {
    const result = render(source({ minReplicas: 0, maxReplicas: 3 }));
    const hpa = find<HorizontalPodAutoscaler>(result, 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.minReplicas' })]);
  });

  // An embedded source connector (upstream #823) has no input topics: like a Source, no backlog.
  const embedded = { input: undefined, sourceConfig: { sourceType: 'kafka', configs: { topic: 't' } } };

  it.each([
    { name: 'with maxReplicas: the CPU HPA from 1', spec: { minReplicas: 0, maxReplicas: 3 }, kinds: ['Deployment', 'Service', 'HorizontalPodAutoscaler'], replicas: undefined },
    { name: 'alone: one fixed replica', spec: { minReplicas: 0 }, kinds: ['Deployment', 'Service'], replicas: 1 },
  ])('a Function on an embedded source with minReplicas 0 renders, keeping a replica ($name)', ({ spec, kinds: expected, replicas }) => {
    const result = render(fn({ ...embedded, ...spec }));
    expect(result.problems).toEqual([{ severity: 'warning', field: 'spec.minReplicas', message: expect.stringContaining('embedded source connector (spec.sourceConfig) has no backlog to wake it from zero') as unknown as string }]);
    expect(kinds(result)).toEqual(expected);
    expect(workloadOf(result).spec.replicas).toBe(replicas);
    if (spec.maxReplicas) expect(find<HorizontalPodAutoscaler>(result, 'HorizontalPodAutoscaler')!.spec.minReplicas).toBe(1);
  });

  it('a Function on an embedded source that also has input topics scales on their backlog', () => {
    const result = render(fn({ ...embedded, input: { topics: ['persistent://public/default/in'] }, minReplicas: 0 }));
    expect(result.problems).toEqual([]);
    expect(find<ScaledObject>(result, 'ScaledObject')!.spec.minReplicaCount).toBe(0);
  });

  it('builtinAutoscaler without maxReplicas: a warning and fixed replicas', () => {
    const result = render(fn({ pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent80'] } }));
    expect(kinds(result)).toEqual(['Deployment', 'Service']);
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.maxReplicas' })]);
  });
});
