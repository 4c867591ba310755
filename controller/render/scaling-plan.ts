// Who owns the replica count: nobody (fixed `spec.replicas` on the workload), KEDA (a ScaledObject
// scaling on the Pulsar backlog, to zero when minReplicas is 0) or an HPA (Function Mesh's CPU /
// memory autoscaling). When an autoscaler owns it, the workload carries no replicas at all, so
// server-side apply never fights KEDA, the HPA or a GitOps tool over it. Exactly one autoscaler
// is planned: the annotation compute.functionmesh.io/autoscaler chooses, and a cluster without
// KEDA gets upstream's HPA in its place.
import type { V2MetricSpec } from '@kubernetes/client-node';
import { AUTOSCALER_ANNOTATION, AUTOSCALER_CHOICES, BUILTIN_HPA_RULES, type AutoscalerChoice, type BuiltinHpaTarget, type WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import type { ScaledObjectTrigger } from './kube-types.js';
import type { Problems } from './problems.js';
import { inputOf, inputTopics } from './pulsar-identity.js';
import { parseQuantity } from './quantity.js';

export type ScalingPlan =
  | { kind: 'fixed'; replicas: number }
  | { kind: 'keda'; min: number; max: number; resourceTriggers: ScaledObjectTrigger[] }
  | {
      kind: 'hpa';
      min: number;
      max: number;
      metrics: V2MetricSpec[];
      /** Why an HPA scales what KEDA would have: the cluster does not serve KEDA (says what changed). */
      fallback?: string;
    };

type Resource = BuiltinHpaTarget['resource'];
const BUILTIN_RULES: Readonly<Record<string, BuiltinHpaTarget | undefined>> = BUILTIN_HPA_RULES;

/**
 * Reads the resource as stored (before defaults), so that only an explicit `minReplicas: 0`
 * means scale to zero; `replicas: 0` alone still means "stopped".
 */
export function planScaling(resource: WorkloadResource, problems: Problems, settings: Pick<RenderSettings, 'kedaServed'>): ScalingPlan {
  const choice = autoscalerChoice(resource, problems);
  const plan = naturalPlan(resource, problems);
  if (plan.kind === 'keda') {
    if (!settings.kedaServed) {
      const asked = choice === 'keda' ? ` (${AUTOSCALER_ANNOTATION}: keda asks for it)` : '';
      return asHpa(resource, plan, `the cluster does not serve KEDA's ScaledObject${asked}, so an HPA scales instead`, 'install KEDA for backlog scaling: the controller switches without a restart');
    }
    if (choice === 'hpa') {
      const hpa = asHpa(resource, plan);
      if (plan.min === 0) problems.warn('spec.minReplicas', `${AUTOSCALER_ANNOTATION}: hpa chooses an HPA, which cannot scale to zero: minReplicas 0 becomes 1`);
      if (resource.spec.scaling) problems.warn('spec.scaling', `${AUTOSCALER_ANNOTATION}: hpa chooses CPU/memory scaling: the backlog settings are not used`);
      return hpa;
    }
  }
  if (plan.kind === 'hpa' && choice === 'keda') {
    const noBacklog = withoutBacklog(resource);
    if (noBacklog) {
      problems.warn(`metadata.annotations["${AUTOSCALER_ANNOTATION}"]`, `${noBacklog} has no backlog for KEDA to scale on: it keeps its HPA`);
      return plan;
    }
    const pod = resource.spec.pod ?? {};
    if (pod.autoScalingMetrics?.length) problems.warn('spec.pod.autoScalingMetrics', `${AUTOSCALER_ANNOTATION}: keda chooses a ScaledObject: autoScalingMetrics are HPA metrics and are not used`);
    return { kind: 'keda', min: plan.min, max: plan.max, resourceTriggers: builtinTriggers(pod.builtinAutoscaler ?? [], resource) };
  }
  return plan;
}

/** The annotation's choice; a value it does not know is an error naming the values it knows. */
function autoscalerChoice(resource: WorkloadResource, problems: Problems): AutoscalerChoice | undefined {
  const raw = resource.metadata?.annotations?.[AUTOSCALER_ANNOTATION];
  if (raw === undefined) return undefined;
  const choice = AUTOSCALER_CHOICES.find((c) => c === raw.trim().toLowerCase());
  if (!choice) problems.error(`metadata.annotations["${AUTOSCALER_ANNOTATION}"]`, `"${raw}" is not an autoscaler: use ${AUTOSCALER_CHOICES.join(' or ')}, or remove the annotation`);
  return choice;
}

/**
 * The HPA upstream renders for the same spec: the builtin rules, else the custom metrics, else
 * 80% CPU. An HPA cannot scale to zero, so the minimum is at least 1.
 */
function asHpa(resource: WorkloadResource, plan: Extract<ScalingPlan, { kind: 'keda' }>, why?: string, fix?: string): Extract<ScalingPlan, { kind: 'hpa' }> {
  const pod = resource.spec.pod ?? {};
  const builtin = pod.builtinAutoscaler ?? [];
  const custom = (pod.autoScalingMetrics ?? []) as unknown as V2MetricSpec[];
  const metrics = builtin.length ? builtinMetrics(builtin, resource) : custom.length ? custom : defaultMetrics(resource);
  const min = Math.max(plan.min, 1);
  const hpa = { kind: 'hpa' as const, min, max: Math.max(plan.max, min), metrics };
  if (!why) return hpa;
  const changes = [plan.min === 0 ? 'minReplicas 0 becomes 1 (an HPA cannot scale to zero)' : '', resource.spec.scaling ? 'spec.scaling (backlog) is not used' : ''].filter(Boolean);
  return { ...hpa, fallback: `${why}${changes.length ? `: ${changes.join('; ')}` : ''}; ${fix}` };
}

/** The plan from the spec alone, as if the cluster served every autoscaler and nothing was chosen. */
function naturalPlan(resource: WorkloadResource, problems: Problems): ScalingPlan {
  const spec = resource.spec;
  const pod = spec.pod ?? {};
  const replicas = spec.replicas ?? spec.minReplicas ?? 1;
  let min = spec.minReplicas ?? Math.max(spec.replicas ?? 1, 1);
  const max = spec.maxReplicas;
  const builtin = pod.builtinAutoscaler ?? [];
  const custom = (pod.autoScalingMetrics ?? []) as unknown as V2MetricSpec[];
  const hpaMetrics = builtin.length ? builtinMetrics(builtin, resource) : custom;

  const noBacklog = withoutBacklog(resource);
  if (noBacklog) {
    if (spec.scaling) {
      problems.warn('spec.scaling', `${noBacklog} has no input topics, so no backlog to scale on: spec.scaling is ignored (use maxReplicas, optionally with pod.builtinAutoscaler, for CPU/memory autoscaling)`);
    }
    if (min === 0) {
      problems.warn('spec.minReplicas', `${noBacklog} has no backlog to wake it from zero: it keeps at least 1 replica`);
      min = 1;
    }
    if (max !== undefined && max > min) return { kind: 'hpa', min, max, metrics: hpaMetrics.length ? hpaMetrics : defaultMetrics(resource) };
    return { kind: 'fixed', replicas: spec.replicas ?? min };
  }

  if (builtin.length || custom.length) {
    if (max === undefined) {
      problems.warn('spec.maxReplicas', 'pod.builtinAutoscaler and pod.autoScalingMetrics need maxReplicas: no CPU/memory autoscaling is rendered');
    } else if (min === 0) {
      // An HPA cannot scale to zero; KEDA can, with the builtin rules as cpu/memory triggers.
      if (custom.length) {
        problems.warn('spec.pod.autoScalingMetrics', 'with minReplicas 0 the KEDA ScaledObject scales (an HPA cannot reach zero): autoScalingMetrics are ignored, builtinAutoscaler rules become KEDA cpu/memory triggers');
      }
      return { kind: 'keda', min, max, resourceTriggers: builtinTriggers(builtin, resource) };
    } else if (max > min) {
      return { kind: 'hpa', min, max, metrics: hpaMetrics };
    }
  }
  if (spec.minReplicas === 0 || spec.scaling || (max !== undefined && max > min)) {
    return { kind: 'keda', min, max: max ?? Math.max(replicas, min, 1), resourceTriggers: [] };
  }
  return { kind: 'fixed', replicas };
}

/**
 * What, if anything, makes the resource one without an input backlog: a Source, or a Function
 * whose input is an embedded source connector (`sourceConfig`, upstream #823) and no topics.
 */
function withoutBacklog(resource: WorkloadResource): string | undefined {
  if (resource.kind === 'Source') return 'a Source';
  if (resource.kind !== 'Function' || !resource.spec.sourceConfig) return undefined;
  const { topics, patterns } = inputTopics(inputOf(resource));
  return topics.length || patterns.length ? undefined : 'a Function reading from an embedded source connector (spec.sourceConfig)';
}

/** HPA utilization is relative to requests; upstream scales the target so it means "of the limit". */
function utilization(resource: WorkloadResource, kind: Resource, percent: number): number {
  const res = resource.spec.resources;
  const request = parseQuantity(res?.requests?.[kind]);
  const limit = parseQuantity(res?.limits?.[kind]);
  const factor = request && limit ? limit / request : 1;
  return Math.floor(percent * factor);
}

/** One metric per resource (the first rule for CPU, the first for memory), as upstream. */
function builtinRules(rules: readonly string[]): [Resource, number][] {
  const byResource = new Map<Resource, number>();
  for (const rule of rules) {
    const target = BUILTIN_RULES[rule];
    if (target && !byResource.has(target.resource)) byResource.set(target.resource, target.percent);
  }
  return [...byResource];
}

function builtinMetrics(rules: readonly string[], resource: WorkloadResource): V2MetricSpec[] {
  return builtinRules(rules).map(([name, percent]) => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization: utilization(resource, name, percent) } },
  }));
}

function builtinTriggers(rules: readonly string[], resource: WorkloadResource): ScaledObjectTrigger[] {
  return builtinRules(rules).map(([name, percent]) => ({
    type: name,
    metricType: 'Utilization',
    metadata: { value: String(utilization(resource, name, percent)) },
  }));
}

/** Upstream's HPA when only maxReplicas is given: 80% CPU. */
function defaultMetrics(resource: WorkloadResource): V2MetricSpec[] {
  return builtinMetrics(['AverageUtilizationCPUPercent80'], resource);
}
