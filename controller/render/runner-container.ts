// The main container of the Function Mesh compatible runtimes: Pulsar's runner images started
// with Function Mesh's command lines (Java, Python, Go, generic), so existing functions and
// connectors run unchanged. What differs by runtime is resolved in runner-plan.ts; this file
// lays the plan out as the container, its init container, volumes and Service ports.
import type { V1Container } from '@kubernetes/client-node';
import type { WorkloadResource } from '../api/index.js';
import { RESTRICTED_CONTAINER, defined, livenessProbe, startupProbe, userVolumeMounts } from './container-parts.js';
import type { RenderSettings } from './context.js';
import { mainContainerName } from './names.js';
import type { Problems } from './problems.js';
import { pulsarEnvFrom } from './pulsar-connection.js';
import { commandScript } from './runner-command.js';
import { runnerPlan, type RunnerPlan } from './runner-plan.js';
import type { RuntimeParts } from './runtime-parts.js';

/** Undefined, with the problem reported, when the spec names no runtime a runner can run. */
export function renderRunner(resource: WorkloadResource, settings: RenderSettings, stateful: boolean, problems: Problems): RuntimeParts | undefined {
  const plan = runnerPlan(resource, settings, stateful, problems);
  return plan && runnerParts(resource, plan);
}

function runnerParts(resource: WorkloadResource, { image, imagePullPolicy, command, package: pkg, env, files, ports }: RunnerPlan): RuntimeParts {
  const spec = resource.spec;
  const container: V1Container = defined({
    name: mainContainerName(resource),
    image,
    imagePullPolicy,
    command: [command.shell, '-c', commandScript(command)],
    ports: [
      { name: 'tcp-grpc', containerPort: ports.grpc, protocol: 'TCP' },
      { name: 'http-metrics', containerPort: ports.metrics, protocol: 'TCP' },
    ],
    env,
    envFrom: pulsarEnvFrom(spec.pulsar),
    resources: spec.resources as V1Container['resources'],
    volumeMounts: [...userVolumeMounts(resource), ...files.mounts, ...(pkg.mount ? [pkg.mount] : [])],
    livenessProbe: livenessProbe(resource, { httpGet: { path: '/', port: ports.metrics, scheme: 'HTTP' } }),
    startupProbe: startupProbe(resource),
    securityContext: RESTRICTED_CONTAINER,
  });
  return {
    containers: [container],
    initContainers: pkg.initContainer ? [pkg.initContainer] : [],
    volumes: [...files.volumes, ...pkg.volumes],
    servicePorts: [
      { name: 'tcp-grpc', port: ports.grpc, targetPort: ports.grpc, protocol: 'TCP' },
      { name: 'http-metrics', port: ports.metrics, targetPort: ports.metrics, protocol: 'TCP' },
    ],
    metricsPort: ports.metrics,
    // The runner images run as user 10000 (Function Mesh's default pod security context).
    podSecurityContext: { runAsNonRoot: true, runAsUser: 10000, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  };
}
