// helm lint, install, upgrade and uninstall of charts/function-mesh-ts with the real helm, against a
// kube-apiserver of this test's own: the chart installs its CRDs there, which the shared platform's
// must never be touched by. Pods never run (no nodes): the test checks the objects in the apiserver.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readEnvFile } from '../../../hack/platform-env.js';
import { startOwnApiserver } from '../../support/processes.js';
import { chartDir, helm, helmBinary, helmOk, objectKey, renderChart, type KubeObject } from './helm.js';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../..');
const namespace = 'functionmesh-system';
const release = 'function-mesh-ts';

/** kubectl's fully qualified resource for an object: Kind.version.group, or Kind for the core group. */
function resourceOf(o: KubeObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return group ? `${o.kind}.${version}.${group}` : o.kind;
}

type Deployment = { spec: { replicas: number; template: { spec: { containers: { args: string[] }[]; volumes?: { name: string; secret?: { secretName: string } }[] } } } };

describe('helm: lint, install, upgrade, uninstall', () => {
  let apiserver: { dir: string; stop(): Promise<void> };
  let home: string;
  let kube: { KUBECONFIG: string; KUBECTL: string };
  const helmHere = (args: string[]) => helm(args, { home, kubeconfig: kube.KUBECONFIG });
  const helmHereOk = (args: string[]) => helmOk(args, { home, kubeconfig: kube.KUBECONFIG });

  async function kubectl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const { stdout, stderr } = await exec(kube.KUBECTL, ['--kubeconfig', kube.KUBECONFIG, ...args], { maxBuffer: 64 * 1024 * 1024 });
      return { stdout, stderr, code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
    }
  }

  async function getJson<T>(o: { kind: string; name: string; namespace?: string }): Promise<T> {
    const r = await kubectl(['get', o.kind, o.name, ...(o.namespace ? ['-n', o.namespace] : []), '-o', 'json']);
    if (r.code !== 0) throw new Error(`kubectl get ${o.kind} ${o.name}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Which of the objects exist in the apiserver, as kind/namespace/name. */
  async function existing(objects: KubeObject[]): Promise<string[]> {
    const found = await Promise.all(objects.map(async (o) => {
      const r = await kubectl(['get', resourceOf(o), o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '-o', 'name']);
      if (r.code !== 0 && !/NotFound|not found/.test(r.stderr)) throw new Error(`kubectl get ${objectKey(o)}: ${r.stderr.trim()}`);
      return r.code === 0 ? objectKey(o) : undefined;
    }));
    return found.filter((k): k is string => k !== undefined).sort();
  }

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'fm-helm-'));
    helmBinary(); // built here on a cold cache, under this hook's timeout rather than a test's
    apiserver = await startOwnApiserver();
    const env = readEnvFile(path.join(apiserver.dir, 'env'));
    kube = { KUBECONFIG: env.KUBECONFIG!, KUBECTL: env.KUBECTL! };
  }, 1_800_000);

  afterAll(async () => {
    await apiserver?.stop();
    if (apiserver) rmSync(apiserver.dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('passes helm lint --strict', async () => {
    const out = await helmHereOk(['lint', '--strict', chartDir]);
    expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('installs the CRDs and every rendered object into a namespace helm creates', async () => {
    const rendered = await renderChart(home, namespace);
    await helmHereOk(['install', release, chartDir, '--namespace', namespace, '--create-namespace']);
    expect(await existing(rendered)).toEqual(rendered.map(objectKey).sort());
    for (const crd of rendered.filter((o) => o.kind === 'CustomResourceDefinition')) {
      const r = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]);
      expect(r.stderr).toBe('');
    }
    const controller = await getJson<Deployment>({ kind: 'deployment', name: 'functionmesh-controller', namespace });
    expect(controller.spec.replicas).toBe(2);
    expect(controller.spec.template.spec.containers[0]!.args).toEqual([
      '--leader-elect=true', '--ops-port=8080', `--scaler-address=functionmesh-scaler.${namespace}.svc:9090`,
    ]);
    const status = JSON.parse(await helmHereOk(['status', release, '--namespace', namespace, '--output', 'json'])) as { info: { status: string }; version: number };
    expect([status.info.status, status.version]).toEqual(['deployed', 1]);
  });

  it('upgrades: changed values reach the objects', async () => {
    await helmHereOk([
      'upgrade', release, chartDir, '--namespace', namespace,
      '--set', 'controllerManager.replicas=3', '--set', 'controllerManager.watchNamespace=team-a',
      '--set', 'scaler.pulsar.tokenSecret.name=pulsar-token',
    ]);
    const controller = await getJson<Deployment>({ kind: 'deployment', name: 'functionmesh-controller', namespace });
    expect(controller.spec.replicas).toBe(3);
    expect(controller.spec.template.spec.containers[0]!.args).toContain('--watch-namespace=team-a');
    const scaler = await getJson<Deployment>({ kind: 'deployment', name: 'functionmesh-scaler', namespace });
    expect(scaler.spec.template.spec.volumes).toEqual([{ name: 'pulsar-token', secret: { secretName: 'pulsar-token', defaultMode: 420 } }]);
    expect(scaler.spec.template.spec.containers[0]!.args).toContain('--token-file=/var/run/secrets/pulsar/token');
    const status = JSON.parse(await helmHereOk(['status', release, '--namespace', namespace, '--output', 'json'])) as { version: number };
    expect(status.version).toBe(2);
  });

  it('uninstalls every object it installed, and keeps the CRDs (and so the custom resources)', async () => {
    const rendered = await renderChart(home, namespace);
    const sample = path.join(repo, 'manifests/samples/exclamation-java.yaml');
    expect((await kubectl(['apply', '-n', 'default', '-f', sample])).code).toBe(0);
    await helmHereOk(['uninstall', release, '--namespace', namespace, '--wait']);
    expect((await kubectl(['get', '-n', 'default', '-f', sample, '-o', 'name'])).stdout.trim()).toBe('function.compute.functionmesh.io/exclamation-java');
    const crds = rendered.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(await existing(rendered)).toEqual(crds.map(objectKey).sort());
    expect(crds.length).toBeGreaterThan(0);
    expect((await helmHere(['status', release, '--namespace', namespace])).code).not.toBe(0);
  });
});
