// The product installed as a user installs it on the local platform: `kubectl kustomize
// manifests/overlays/local-node` (the base, on the real node, nothing pulled), applied with one
// change so that it can share the platform with other suites: everything in a namespace of the
// test's own, the cluster-scoped RBAC suffixed with it, and the controller watching only it (with
// the images this checkout built, by content tag, as its defaults). CRDs are the platform's.
import { parseAllDocuments, stringify } from 'yaml';
import path from 'node:path';
import { kubectl, kubectlJson, kubectlOk } from './kubectl.js';
import { waitFor } from './wait.js';

const REPO = path.resolve(import.meta.dirname, '../..');
export const OVERLAY = 'manifests/overlays/local-node';
const BASE_NAMESPACE = 'functionmesh-system';

export interface InstallImages { controller: string; scaler: string; bridge: string; downloader?: string; javaRunner?: string }

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}
interface Container { name: string; image: string; args?: string[] }
interface Subject { kind: string; name: string; namespace?: string }

/** The overlay's objects, moved into `ns` and pointed at the given images. */
export async function renderInstallation(ns: string, images: InstallImages): Promise<Obj[]> {
  const yaml = await kubectlOk(['kustomize', path.join(REPO, OVERLAY)]);
  const objects = parseAllDocuments(yaml).map((d) => d.toJSON() as Obj).filter((o) => o && !['CustomResourceDefinition', 'Namespace'].includes(o.kind));
  const suffix = `-${ns}`;
  for (const o of objects) {
    if (o.metadata.namespace === BASE_NAMESPACE) o.metadata.namespace = ns;
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') o.metadata.name += suffix;
    if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') {
      const roleRef = o.roleRef as { kind: string; name: string };
      if (roleRef.kind === 'ClusterRole') roleRef.name += suffix;
      for (const s of (o.subjects ?? []) as Subject[]) if (s.namespace === BASE_NAMESPACE) s.namespace = ns;
    }
    if (o.kind !== 'Deployment') continue;
    const containers = (o as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;
    for (const c of containers) {
      if (c.name === 'scaler') c.image = images.scaler;
      if (c.name !== 'controller') continue;
      c.image = images.controller;
      c.args = [
        ...(c.args ?? []).filter((a) => !a.startsWith('--scaler-address=')),
        `--scaler-address=functionmesh-scaler.${ns}.svc:9090`,
        `--watch-namespace=${ns}`,
        `--bridge-image=${images.bridge}`,
        ...(images.downloader ? [`--downloader-image=${images.downloader}`] : []),
        ...(images.javaRunner ? [`--java-runner-image=${images.javaRunner}`] : []),
      ];
    }
  }
  return objects;
}

export interface PodInfo { metadata: { name: string; labels?: Record<string, string> }; spec: { nodeName?: string }; status: { phase?: string; conditions?: { type: string; status: string }[] } }

export const isReady = (p: PodInfo) => p.status.phase === 'Running' && Boolean(p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** Applies the installation and waits for 2 controller and 2 scaler pods Ready, and a leader. */
export async function install(ns: string, images: InstallImages): Promise<{ objects: Obj[]; leader: string }> {
  const objects = await renderInstallation(ns, images);
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: objects.map((o) => stringify(o)).join('---\n'), timeoutMs: 120_000 });
  for (const name of ['functionmesh-controller', 'functionmesh-scaler']) {
    await waitFor(`2 ${name} pods Ready`, async () => {
      const pods = await kubectlJson<{ items: PodInfo[] }>(['-n', ns, 'get', 'pods', '-l', `app.kubernetes.io/name=${name}`]);
      return pods.items.filter(isReady).length === 2;
    }, { timeoutMs: 180_000, intervalMs: 1000 });
  }
  const leader = await waitFor('a controller holding the Lease', async () => {
    const lease = await kubectlJson<{ spec: { holderIdentity?: string } }>(['-n', ns, 'get', 'lease', 'functionmesh-controller']);
    return lease.spec.holderIdentity;
  }, { timeoutMs: 60_000, intervalMs: 1000 });
  return { objects, leader };
}

/** Removes what the namespace's deletion does not: the suffixed cluster-scoped RBAC. */
export async function uninstall(objects: Obj[]): Promise<void> {
  const clusterScoped = objects.filter((o) => !o.metadata.namespace).map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`);
  if (clusterScoped.length) await kubectl(['delete', ...clusterScoped, '--ignore-not-found', '--wait=false']);
}
