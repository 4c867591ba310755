// The real helm (built from its Go module by hack/build-helm, on first use) and the two renderings of
// the installation that must agree: `helm template` of charts/function-mesh-ts and `kubectl kustomize`
// of manifests/base.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../..');
export const chartDir = path.join(repo, 'charts/function-mesh-ts');
/** The namespace manifests/base installs into; the chart takes it from the release. */
export const baseNamespace = 'functionmesh-system';

let helmPath: string | undefined;

/** Path of the helm binary, built into the cache by hack/build-helm the first time (minutes, cold). */
export function helmBinary(): string {
  if (!helmPath) {
    const res = spawnSync(path.join(repo, 'hack/build-helm'), { stdio: ['ignore', 'inherit', 'inherit'], timeout: 1_800_000 });
    if (res.status !== 0) throw new Error(`hack/build-helm failed (exit ${res.status ?? res.signal})`);
    const version = /HELM_VERSION:-([^}]+)\}/.exec(readFileSync(path.join(repo, 'hack/lib.sh'), 'utf8'))?.[1];
    helmPath = path.join(process.env.FM_CACHE ?? path.join(homedir(), '.cache/function-mesh-ts'), `helm-${version}`, 'bin/helm');
  }
  return helmPath;
}

export interface HelmResult { stdout: string; stderr: string; code: number }

/** Runs helm with its state (cache, config, plugins) in `home`, never the user's; resolves with the exit code. */
export async function helm(args: string[], opts: { home: string; kubeconfig?: string }): Promise<HelmResult> {
  const env = {
    PATH: process.env.PATH,
    HOME: opts.home,
    HELM_CACHE_HOME: path.join(opts.home, 'cache'),
    HELM_CONFIG_HOME: path.join(opts.home, 'config'),
    HELM_DATA_HOME: path.join(opts.home, 'data'),
    ...(opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {}),
  };
  try {
    const { stdout, stderr } = await exec(helmBinary(), args, { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number; message: string };
    return { stdout: e.stdout ?? '', stderr: e.stderr || e.message, code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** Like helm(), but throws with helm's stderr when it fails. */
export async function helmOk(args: string[], opts: { home: string; kubeconfig?: string }): Promise<string> {
  const r = await helm(args, opts);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/** The objects of a multi-document YAML stream (empty documents, e.g. from disabled templates, dropped). */
export function parseObjects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

/** kind/namespace/name: how both renderings are matched object to object. */
export function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** `kubectl kustomize manifests/base`, with the kubectl the platform was built with. */
export async function renderKustomize(kubectlPath: string): Promise<KubeObject[]> {
  const { stdout } = await exec(kubectlPath, ['kustomize', path.join(repo, 'manifests/base')], { maxBuffer: 64 * 1024 * 1024 });
  return parseObjects(stdout);
}

/** `helm template` of the chart, CRDs included, into `namespace`. */
export async function renderChart(home: string, namespace: string, extraArgs: string[] = []): Promise<KubeObject[]> {
  return parseObjects(await helmOk(['template', 'function-mesh-ts', chartDir, '--namespace', namespace, '--include-crds', ...extraArgs], { home }));
}
