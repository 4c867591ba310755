// Rendering: custom resource → the Kubernetes objects it should own, as pure functions (Knative
// Serving's `resources/` style). The reconciler reads the resource and its pulsarConfig
// ConfigMap, calls renderChildren, adds owner references and applies with server-side apply.
// docs/rendering.md says what is rendered for what, and how it differs from Function Mesh.
import { applyDefaults, type AnyResource, type WorkloadResource } from '../api/index.js';
import type { KubeObject } from '../runtime/resource.js';
import { renderHpa, renderScaledObject, renderVpa } from './autoscalers.js';
import { mergeBackendConfigs, withBackendEnv, withBackendPodPolicy } from './backend-config.js';
import type { RenderContext } from './context.js';
import { renderHttp } from './http-runtime.js';
import { renderMeshChildren } from './mesh.js';
import { renderPodTemplate } from './pod-template.js';
import { Problems, type RenderProblem } from './problems.js';
import { renderRunner } from './runner-container.js';
import { planScaling } from './scaling-plan.js';
import { renderService } from './service.js';
import { isStateful, renderWorkload } from './workload.js';

export interface RenderResult {
  objects: KubeObject[];
  /** When one is an `error`, `objects` is incomplete: apply and prune nothing, report it. */
  problems: RenderProblem[];
}

/**
 * Everything `resource` should own. Pass the resource as read from the apiserver: defaults are
 * applied here, and only an explicit `minReplicas: 0` turns on scale to zero.
 */
export function renderChildren(resource: AnyResource, context: RenderContext): RenderResult {
  const problems = new Problems();
  const objects: KubeObject[] =
    resource.kind === 'FunctionMesh'
      ? // The API types carry client-node's metadata (Date timestamps); rendered children set none.
        (renderMeshChildren(resource, context.settings, problems) as unknown as KubeObject[])
      : renderWorkloadChildren(resource, context, problems);
  return { objects, problems: problems.list };
}

function renderWorkloadChildren(stored: WorkloadResource, context: RenderContext, problems: Problems): KubeObject[] {
  const backend = mergeBackendConfigs(context.backendConfigs, problems);
  const resource = withBackendPodPolicy(applyDefaults(stored.kind, stored) as WorkloadResource, backend.pod);
  const { settings } = context;
  const parts = resource.spec.http
    ? renderHttp(resource, settings, problems)
    : renderRunner(resource, settings, isStateful(resource), problems);
  if (!parts) return [];
  const plan = planScaling(stored, problems, settings);
  const workload = renderWorkload(resource, withBackendEnv(renderPodTemplate(resource, parts, settings), backend.env), plan, settings);
  const objects: KubeObject[] = [workload, renderService(resource, workload, parts.servicePorts, settings)];
  if (plan.kind === 'keda') objects.push(renderScaledObject(resource, workload, plan, context, problems));
  if (plan.kind === 'hpa') objects.push(renderHpa(resource, workload, plan, context));
  const vpa = renderVpa(resource, workload, context);
  if (vpa) objects.push(vpa);
  return objects;
}

export { defaultRenderSettings, DEFAULT_PULSAR_VERSION, type RenderContext, type RenderSettings } from './context.js';
export type { RenderProblem } from './problems.js';
export { backendConfigRevisions, type BackendConfigLayer, type BackendConfigs } from './backend-config.js';
export type * from './kube-types.js';
export { meshTopicGraph } from './topic-graph.js';
export { workloadName } from './names.js';
export { functionDetails } from './function-details.js';
