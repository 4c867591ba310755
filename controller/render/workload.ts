// The workload: a Deployment by default (stateless pods, any name), a StatefulSet only where pod
// identity matters — per-pod volumes (`volumeClaimTemplates`) or function state (`statefulConfig`).
// `replicas` is set only when no autoscaler owns the count.
import type { V1PodTemplateSpec, V1StatefulSetSpec } from '@kubernetes/client-node';
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import type { Workload } from './kube-types.js';
import { headlessServiceName, objectMeta, selectorLabels, workloadName } from './names.js';
import type { ScalingPlan } from './scaling-plan.js';

export function isStateful(resource: WorkloadResource): boolean {
  const claims = resource.kind === 'Function' ? (resource.spec.volumeClaimTemplates ?? []) : [];
  return claims.length > 0 || Boolean(resource.spec.statefulConfig);
}

export function renderWorkload(
  resource: WorkloadResource,
  template: V1PodTemplateSpec,
  plan: ScalingPlan,
  settings: RenderSettings,
): Workload {
  const metadata = objectMeta(resource, workloadName(resource), settings);
  const common = {
    ...(plan.kind === 'fixed' ? { replicas: plan.replicas } : {}),
    selector: { matchLabels: selectorLabels(resource) },
    template,
  };
  if (!isStateful(resource)) {
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: common };
  }
  const fn = resource.kind === 'Function' ? resource.spec : undefined;
  const spec: V1StatefulSetSpec = {
    ...common,
    serviceName: headlessServiceName(resource),
    // Instances are independent: start and stop them all at once, as upstream.
    podManagementPolicy: 'Parallel',
    updateStrategy: { type: 'RollingUpdate' },
  };
  if (fn?.volumeClaimTemplates?.length) spec.volumeClaimTemplates = fn.volumeClaimTemplates as V1StatefulSetSpec['volumeClaimTemplates'];
  if (fn?.persistentVolumeClaimRetentionPolicy) {
    spec.persistentVolumeClaimRetentionPolicy = fn.persistentVolumeClaimRetentionPolicy as V1StatefulSetSpec['persistentVolumeClaimRetentionPolicy'];
  }
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec };
}
