import { describe, expect, it } from '@jest/globals';
import type { Service, StatefulSet } from '../../../controller/render/index.js';
import { renderChildren } from '../../../controller/render/index.js';
import { container, envOf, find, fn, podSpec, render, settings, sink, source, workloadOf } from './fixtures.js';

/** Function Mesh v0.27's labels (controllers/spec makeFunctionLabels, makeSourceLabels, makeSinkLabels). */
const upstreamLabels = (name: string, component: string) => ({
  'app.kubernetes.io/name': `${name}-${component}`,
  'app.kubernetes.io/instance': `${name}-${component}`,
  ...(component === 'function' ? { 'compute.functionmesh.io/app': 'function-mesh', app: 'function-mesh' } : {}),
  'compute.functionmesh.io/component': component,
  'compute.functionmesh.io/name': name,
  'compute.functionmesh.io/namespace': 'team-a',
  component,
  name,
  namespace: 'team-a',
});

const systemLabels = (name: string, component: string) => ({ ...upstreamLabels(name, component), 'app.kubernetes.io/managed-by': 'function-mesh-ts' });

describe('workload kind, names, labels and Service', () => {
  it.each([
    { name: 'function', resource: fn(), workload: 'fn-function', component: 'function' },
    { name: 'source', resource: source(), workload: 'src-source', component: 'source' },
    { name: 'sink', resource: sink(), workload: 'snk-sink', component: 'sink' },
  ])('$name: a Deployment and a ClusterIP Service named like upstream', ({ resource, workload, component }) => {
    const result = render(resource);
    const w = workloadOf(result);
    const name = resource.metadata.name!;
    expect(w.kind).toBe('Deployment');
    expect(w.metadata).toEqual({ name: workload, namespace: 'team-a', labels: systemLabels(name, component) });
    expect(w.spec.selector).toEqual({ matchLabels: { 'compute.functionmesh.io/component': component, 'compute.functionmesh.io/name': name } });
    const svc = find<Service>(result, 'Service')!;
    expect(svc.metadata.name).toBe(workload);
    expect(svc.spec).toEqual({
      type: 'ClusterIP',
      selector: w.spec.selector!.matchLabels,
      ports: [
        { name: 'tcp-grpc', port: 9093, targetPort: 9093, protocol: 'TCP' },
        { name: 'http-metrics', port: 9094, targetPort: 9094, protocol: 'TCP' },
      ],
    });
  });

  it.each([
    { resource: fn(), component: 'function' },
    { resource: source(), component: 'source' },
    { resource: sink(), component: 'sink' },
  ])('$component: pods and Service carry every label of Function Mesh, so its ServiceMonitors, NetworkPolicies and PDBs select them', ({ resource, component }) => {
    const result = render(resource);
    const upstream = upstreamLabels(resource.metadata.name!, component);
    const w = workloadOf(result);
    expect(w.spec.template.metadata!.labels).toMatchObject(upstream);
    expect(find<Service>(result, 'Service')!.metadata.labels).toMatchObject(upstream);
    // The selector stays the two labels it always was (immutable on a Deployment), a subset of upstream's.
    expect(Object.keys(w.spec.selector!.matchLabels!)).toEqual(['compute.functionmesh.io/component', 'compute.functionmesh.io/name']);
    expect(upstream).toMatchObject(w.spec.selector!.matchLabels!);
  });

  it('the selector never depends on pod.labels or the spec', () => {
    const a = workloadOf(render(fn({ pod: { labels: { team: 'x' } }, replicas: 2, image: 'a' })));
    const b = workloadOf(render(fn({ pod: { labels: { team: 'y' } }, replicas: 5, image: 'b' })));
    expect(a.spec.selector).toEqual(b.spec.selector);
  });

  it.each([
    { name: 'volumeClaimTemplates', spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }], persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } } },
    { name: 'statefulConfig', spec: { statefulConfig: { pulsar: { serviceUrl: 'bk://bk:4181' } } } },
  ])('$name: a StatefulSet with its headless Service', ({ spec }) => {
    const result = render(fn(spec));
    const sts = workloadOf(result) as StatefulSet;
    expect(sts.kind).toBe('StatefulSet');
    expect(sts.spec).toMatchObject({ replicas: 1, serviceName: 'fn-function-headless', podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate' } });
    if ('volumeClaimTemplates' in spec) {
      expect(sts.spec.volumeClaimTemplates).toEqual(spec.volumeClaimTemplates);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete' });
    }
    const svc = find<Service>(result, 'Service')!;
    expect(svc.metadata.name).toBe('fn-function-headless');
    expect(svc.spec.clusterIP).toBe('None');
  });
});

describe('pod policy', () => {
  const policy = {
    labels: { team: 'payments', 'compute.functionmesh.io/name': 'hijack' },
    annotations: { 'example.com/owner': 'me', 'prometheus.io/scrape': 'false' },
    nodeSelector: { pool: 'fn' },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
    tolerations: [{ key: 'dedicated', operator: 'Exists' }],
    securityContext: { runAsUser: 2000 },
    terminationGracePeriodSeconds: 60,
    serviceAccountName: 'fn-sa',
    volumes: [{ name: 'cache', emptyDir: {} }],
    imagePullSecrets: [{ name: 'regcred' }],
    initContainers: [{ name: 'warmup', image: 'busybox' }],
    sidecars: [{ name: 'proxy', image: 'envoy' }],
    env: [{ name: 'MODE', value: 'fast' }],
    liveness: { periodSeconds: 10, initialDelaySeconds: 5, failureThreshold: 3 },
    startupProbe: { tcpSocket: { port: 9093 }, failureThreshold: 30 },
  };

  it('passes through to the pod, with the system labels winning', () => {
    const result = render(fn({ pod: policy, volumeMounts: [{ name: 'cache', mountPath: '/cache' }], resources: { requests: { cpu: '1' } } }));
    const template = workloadOf(result).spec.template;
    expect(template.metadata!.labels).toEqual({ team: 'payments', ...systemLabels('fn', 'function') });
    expect(template.metadata!.annotations).toEqual({
      'prometheus.io/scrape': 'false',
      'prometheus.io/port': '9094',
      'kubectl.kubernetes.io/default-container': 'pulsar-function',
      'example.com/owner': 'me',
    });
    const pod = podSpec(result);
    expect(pod).toMatchObject({
      nodeSelector: policy.nodeSelector,
      affinity: policy.affinity,
      tolerations: policy.tolerations,
      securityContext: policy.securityContext,
      terminationGracePeriodSeconds: 60,
      serviceAccountName: 'fn-sa',
      volumes: policy.volumes,
      imagePullSecrets: policy.imagePullSecrets,
      initContainers: policy.initContainers,
    });
    expect(pod.containers.map((c) => c.name)).toEqual(['pulsar-function', 'proxy']);
    const main = container(result, 'pulsar-function');
    expect(envOf(main)).toEqual({ POD_NAME: 'valueFrom', MODE: 'fast' });
    expect(main.volumeMounts).toEqual([{ name: 'cache', mountPath: '/cache' }]);
    expect(main.resources).toEqual({ requests: { cpu: '1' } });
    expect(main.livenessProbe).toEqual({ httpGet: { path: '/', port: 9094, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 3 });
    expect(main.startupProbe).toEqual(policy.startupProbe);
    expect(main.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  describe('default anti-affinity (replicas prefer different nodes)', () => {
    const spread = { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { 'compute.functionmesh.io/component': 'function', 'compute.functionmesh.io/name': 'fn' } }, topologyKey: 'kubernetes.io/hostname' } };

    it('is added by default, matching the workload selector', () => {
      const result = render(fn());
      expect(podSpec(result).affinity).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [spread] } });
      expect(spread.podAffinityTerm.labelSelector.matchLabels).toEqual(workloadOf(result).spec.selector.matchLabels);
    });

    it('is appended to the user\'s affinity, which is kept whole', () => {
      const own = { weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' } };
      const affinity = { nodeAffinity: policy.affinity.nodeAffinity, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [own] } };
      expect(podSpec(render(fn({ pod: { affinity } }))).affinity).toEqual({
        nodeAffinity: policy.affinity.nodeAffinity,
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [own, spread] },
      });
    });

    it('is left out with pod.disableDefaultAffinity, or when the controller is started without it', () => {
      expect(podSpec(render(fn({ pod: { disableDefaultAffinity: true } }))).affinity).toBeUndefined();
      expect(podSpec(render(fn({ pod: { affinity: policy.affinity, disableDefaultAffinity: true } }))).affinity).toEqual(policy.affinity);
      const off = renderChildren(fn(), { settings: { ...settings, defaultAffinity: false }, pulsarConfig: { webServiceURL: 'http://p:8080', brokerServiceURL: 'pulsar://p:6650' } });
      expect(podSpec(off).affinity).toBeUndefined();
    });
  });

  it('without a securityContext the runner pod runs as the runner images\' user', () => {
    expect(podSpec(render(fn())).securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10000, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('secretsMap: one Secret-backed env var each, and the env secrets provider', () => {
    const result = render(fn({ secretsMap: { PASSWORD: { path: 'db', key: 'pw' }, API_KEY: { path: 'api', key: 'key' } } }));
    const env = container(result, 'pulsar-function').env!;
    expect(env.slice(1)).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'api', key: 'key' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } },
    ]);
    expect(container(result, 'pulsar-function').command![2]).toContain('--secrets_provider org.apache.pulsar.functions.secretsprovider.EnvironmentBasedSecretsProvider');
  });

  it('crypto secrets are mounted where the consumer config asks', () => {
    const result = render(fn({ input: { sourceSpecs: { in: { cryptoConfig: { cryptoKeyReaderClassName: 'org.example.Keys', cryptoSecrets: [{ secretName: 'keys', secretKey: 'priv.pem', asVolume: '/keys' }] } } } } }));
    expect(podSpec(result).volumes).toEqual([{ name: 'keys-priv-pem', secret: { secretName: 'keys', items: [{ key: 'priv.pem', path: 'priv.pem' }] } }]);
    expect(container(result, 'pulsar-function').volumeMounts).toEqual([{ name: 'keys-priv-pem', mountPath: '/keys', readOnly: true }]);
  });
});
