// The generated CRDs against the real kube-apiserver: installed with kubectl, upstream samples
// accepted unchanged, defaults applied by the server, kubectl get informative, scale works.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { API_VERSION, renderCrdFiles } from '../../../controller/api/index.js';
import { createTestNamespace, deleteNamespace, kubectl, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { SAMPLES_DIR, sampleResources } from '../../unit/api/samples.js';
import { applyObject, installCrds } from './crds.js';

let ns: string;
let installOutput: string;
beforeAll(async () => {
  installOutput = await installCrds();
  ns = await createTestNamespace('api-crds');
});
afterAll(async () => {
  await deleteNamespace(ns);
});

const sampleFiles = [...new Set(sampleResources().map((s) => s.file))];

describe('CRDs on the real apiserver', () => {
  it('are accepted by kubectl apply --server-side -f manifests/crds/', () => {
    // Every CRD file (the Kustomization is not applied).
    expect(installOutput.match(/serverside-applied/g)).toHaveLength(renderCrdFiles().size - 1);
  });

  it.each(sampleFiles)('accept upstream sample %s unchanged (server dry-run)', async (file) => {
    const full = path.join(SAMPLES_DIR, file);
    // Two samples pin metadata.namespace: default; kubectl wants -n to agree. A dry run stores nothing.
    const pinned = YAML.parseAllDocuments(readFileSync(full, 'utf8'))
      .map((d) => (d.toJS() as { metadata?: { namespace?: string } } | null)?.metadata?.namespace)
      .find(Boolean);
    const r = await kubectl(['apply', '--dry-run=server', '-n', pinned ?? ns, '-f', full]);
    expect(r.stderr).toBe('');
    const kinds = sampleResources().filter((s) => s.file === file);
    for (const s of kinds) {
      expect(r.stdout).toContain(`${s.kind.toLowerCase()}.compute.functionmesh.io/${s.object.metadata.name} created (server dry run)`);
    }
  });

  it('applies the schema defaults on create', async () => {
    await kubectlOk(['apply', '--server-side', '-n', ns, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: API_VERSION,
        kind: 'Function',
        metadata: { name: 'defaults' },
        spec: {
          input: { topics: ['in'] },
          output: { topic: 'out' },
          pulsar: { pulsarConfig: 'pulsar' },
          http: { image: 'example.invalid/fn:1' },
          minReplicas: 0,
          scaling: {},
        },
      }),
    });
    const stored = await kubectlJson<{ spec: Record<string, unknown> }>(['-n', ns, 'get', 'function', 'defaults']);
    expect(stored.spec).toMatchObject({
      autoAck: true,
      processingGuarantee: 'atleast_once',
      clusterName: 'kubernetes',
      tenant: 'public',
      namespace: 'default',
      maxPendingAsyncRequests: 1000,
      forwardSourceMessageProperty: true,
      logTopicAgent: 'runtime',
      minReplicas: 0,
      input: { topics: ['in'], typeClassName: '[B' },
      output: { topic: 'out', typeClassName: '[B' },
      http: { image: 'example.invalid/fn:1', port: 8080, path: '/' },
      scaling: { targetBacklogPerReplica: 10, activationBacklog: 0, cooldownPeriod: 300, pollingInterval: 30, pushActivation: true },
    });
  });

  it('defaults connectors to a log sidecar', async () => {
    const r = await applyObject(ns, {
      apiVersion: API_VERSION,
      kind: 'Sink',
      metadata: { name: 'sink-defaults' },
      spec: { className: 'org.example.Sink', input: { topics: ['in'] }, pulsar: { pulsarConfig: 'p' }, java: { jar: 'a.nar' } },
    });
    expect(r.stderr).toBe('');
    const stored = await kubectlJson<{ spec: Record<string, unknown> }>(['-n', ns, 'get', 'sink', 'sink-defaults']);
    expect(stored.spec).toMatchObject({ logTopicAgent: 'sidecar', autoAck: true, processingGuarantee: 'atleast_once' });
  });

  it('defaults every FunctionMesh child by its kind', async () => {
    const r = await applyObject(ns, {
      apiVersion: API_VERSION,
      kind: 'FunctionMesh',
      metadata: { name: 'mesh-defaults' },
      spec: {
        functions: [{ name: 'fn', className: 'a.B', input: { topics: ['in'] }, pulsar: { pulsarConfig: 'p' }, java: { jar: 'a.jar' } }],
        sources: [{ name: 'src', className: 'a.S', output: { topic: 'in' }, pulsar: { pulsarConfig: 'p' }, java: { jar: 's.nar' } }],
      },
    });
    expect(r.stderr).toBe('');
    const stored = await kubectlJson<{ spec: { functions: Record<string, unknown>[]; sources: Record<string, unknown>[] } }>(
      ['-n', ns, 'get', 'functionmesh', 'mesh-defaults'],
    );
    expect(stored.spec.functions[0]).toMatchObject({ tenant: 'public', autoAck: true, logTopicAgent: 'runtime', input: { typeClassName: '[B' } });
    expect(stored.spec.sources[0]).toMatchObject({ tenant: 'public', logTopicAgent: 'sidecar', forwardSourceMessageProperty: true });
  });

  it('explains fields in kubectl explain', async () => {
    const out = await kubectlOk(['explain', 'functions.spec.scaling.targetBacklogPerReplica']);
    expect(out).toContain('Backlog (unacked messages) each replica should handle.');
  });

  it('shows Ready, Replicas, Min, Max and Age in kubectl get, by short name', async () => {
    const out = await kubectlOk(['-n', ns, 'get', 'fn']);
    expect(out.split('\n')[0]!.split(/\s+/)).toEqual(['NAME', 'READY', 'REPLICAS', 'MIN', 'MAX', 'AGE']);
    expect(out).toMatch(/^defaults\s+/m);
    expect(await kubectlOk(['-n', ns, 'get', 'functionmesh-all'])).toMatch(/function\.compute\.functionmesh\.io\/defaults/);
  });

  it('keeps upstream kubectl habits working: get/delete functionmesh <name>', async () => {
    const mesh = sampleResources().find((s) => s.kind === 'FunctionMesh')!.object;
    expect((await applyObject(ns, mesh)).stderr).toBe('');
    expect(await kubectlOk(['-n', ns, 'get', 'functionmesh', mesh.metadata.name])).toContain(mesh.metadata.name);
    expect(await kubectlOk(['-n', ns, 'delete', 'fm', mesh.metadata.name])).toContain('deleted');
  });

  it('serves the scale subresource, validated like the spec', async () => {
    await kubectlOk(['-n', ns, 'scale', 'function/defaults', '--replicas=2']);
    const fn = await kubectlJson<{ spec: { replicas: number } }>(['-n', ns, 'get', 'function', 'defaults']);
    expect(fn.spec.replicas).toBe(2);
    await kubectlOk(['-n', ns, 'patch', 'function', 'defaults', '--type=merge', '-p', '{"spec":{"maxReplicas":3}}']);
    const r = await kubectl(['-n', ns, 'scale', 'function/defaults', '--replicas=4']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.replicas: Invalid value: replicas must be <= maxReplicas');
  });

  it('accepts status with standard conditions through the status subresource', async () => {
    const status = {
      observedGeneration: 1,
      replicas: 0,
      selector: 'app=defaults',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ScaledToZero', message: 'no backlog', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
    };
    await kubectlOk(['-n', ns, 'patch', 'function', 'defaults', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    const out = await kubectlOk(['-n', ns, 'get', 'fn', 'defaults', '-o', 'wide']);
    expect(out).toMatch(/defaults\s+False\s+ScaledToZero\s+0\s+0\s+3/);
  });
});
