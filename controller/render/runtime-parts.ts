// What a runtime (runner image or HTTP function + bridge) contributes to the pod and Service.
import type { V1Container, V1PodSecurityContext, V1ServicePort, V1Volume } from '@kubernetes/client-node';

export interface RuntimeParts {
  /** The main container first, then the runtime's own sidecars. */
  containers: V1Container[];
  initContainers: V1Container[];
  volumes: V1Volume[];
  servicePorts: V1ServicePort[];
  /** Port Prometheus scrapes (`prometheus.io/port`). */
  metricsPort: number;
  /** Used when `pod.securityContext` is not set. */
  podSecurityContext: V1PodSecurityContext;
}
