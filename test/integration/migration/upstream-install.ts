// What Function Mesh's Go operator (v0.27) leaves in a cluster for a Function, Source or Sink,
// written here object by object as that operator writes it (read from its controllers/spec and
// controllers/*.go, not copied): a StatefulSet `<name>-<component>` and a headless Service
// `<name>-<component>-headless`, both controlled by the resource and selecting the pods by its
// whole label set; its cleanup finalizer on the resource, with the cleanup Job it creates alongside
// (`<name>-<component>-cleanup`: no owner, the resource's labels plus its uid under `owner`, a pod
// that sleeps until signalled); and a status whose conditions are a map
// keyed by child kind. Children go through the apiserver; the status goes straight into etcd, since
// this project's CRD (installed on the shared platform) rejects the map.
import { kubectlJson, kubectlOk } from '../../support/kubectl.js';
import type { Json } from '../controller/manifests.js';
import { rewriteStored } from './etcd-store.js';

export const UPSTREAM_FINALIZER = 'cleanup.subscription.finalizer';
const RUNNER_IMAGE = 'streamnative/pulsar-functions-java-runner:2.10.0.0-rc10';

type Kind = 'Function' | 'Source' | 'Sink';
const component = (kind: Kind) => kind.toLowerCase();

/** makeFunctionLabels / makeSourceLabels / makeSinkLabels: only a Function gets the `app` pair. */
export function upstreamLabels(kind: Kind, name: string, namespace: string): Record<string, string> {
  const c = component(kind);
  return {
    'app.kubernetes.io/name': `${name}-${c}`,
    'app.kubernetes.io/instance': `${name}-${c}`,
    ...(kind === 'Function' ? { 'compute.functionmesh.io/app': 'function-mesh', app: 'function-mesh' } : {}),
    'compute.functionmesh.io/component': c,
    'compute.functionmesh.io/name': name,
    'compute.functionmesh.io/namespace': namespace,
    component: c,
    name,
    namespace,
  };
}

/** labels.Selector's String(): keys sorted, `k=v` joined by commas (status.selector). */
function selectorString(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export interface UpstreamInstall {
  kind: Kind;
  name: string;
  uid: string;
  statefulSet: string;
  statefulSetUid: string;
  service: string;
  labels: Record<string, string>;
  /** The cleanup Job's name, when one was created. */
  cleanupJob?: string;
}

/**
 * Installs the children Function Mesh would have created for an existing resource, marks the
 * resource with its finalizer (when `finalizer`), and stores its status as that operator writes it.
 */
export async function installAsUpstream(namespace: string, kind: Kind, name: string, opts: { finalizer?: boolean; cleanupJob?: boolean; image?: string } = {}): Promise<UpstreamInstall> {
  const resource = await kubectlJson<{ metadata: { uid: string; generation: number }; spec: { pod?: { nodeSelector?: Record<string, string> } } }>(['-n', namespace, 'get', kind.toLowerCase(), name]);
  const { uid, generation } = resource.metadata;
  const workload = `${name}-${component(kind)}`;
  const labels = upstreamLabels(kind, name, namespace);
  const owner = { apiVersion: 'compute.functionmesh.io/v1alpha1', kind, name, uid, controller: true, blockOwnerDeletion: true };
  const metadata = { name: workload, namespace, labels, ownerReferences: [owner] };
  const ports = [
    { name: 'tcp-grpc', port: 9093, protocol: 'TCP', targetPort: 9093 },
    { name: 'http-metrics', port: 9094, protocol: 'TCP', targetPort: 9094 },
  ];
  const statefulSet: Json = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      serviceName: `${workload}-headless`,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9094' } },
        spec: { containers: [{ name: `pulsar-${component(kind)}`, image: opts.image ?? RUNNER_IMAGE, ports: [{ name: 'tcp-grpc', containerPort: 9093 }, { name: 'http-metrics', containerPort: 9094 }] }] },
      },
    },
  };
  const service: Json = { apiVersion: 'v1', kind: 'Service', metadata: { ...metadata, name: `${workload}-headless` }, spec: { clusterIP: 'None', selector: labels, ports } };
  await kubectlOk(['-n', namespace, 'create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [statefulSet, service] }) });
  const statefulSetUid = (await kubectlJson<{ metadata: { uid: string } }>(['-n', namespace, 'get', 'statefulset', workload])).metadata.uid;
  // ApplyXCleanUpJob: the Job is created in the step that adds the finalizer.
  const cleanupJob = opts.finalizer && opts.cleanupJob !== false ? `${workload}-cleanup` : undefined;
  if (cleanupJob) {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: cleanupJob, namespace, labels: { ...labels, owner: uid } },
      spec: {
        ttlSecondsAfterFinished: 0,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'OnFailure',
            // Held Pending: kwok's nodes would complete it (and its TTL of 0 delete the Job), where
            // upstream's pod sleeps until signalled.
            nodeSelector: { ...resource.spec.pod?.nodeSelector, 'migration.test/never': 'scheduled' },
            // Waits for SIGINT (sent by the operator through exec on delete), then unsubscribes.
            containers: [{ name: 'cleanup', image: opts.image ?? RUNNER_IMAGE, command: ['sh', '-c', `sleep infinity & pid=$!; trap "kill $pid" INT; trap 'exit 0' TERM; wait; bin/pulsar-admin topics unsubscribe -s sub ${name}`] }],
          },
        },
      },
    };
    await kubectlOk(['-n', namespace, 'create', '-f', '-'], { input: JSON.stringify(job) });
  }
  if (opts.finalizer) await kubectlOk(['-n', namespace, 'patch', kind.toLowerCase(), name, '--type=merge', '-p', JSON.stringify({ metadata: { finalizers: [UPSTREAM_FINALIZER] } })]);
  // ObserveFunctionStatefulSet / ObserveFunctionService after a reconcile where all was in place.
  const status = {
    conditions: {
      StatefulSet: { condition: 'StatefulSetReady', status: 'True', action: 'NoAction' },
      Service: { condition: 'ServiceReady', status: 'True', action: 'NoAction' },
    },
    replicas: 1,
    selector: selectorString(labels),
    observedGeneration: generation,
  };
  await rewriteStored('compute.functionmesh.io', `${kind.toLowerCase()}s`, namespace, name, (stored) => ({ ...stored, status }));
  return { kind, name, uid, statefulSet: workload, statefulSetUid, service: `${workload}-headless`, labels, cleanupJob };
}
