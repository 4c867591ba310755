// One autoscaler per workload, chosen by the annotation or by what the cluster serves: without
// KEDA, what would scale on the backlog gets upstream's HPA (80% CPU unless pod.builtinAutoscaler
// or pod.autoScalingMetrics say otherwise), and the HPA says why in an annotation.
import { describe, expect, it } from '@jest/globals';
import { AUTOSCALER_ANNOTATION, AUTOSCALER_FALLBACK_ANNOTATION, type WorkloadResource } from '../../../controller/api/index.js';
import { renderChildren, type HorizontalPodAutoscaler, type ScaledObject } from '../../../controller/render/index.js';
import { find, fn, kinds, pulsarConfig, settings, source } from './fixtures.js';

const noKeda = { ...settings, kedaServed: false };
const annotated = <R extends WorkloadResource>(resource: R, value: string): R => ({ ...resource, metadata: { ...resource.metadata, annotations: { [AUTOSCALER_ANNOTATION]: value } } });
const cpu = (averageUtilization: number) => [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } }];

describe('the cluster serves no KEDA', () => {
  it.each([
    { name: 'minReplicas 0 becomes 1, 80% CPU', resource: fn({ minReplicas: 0, maxReplicas: 5 }), min: 1, max: 5, metrics: cpu(80), says: ['minReplicas 0 becomes 1', 'install KEDA'] },
    { name: 'maxReplicas alone: 80% CPU from the replicas', resource: fn({ replicas: 2, maxReplicas: 6 }), min: 2, max: 6, metrics: cpu(80), says: ['does not serve KEDA'] },
    { name: 'the builtin rules with minReplicas 0', resource: fn({ minReplicas: 0, maxReplicas: 3, pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent50'] } }), min: 1, max: 3, metrics: cpu(50), says: ['minReplicas 0 becomes 1'] },
    { name: 'spec.scaling alone: 1..1, says the backlog settings are unused', resource: fn({ minReplicas: 0, scaling: { targetBacklogPerReplica: 5 } }), min: 1, max: 1, metrics: cpu(80), says: ['spec.scaling (backlog) is not used'] },
  ])('$name', ({ resource, min, max, metrics, says }) => {
    const result = renderChildren(resource, { settings: noKeda, pulsarConfig });
    expect(kinds(result)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
    const hpa = find<HorizontalPodAutoscaler>(result, 'HorizontalPodAutoscaler')!;
    expect(hpa.spec).toEqual(expect.objectContaining({ minReplicas: min, maxReplicas: max, metrics }));
    const note = hpa.metadata.annotations?.[AUTOSCALER_FALLBACK_ANNOTATION] ?? '';
    for (const part of says) expect(note).toContain(part);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('leaves fixed replicas and a chosen HPA as they are (no fallback note)', () => {
    expect(kinds(renderChildren(fn({ replicas: 2 }), { settings: noKeda, pulsarConfig }))).toEqual(['Deployment', 'Service']);
    const hpa = find<HorizontalPodAutoscaler>(renderChildren(fn({ maxReplicas: 4, pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent20'] } }), { settings: noKeda, pulsarConfig }), 'HorizontalPodAutoscaler')!;
    expect(hpa.metadata.annotations?.[AUTOSCALER_FALLBACK_ANNOTATION]).toBeUndefined();
  });
});

describe(`${AUTOSCALER_ANNOTATION}`, () => {
  it('hpa: an HPA where KEDA would scale, with minReplicas raised to 1 and a warning', () => {
    const result = renderChildren(annotated(fn({ minReplicas: 0, maxReplicas: 4 }), 'hpa'), { settings, pulsarConfig });
    expect(kinds(result)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
    expect(find<HorizontalPodAutoscaler>(result, 'HorizontalPodAutoscaler')!.spec).toEqual(expect.objectContaining({ minReplicas: 1, maxReplicas: 4, metrics: cpu(80) }));
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.minReplicas', message: expect.stringContaining('minReplicas 0 becomes 1') })]);
  });

  it('keda: a ScaledObject where the builtin rules would give an HPA, the rules as KEDA cpu triggers', () => {
    const result = renderChildren(annotated(fn({ replicas: 1, maxReplicas: 4, pod: { builtinAutoscaler: ['AverageUtilizationCPUPercent50'] } }), 'keda'), { settings, pulsarConfig });
    expect(kinds(result)).toEqual(['Deployment', 'Service', 'ScaledObject']);
    const so = find<ScaledObject>(result, 'ScaledObject')!;
    expect(so.spec.triggers.map((t) => t.type)).toEqual(['external-push', 'cpu']);
    expect(so.spec).toEqual(expect.objectContaining({ minReplicaCount: 1, maxReplicaCount: 4 }));
  });

  it('keda on a Source keeps its HPA and says why', () => {
    const result = renderChildren(annotated(source({ maxReplicas: 3 }), 'keda'), { settings, pulsarConfig });
    expect(kinds(result)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('a Source has no backlog')]);
  });

  it('keda without KEDA served: the HPA, whose note names the annotation', () => {
    const hpa = find<HorizontalPodAutoscaler>(renderChildren(annotated(fn({ minReplicas: 0, maxReplicas: 2 }), 'keda'), { settings: noKeda, pulsarConfig }), 'HorizontalPodAutoscaler')!;
    expect(hpa.metadata.annotations?.[AUTOSCALER_FALLBACK_ANNOTATION]).toContain(`${AUTOSCALER_ANNOTATION}: keda asks for it`);
  });

  it('a value it does not know is an error naming the annotation and the values', () => {
    const result = renderChildren(annotated(fn({ maxReplicas: 2 }), 'cpu'), { settings, pulsarConfig });
    expect(result.problems).toEqual([
      { severity: 'error', field: `metadata.annotations["${AUTOSCALER_ANNOTATION}"]`, message: '"cpu" is not an autoscaler: use keda or hpa, or remove the annotation' },
    ]);
  });
});
