// The Service in front of the pods: a ClusterIP Service named like the Deployment, or the
// StatefulSet's headless governing Service (`<name>-headless`, as upstream). Ports: the runner's
// gRPC and metrics ports, or the HTTP function's port and the bridge's metrics port.
import type { V1ServicePort } from '@kubernetes/client-node';
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import type { Service, Workload } from './kube-types.js';
import { objectMeta, selectorLabels } from './names.js';

export function renderService(resource: WorkloadResource, workload: Workload, ports: V1ServicePort[], settings: RenderSettings): Service {
  const headless = workload.kind === 'StatefulSet';
  const name = headless ? (workload.spec.serviceName ?? `${workload.metadata.name}-headless`) : workload.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(resource, name, settings),
    spec: {
      ...(headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
      selector: selectorLabels(resource),
      ports,
    },
  };
}
