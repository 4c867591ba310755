// PodPolicy: how the pod running a function/connector looks. Core/v1 structures pass through
// free-form (Kubernetes validates them on the Deployment); autoscaling choices are typed
// because our rules and the controller read them.
import Type from 'typebox';
import { EnvList, LocalObjectReference } from './core-v1.js';
import { FreeForm, FreeFormList, Int32, Int64, Labels, StringEnum, cel, rules } from './schema-kit.js';

const opt = Type.Optional;

export interface BuiltinHpaTarget {
  resource: 'cpu' | 'memory';
  /** Average utilization, in percent of the limit. */
  percent: number;
}

/** Function Mesh's predefined HPA rules (`pod.builtinAutoscaler`), and the target each one means. */
export const BUILTIN_HPA_RULES = {
  AverageUtilizationCPUPercent80: { resource: 'cpu', percent: 80 },
  AverageUtilizationCPUPercent50: { resource: 'cpu', percent: 50 },
  AverageUtilizationCPUPercent20: { resource: 'cpu', percent: 20 },
  AverageUtilizationMemoryPercent80: { resource: 'memory', percent: 80 },
  AverageUtilizationMemoryPercent50: { resource: 'memory', percent: 50 },
  AverageUtilizationMemoryPercent20: { resource: 'memory', percent: 20 },
} as const satisfies Record<string, BuiltinHpaTarget>;

const BUILTIN_HPA_RULE_NAMES = Object.keys(BUILTIN_HPA_RULES) as (keyof typeof BUILTIN_HPA_RULES)[];

const Liveness = Type.Object(
  {
    periodSeconds: opt(Int32({ minimum: 0, description: 'Seconds between probes.' })),
    initialDelaySeconds: opt(Int32({ minimum: 0, description: 'Seconds before the first probe.' })),
    successThreshold: opt(Int32({ minimum: 0, description: 'Successes to count as healthy again.' })),
    failureThreshold: opt(Int32({ minimum: 0, description: 'Failures before the container restarts.' })),
  },
  { description: 'Liveness probe timing for the main container (upstream Liveness).' },
);

const VpaSpec = Type.Object(
  {
    updatePolicy: opt(FreeForm('autoscaling.k8s.io/v1 PodUpdatePolicy.')),
    resourcePolicy: opt(FreeForm('autoscaling.k8s.io/v1 PodResourcePolicy.')),
  },
  { description: 'Turns on a VerticalPodAutoscaler; excludes builtinAutoscaler and autoScalingMetrics.' },
);

export const PodPolicy = Type.Object(
  {
    labels: opt(Labels('Labels added to the pods.')),
    annotations: opt(Labels('Annotations added to the pods.')),
    nodeSelector: opt(Labels('Node labels the pods must match.')),
    affinity: opt(FreeForm('core/v1 Affinity.')),
    tolerations: opt(FreeFormList('core/v1 Tolerations.')),
    securityContext: opt(FreeForm('core/v1 PodSecurityContext.')),
    terminationGracePeriodSeconds: opt(Int64({ minimum: 0, description: 'Seconds a pod may take to stop.' })),
    serviceAccountName: opt(Type.String({ description: 'ServiceAccount the pods run as.' })),
    volumes: opt(FreeFormList('core/v1 Volumes of the pod.')),
    imagePullSecrets: opt(Type.Array(LocalObjectReference, { description: 'Secrets used to pull images.' })),
    initContainers: opt(FreeFormList('core/v1 Containers run before the main one.')),
    sidecars: opt(FreeFormList('core/v1 Containers run beside the main one.')),
    env: opt(EnvList('Extra environment variables of the main container.')),
    builtinAutoscaler: opt(
      Type.Array(StringEnum(BUILTIN_HPA_RULE_NAMES), {
        maxItems: BUILTIN_HPA_RULE_NAMES.length,
        description: 'Predefined HPA metrics (CPU or memory utilization targets).',
      }),
    ),
    autoScalingMetrics: opt(FreeFormList('autoscaling/v2 MetricSpecs for an HPA.')),
    autoScalingBehavior: opt(FreeForm('autoscaling/v2 HorizontalPodAutoscalerBehavior.')),
    vpa: opt(VpaSpec),
    liveness: opt(Liveness),
    startupProbe: opt(FreeForm('core/v1 Probe for the main container start.')),
    disableDefaultAffinity: opt(Type.Boolean({ description: 'Skip the default pod anti-affinity.' })),
  },
  {
    description: 'Pod-level settings of the generated workload.',
    ...rules(
      cel(
        '!has(self.vpa) || !(has(self.builtinAutoscaler) || has(self.autoScalingMetrics))',
        'pod.vpa cannot be combined with pod.builtinAutoscaler or pod.autoScalingMetrics (an HPA): keep one autoscaler',
        { fieldPath: '.vpa', reason: 'FieldValueForbidden' },
      ),
      ...(['CPU', 'Memory'] as const).map((metric) =>
        cel(
          `!has(self.builtinAutoscaler) || self.builtinAutoscaler.filter(r, r.startsWith('AverageUtilization${metric}')).size() <= 1`,
          `pod.builtinAutoscaler has more than one ${metric} rule: keep one AverageUtilization${metric}Percent* entry`,
          { fieldPath: '.builtinAutoscaler' },
        ),
      ),
    ),
  },
);
