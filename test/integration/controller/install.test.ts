// `kubectl apply -k manifests/base` installs everything on the real platform, and the
// controller's ServiceAccount may do exactly what the controller does — and not, for example,
// delete or list Secrets.
import { describe, expect, it } from '@jest/globals';
import { kubectl, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';

const SA = 'system:serviceaccount:functionmesh-system:functionmesh-controller';
const OURS = ['functions', 'sources', 'sinks', 'functionmeshes'].map((r) => `${r}.compute.functionmesh.io`);
const CHILDREN = ['deployments.apps', 'statefulsets.apps', 'services', 'horizontalpodautoscalers.autoscaling', 'scaledobjects.keda.sh'];

// [verb, resource, extra flags]
const ALLOWED: [string, string, string[]][] = [
  ...OURS.flatMap((r) => ['list', 'watch', 'create', 'patch', 'delete'].map((v): [string, string, string[]] => [v, r, ['-A']])),
  ...OURS.map((r): [string, string, string[]] => ['patch', r, ['--subresource=status', '-A']]),
  ...OURS.map((r): [string, string, string[]] => ['update', r, ['--subresource=finalizers', '-A']]),
  ...CHILDREN.flatMap((r) => ['list', 'watch', 'create', 'patch', 'delete'].map((v): [string, string, string[]] => [v, r, ['-A']])),
  ['list', 'configmaps', ['-A']],
  ['watch', 'configmaps', ['-A']],
  ['list', 'backendconfigs.compute.functionmesh.io', ['-A']],
  ['watch', 'backendconfigs.compute.functionmesh.io', ['-A']],
  ['get', 'secrets', ['-n', 'default']],
  ['create', 'events', ['-n', 'default']],
  ['patch', 'events', ['-n', 'default']],
  ['get', 'leases.coordination.k8s.io', ['-n', 'functionmesh-system']],
  ['create', 'leases.coordination.k8s.io', ['-n', 'functionmesh-system']],
  ['update', 'leases.coordination.k8s.io', ['-n', 'functionmesh-system']],
];

const DENIED: [string, string, string[]][] = [
  ['delete', 'secrets', ['-n', 'default']],
  ['list', 'secrets', ['-A']],
  ['watch', 'secrets', ['-A']],
  ['create', 'secrets', ['-n', 'default']],
  ['delete', 'configmaps', ['-n', 'default']],
  ['patch', 'backendconfigs.compute.functionmesh.io', ['-n', 'default']],
  ['create', 'pods', ['-n', 'default']],
  ['update', 'deployments.apps', ['-n', 'default']],
  ['update', 'leases.coordination.k8s.io', ['-n', 'kube-system']],
  ['delete', 'namespaces', []],
  ['create', 'clusterrolebindings.rbac.authorization.k8s.io', []],
];

const canI = async (verb: string, resource: string, flags: string[]) => (await kubectl(['auth', 'can-i', verb, resource, ...flags, `--as=${SA}`])).stdout.trim();

describe('installation', () => {
  it('kubectl apply -k manifests/base creates the controller, its RBAC and CRDs', async () => {
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-k', 'manifests/base'], { timeoutMs: 120_000 });
    const deployment = await kubectlJson<{ spec: { replicas: number; template: { spec: { serviceAccountName: string } } } }>(['-n', 'functionmesh-system', 'get', 'deployment', 'functionmesh-controller']);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('functionmesh-controller');
    await kubectlOk(['-n', 'functionmesh-system', 'get', 'service', 'functionmesh-controller-metrics']);
    await waitFor('controller pods scheduled', async () => {
      const pods = await kubectlJson<{ items: unknown[] }>(['-n', 'functionmesh-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=functionmesh-controller']);
      return pods.items.length === 2 || undefined;
    });
  });

  it.each(ALLOWED)('the controller may %s %s', async (verb, resource, flags) => {
    expect(await canI(verb, resource, flags)).toBe('yes');
  });

  it.each(DENIED)('the controller may not %s %s', async (verb, resource, flags) => {
    expect(await canI(verb, resource, flags)).toBe('no');
  });
});
