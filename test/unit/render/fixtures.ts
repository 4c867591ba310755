// Builders for the render tables: small resources with only what a case is about.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import type { FunctionResource, FunctionSpec, SinkResource, SinkSpec, SourceResource, SourceSpec } from '../../../controller/api/index.js';
import {
  defaultRenderSettings,
  renderChildren,
  type RenderResult,
} from '../../../controller/render/index.js';
import type { Workload } from '../../../controller/render/kube-types.js';
import type { KubeObject } from '../../../controller/runtime/resource.js';

export const settings = defaultRenderSettings('fm-system');
export const pulsarConfig = { webServiceURL: 'http://pulsar:8080', brokerServiceURL: 'pulsar://pulsar:6650' };
const pulsar = { pulsarConfig: 'pulsar-cm' };
const meta = (name: string) => ({ name, namespace: 'team-a', uid: 'uid-1' });

export function fn(spec: Partial<FunctionSpec> = {}, name = 'fn'): FunctionResource {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Function',
    metadata: meta(name),
    spec: {
      className: 'org.example.Fn',
      input: { topics: ['persistent://public/default/in'] },
      output: { topic: 'persistent://public/default/out' },
      java: { jar: '/pulsar/fn.jar' },
      pulsar,
      ...spec,
    },
  };
}

export function source(spec: Partial<SourceSpec> = {}, name = 'src'): SourceResource {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Source',
    metadata: meta(name),
    spec: { className: 'org.example.Src', output: { topic: 'persistent://public/default/out' }, java: { jar: 'connectors/src.nar' }, pulsar, ...spec },
  };
}

export function sink(spec: Partial<SinkSpec> = {}, name = 'snk'): SinkResource {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Sink',
    metadata: meta(name),
    spec: { className: 'org.example.Snk', input: { topics: ['persistent://public/default/in'] }, java: { jar: 'connectors/snk.nar' }, pulsar, ...spec },
  };
}

/** An HTTP function (Knative-style runtime) instead of a runner. */
export const http = { java: undefined, http: { image: 'example/handler:1', port: 8080, path: '/' } };

/** `config: null` renders as if the pulsarConfig ConfigMap did not exist. */
export function render(resource: Parameters<typeof renderChildren>[0], config: Record<string, string> | null = pulsarConfig): RenderResult {
  return renderChildren(resource, { settings, pulsarConfig: config ?? undefined });
}

export function find<T extends KubeObject = KubeObject>(result: RenderResult, kind: string): T | undefined {
  return result.objects.find((o) => o.kind === kind) as T | undefined;
}

export function kinds(result: RenderResult): string[] {
  return result.objects.map((o) => o.kind ?? '');
}

export function workloadOf(result: RenderResult): Workload {
  const w = result.objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  if (!w) throw new Error(`no workload rendered: ${JSON.stringify(result.problems)}`);
  return w as Workload;
}

export function podSpec(result: RenderResult): V1PodSpec {
  return workloadOf(result).spec.template.spec!;
}

export function container(result: RenderResult, name: string): V1Container {
  const c = [...podSpec(result).containers, ...(podSpec(result).initContainers ?? [])].find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

/** The main container's `bash -c` script. */
export function script(result: RenderResult): string {
  return podSpec(result).containers[0]!.command![2]!;
}

/** The env of a container as name → value (or a description of valueFrom). */
export function envOf(c: V1Container): Record<string, string> {
  return Object.fromEntries(
    (c.env ?? []).map((e) => [e.name, e.value ?? (e.valueFrom?.secretKeyRef ? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : 'valueFrom')]),
  );
}

/** The JSON argument of a runner flag, unquoted as bash would. */
export function jsonArg(cmd: string, flag: string): unknown {
  const m = new RegExp(`${flag} '((?:[^']|'"'"')*)'`).exec(cmd);
  if (!m) throw new Error(`${flag} not found in ${cmd}`);
  return JSON.parse(m[1]!.replaceAll(`'"'"'`, "'"));
}
