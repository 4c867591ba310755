import { describe, expect, it } from '@jest/globals';
import type { FunctionMeshResource, FunctionMeshSpec } from '../../../controller/api/index.js';
import { meshTopicGraph } from '../../../controller/render/index.js';
import { render } from './fixtures.js';

const pulsar = { pulsarConfig: 'pulsar-cm' };
const java = { jar: '/pulsar/fn.jar' };
type Members = Required<FunctionMeshSpec>;
const f = (name: string, inputs: string[], output?: string, topicPattern?: string): Members['functions'][number] => ({
  name, className: 'C', java, pulsar, input: { topics: inputs, ...(topicPattern ? { topicPattern } : {}) }, ...(output ? { output: { topic: output } } : {}),
});
const src = (name: string, output: string): Members['sources'][number] => ({ name, className: 'S', java, pulsar, output: { topic: output } });
const snk = (name: string, inputs: string[]): Members['sinks'][number] => ({ name, className: 'K', java, pulsar, input: { topics: inputs } });

function mesh(spec: FunctionMeshSpec): FunctionMeshResource {
  return { apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh', metadata: { name: 'pipeline', namespace: 'team-a', uid: 'm-1' }, spec };
}

describe('FunctionMesh children', () => {
  it('one custom resource per member, named <mesh>-<member>, specs as written', () => {
    const spec = { sources: [src('ingest', 'raw')], functions: [f('clean', ['raw'], 'clean')], sinks: [snk('store', ['clean'])] };
    const result = render(mesh(spec));
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => [o.kind, o.metadata.name])).toEqual([
      ['Function', 'pipeline-clean'],
      ['Source', 'pipeline-ingest'],
      ['Sink', 'pipeline-store'],
    ]);
    const child = result.objects[0] as unknown as { apiVersion: string; metadata: Record<string, unknown>; spec: unknown };
    expect(child.apiVersion).toBe('compute.functionmesh.io/v1alpha1');
    expect(child.metadata).toEqual({
      name: 'pipeline-clean',
      namespace: 'team-a',
      labels: { 'app.kubernetes.io/managed-by': 'function-mesh-ts', 'app.kubernetes.io/part-of': 'pipeline', 'compute.functionmesh.io/mesh': 'pipeline' },
    });
    expect(child.spec).toEqual(spec.functions[0]);
  });

  it('duplicate member names are errors naming both places; the duplicates are not rendered', () => {
    const result = render(mesh({ functions: [f('a', ['x'], 'y'), f('b', ['y'])], sinks: [snk('a', ['y'])] }));
    expect(result.objects.map((o) => o.metadata.name)).toEqual(['pipeline-b']);
    expect(result.problems).toEqual([
      {
        severity: 'error',
        field: 'spec.sinks[0].name',
        message: expect.stringMatching(/member name "a" is already used by spec\.functions\[0\]\.name.*pipeline-a/),
      },
    ]);
  });
});

describe('mesh topic graph', () => {
  it.each([
    {
      name: 'a pipeline: source → function → sink, with short names resolved',
      spec: { sources: [src('ingest', 'raw')], functions: [f('clean', ['persistent://public/default/raw'], 'clean')], sinks: [snk('store', ['clean'])] },
      edges: [
        { from: 'clean', to: 'store', topic: 'persistent://public/default/clean' },
        { from: 'ingest', to: 'clean', topic: 'persistent://public/default/raw' },
      ],
    },
    {
      name: 'topics entering and leaving the mesh',
      spec: { functions: [f('a', ['in'], 'out')] },
      edges: [
        { from: 'a', topic: 'persistent://public/default/out' },
        { to: 'a', topic: 'persistent://public/default/in' },
      ],
    },
    {
      name: 'a cycle',
      spec: { functions: [f('a', ['t1'], 't2'), f('b', ['t2'], 't1')] },
      edges: [
        { from: 'a', to: 'b', topic: 'persistent://public/default/t2' },
        { from: 'b', to: 'a', topic: 'persistent://public/default/t1' },
      ],
    },
    {
      name: 'a pattern consumer fed by two members',
      spec: { functions: [f('x', ['in'], 'orders-eu'), f('y', ['in'], 'orders-us'), f('all', [], undefined, 'orders-.*')] },
      edges: [
        { from: 'x', to: 'all', topic: 'persistent://public/default/orders-eu' },
        { from: 'y', to: 'all', topic: 'persistent://public/default/orders-us' },
        { to: 'x', topic: 'persistent://public/default/in' },
        { to: 'y', topic: 'persistent://public/default/in' },
      ],
    },
    {
      name: 'fan-out to two consumers',
      spec: { functions: [f('a', ['in'], 'mid'), f('b', ['mid'])], sinks: [snk('c', ['mid'])] },
      edges: [
        { from: 'a', to: 'b', topic: 'persistent://public/default/mid' },
        { from: 'a', to: 'c', topic: 'persistent://public/default/mid' },
        { to: 'a', topic: 'persistent://public/default/in' },
      ],
    },
  ])('$name', ({ spec, edges }) => {
    expect(meshTopicGraph(spec)).toEqual(edges);
  });
});
