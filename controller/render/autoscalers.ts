// The autoscaler objects. The ScaledObject's trigger is the project's external scaler, handed
// the metadata keys scaler/metadata.ts parses; the admin URL comes from the resolved pulsarConfig
// ConfigMap. Both autoscalers target the workload itself (not the custom resource's scale
// subresource), so `spec.replicas` of the custom resource stays the user's.
import type { V2HorizontalPodAutoscalerBehavior } from '@kubernetes/client-node';
import { AUTOSCALER_FALLBACK_ANNOTATION, type WorkloadResource } from '../api/index.js';
import type { RenderContext } from './context.js';
import type { HorizontalPodAutoscaler, ScaledObject, ScaledObjectTrigger, VerticalPodAutoscaler, Workload } from './kube-types.js';
import { objectMeta } from './names.js';
import type { Problems } from './problems.js';
import { inputOf, inputTopics, subscriptionOf, subscriptionPositionOf } from './pulsar-identity.js';
import type { ScalingPlan } from './scaling-plan.js';

const DEFAULT_TARGET_BACKLOG = 10;
const DEFAULT_COOLDOWN_PERIOD = 300;
const DEFAULT_POLLING_INTERVAL = 30;

function targetRef(workload: Workload) {
  return { apiVersion: workload.apiVersion, kind: workload.kind, name: workload.metadata.name };
}

export function renderScaledObject(
  resource: WorkloadResource,
  workload: Workload,
  plan: Extract<ScalingPlan, { kind: 'keda' }>,
  context: RenderContext,
  problems: Problems,
): ScaledObject {
  const scaling = resource.spec.scaling ?? {};
  const behavior = resource.spec.pod?.autoScalingBehavior as V2HorizontalPodAutoscalerBehavior | undefined;
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: objectMeta(resource, workload.metadata.name, context.settings),
    spec: {
      scaleTargetRef: targetRef(workload),
      minReplicaCount: plan.min,
      maxReplicaCount: plan.max,
      cooldownPeriod: scaling.cooldownPeriod ?? DEFAULT_COOLDOWN_PERIOD,
      pollingInterval: scaling.pollingInterval ?? DEFAULT_POLLING_INTERVAL,
      ...(behavior ? { advanced: { horizontalPodAutoscalerConfig: { behavior } } } : {}),
      triggers: [...backlogTriggers(resource, context, problems), ...plan.resourceTriggers],
    },
  };
}

/** One trigger for the listed topics and one per topic pattern (the scaler takes one of each). */
function backlogTriggers(resource: WorkloadResource, context: RenderContext, problems: Problems): ScaledObjectTrigger[] {
  const scaling = resource.spec.scaling ?? {};
  const { topics, patterns } = inputTopics(inputOf(resource));
  const adminUrl = context.pulsarConfig?.webServiceURL?.trim();
  if (!adminUrl) {
    problems.warn(
      'spec.pulsar.pulsarConfig',
      `ConfigMap "${resource.spec.pulsar?.pulsarConfig ?? ''}" was not found or has no webServiceURL: the backlog trigger has no adminURL, so only a scaler with a default admin URL can serve it; add webServiceURL to the ConfigMap`,
    );
  }
  if (!topics.length && !patterns.length) {
    problems.error('spec.input', 'backlog autoscaling needs input topics: set input.topics or input.topicPattern');
  }
  const common = {
    scalerAddress: context.settings.scalerAddress,
    ...(adminUrl ? { adminURL: adminUrl } : {}),
    subscription: subscriptionOf(resource),
    subscriptionPosition: subscriptionPositionOf(resource),
    targetBacklog: String(scaling.targetBacklogPerReplica ?? DEFAULT_TARGET_BACKLOG),
    activationBacklog: String(scaling.activationBacklog ?? 0),
  };
  // external-push wakes a scaled-to-zero workload as soon as the scaler sees a message.
  const type = scaling.pushActivation === false ? 'external' : 'external-push';
  const triggers: ScaledObjectTrigger[] = [];
  if (topics.length) triggers.push({ type, name: 'backlog', metadata: { ...common, topics: topics.join(',') } });
  patterns.forEach((topicPattern, i) => {
    triggers.push({ type, name: i === 0 ? 'backlog-pattern' : `backlog-pattern-${i + 1}`, metadata: { ...common, topicPattern } });
  });
  return triggers;
}

export function renderHpa(
  resource: WorkloadResource,
  workload: Workload,
  plan: Extract<ScalingPlan, { kind: 'hpa' }>,
  context: RenderContext,
): HorizontalPodAutoscaler {
  const behavior = resource.spec.pod?.autoScalingBehavior as V2HorizontalPodAutoscalerBehavior | undefined;
  const metadata = objectMeta(resource, workload.metadata.name, context.settings);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: plan.fallback ? { ...metadata, annotations: { ...metadata.annotations, [AUTOSCALER_FALLBACK_ANNOTATION]: plan.fallback } } : metadata,
    spec: {
      scaleTargetRef: targetRef(workload),
      minReplicas: plan.min,
      maxReplicas: plan.max,
      metrics: plan.metrics,
      ...(behavior ? { behavior } : {}),
    },
  };
}

/** Upstream's `pod.vpa`: a VerticalPodAutoscaler on the workload (needs the VPA CRDs installed). */
export function renderVpa(resource: WorkloadResource, workload: Workload, context: RenderContext): VerticalPodAutoscaler | undefined {
  const vpa = resource.spec.pod?.vpa;
  if (!vpa) return undefined;
  return {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: objectMeta(resource, workload.metadata.name, context.settings),
    spec: {
      targetRef: targetRef(workload),
      ...(vpa.updatePolicy ? { updatePolicy: vpa.updatePolicy } : {}),
      ...(vpa.resourcePolicy ? { resourcePolicy: vpa.resourcePolicy } : {}),
    },
  };
}
