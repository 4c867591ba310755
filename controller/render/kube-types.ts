// The objects the renderer produces. Specs borrow the core/apps/autoscaling models of
// @kubernetes/client-node (types only); KEDA's ScaledObject has no published TS model, so the
// part we render is typed here.
import type {
  V1DeploymentSpec,
  V1ServiceSpec,
  V1StatefulSetSpec,
  V2HorizontalPodAutoscalerBehavior,
  V2HorizontalPodAutoscalerSpec,
} from '@kubernetes/client-node';
import type { KubeObject, ObjectMeta } from '../runtime/resource.js';

/** A rendered object: name, namespace and labels are always set. */
export interface RenderedMeta extends ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

interface Rendered<A extends string, K extends string, S> extends KubeObject {
  apiVersion: A;
  kind: K;
  metadata: RenderedMeta;
  spec: S;
}

type Deployment = Rendered<'apps/v1', 'Deployment', V1DeploymentSpec>;
export type StatefulSet = Rendered<'apps/v1', 'StatefulSet', V1StatefulSetSpec>;
export type Service = Rendered<'v1', 'Service', V1ServiceSpec>;
export type HorizontalPodAutoscaler = Rendered<'autoscaling/v2', 'HorizontalPodAutoscaler', V2HorizontalPodAutoscalerSpec>;
export type ScaledObject = Rendered<'keda.sh/v1alpha1', 'ScaledObject', ScaledObjectSpec>;
export type Workload = Deployment | StatefulSet;

export interface ScaledObjectTrigger {
  type: string;
  name?: string;
  /** cpu/memory triggers: Utilization or AverageValue. */
  metricType?: string;
  metadata: Record<string, string>;
}

/** The fields of keda.sh/v1alpha1 ScaledObjectSpec this project renders. */
interface ScaledObjectSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string; envSourceContainerName?: string };
  minReplicaCount: number;
  maxReplicaCount: number;
  cooldownPeriod: number;
  pollingInterval: number;
  advanced?: {
    horizontalPodAutoscalerConfig?: { name?: string; behavior?: V2HorizontalPodAutoscalerBehavior };
  };
  triggers: ScaledObjectTrigger[];
}

/** The fields of autoscaling.k8s.io/v1 VerticalPodAutoscalerSpec this project renders. */
interface VerticalPodAutoscalerSpec {
  targetRef: { apiVersion: string; kind: string; name: string };
  updatePolicy?: Record<string, unknown>;
  resourcePolicy?: Record<string, unknown>;
}
export type VerticalPodAutoscaler = Rendered<'autoscaling.k8s.io/v1', 'VerticalPodAutoscaler', VerticalPodAutoscalerSpec>;
