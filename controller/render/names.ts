// Names and labels of everything rendered for a Function, Source or Sink. Names follow Function
// Mesh (`<name>-function`, `<name>-source`, `<name>-sink`) so dashboards and `kubectl` habits carry
// over; the selector is a fixed subset of the labels so it never changes on update (Deployment
// selectors are immutable). Every object and pod also carries Function Mesh's whole label set, so
// ServiceMonitors, NetworkPolicies and PDBs written for its pods select these; they are labels
// only, never added to a selector.
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import type { RenderedMeta } from './kube-types.js';

type Component = 'function' | 'source' | 'sink';

const LABEL_COMPONENT = 'compute.functionmesh.io/component';
const LABEL_NAME = 'compute.functionmesh.io/name';
const LABEL_NAMESPACE = 'compute.functionmesh.io/namespace';
const LABEL_APP = 'compute.functionmesh.io/app';
const APP_FUNCTION_MESH = 'function-mesh';

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

/**
 * Function Mesh's labels, as its operator puts them on its StatefulSet, Service and pods (and as
 * its StatefulSet's selector): the `app.kubernetes.io` pair, the `compute.functionmesh.io` ones
 * and the bare `component`/`name`/`namespace` it still writes. Only a Function gets the `app`
 * pair (`function-mesh`): upstream gives Sources and Sinks none.
 */
export function upstreamLabels(resource: WorkloadResource): Record<string, string> {
  const name = workloadName(resource);
  const component = componentOf(resource);
  const app: Record<string, string> = resource.kind === 'Function' ? { [LABEL_APP]: APP_FUNCTION_MESH, app: APP_FUNCTION_MESH } : {};
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    ...app,
    [LABEL_COMPONENT]: component,
    [LABEL_NAME]: resourceName(resource),
    [LABEL_NAMESPACE]: resourceNamespace(resource),
    component,
    name: resourceName(resource),
    namespace: resourceNamespace(resource),
  };
}

/** Labels on every rendered object and pod: upstream's set plus `managed-by`. */
export function objectLabels(resource: WorkloadResource, settings: RenderSettings): Record<string, string> {
  return { ...upstreamLabels(resource), 'app.kubernetes.io/managed-by': settings.managedBy };
}

export function objectMeta(resource: WorkloadResource, name: string, settings: RenderSettings): RenderedMeta {
  return { name, namespace: resourceNamespace(resource), labels: objectLabels(resource, settings) };
}
