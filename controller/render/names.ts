// Names and labels of everything rendered for a Function, Source or Sink. Names follow Function
// Mesh (`<name>-function`, `<name>-source`, `<name>-sink`) so dashboards and `kubectl` habits carry
// over; the selector is a fixed subset of the labels so it never changes on update (Deployment
// selectors are immutable).
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import type { RenderedMeta } from './kube-types.js';

type Component = 'function' | 'source' | 'sink';

const LABEL_COMPONENT = 'compute.functionmesh.io/component';
const LABEL_NAME = 'compute.functionmesh.io/name';
const LABEL_NAMESPACE = 'compute.functionmesh.io/namespace';

export function componentOf(resource: WorkloadResource): Component {
  return resource.kind === 'Function' ? 'function' : resource.kind === 'Source' ? 'source' : 'sink';
}

export function resourceName(resource: WorkloadResource): string {
  return resource.metadata.name ?? '';
}

export function resourceNamespace(resource: WorkloadResource): string {
  return resource.metadata.namespace ?? 'default';
}

/** Name of the Deployment/StatefulSet, its Service, ScaledObject or HPA. */
export function workloadName(resource: WorkloadResource): string {
  return `${resourceName(resource)}-${componentOf(resource)}`;
}

/** The StatefulSet's governing Service, as upstream names it. */
export function headlessServiceName(resource: WorkloadResource): string {
  return `${workloadName(resource)}-headless`;
}

/** Name of the main container, as upstream names it. */
export function mainContainerName(resource: WorkloadResource): string {
  return `pulsar-${componentOf(resource)}`;
}

/** The pod selector: only labels that can never change for this resource. */
export function selectorLabels(resource: WorkloadResource): Record<string, string> {
  return { [LABEL_COMPONENT]: componentOf(resource), [LABEL_NAME]: resourceName(resource) };
}

/** Labels on every rendered object and pod. */
export function objectLabels(resource: WorkloadResource, settings: RenderSettings): Record<string, string> {
  const name = workloadName(resource);
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': settings.managedBy,
    ...selectorLabels(resource),
    [LABEL_NAMESPACE]: resourceNamespace(resource),
  };
}

export function objectMeta(resource: WorkloadResource, name: string, settings: RenderSettings): RenderedMeta {
  return { name, namespace: resourceNamespace(resource), labels: objectLabels(resource, settings) };
}
