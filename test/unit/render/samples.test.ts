import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { AnyResource } from '../../../controller/api/index.js';
import { renderChildren } from '../../../controller/render/index.js';
import { kinds, settings } from './fixtures.js';

import { SAMPLES_DIR as SAMPLES } from '../../support/samples.js';

/** The sample's custom resource and the data of its Pulsar ConfigMap. */
function load(file: string): { resource: AnyResource; pulsarConfig?: Record<string, string> } {
  const docs = parseAllDocuments(readFileSync(`${SAMPLES}/${file}`, 'utf8')).map((d) => d.toJS() as { kind?: string; apiVersion?: string; data?: Record<string, string> });
  const resource = docs.find((d) => d.apiVersion?.startsWith('compute.functionmesh.io/')) as unknown as AnyResource;
  const configMap = docs.find((d) => d.kind === 'ConfigMap');
  return { resource, ...(configMap?.data ? { pulsarConfig: configMap.data } : {}) };
}

describe('Function Mesh\'s sample manifests render unchanged', () => {
  it.each([
    // maxReplicas 5 above replicas 1: KEDA scales it on its backlog.
    { file: 'compute_v1alpha1_function.yaml', kinds: ['Deployment', 'Service', 'ScaledObject'] },
    { file: 'compute_v1alpha1_py_function.yaml', kinds: ['Deployment', 'Service'] },
    { file: 'compute_v1alpha1_go_function.yaml', kinds: ['Deployment', 'Service'] },
    { file: 'compute_v1alpha1_source.yaml', kinds: ['Deployment', 'Service'] },
    { file: 'compute_v1alpha1_sink.yaml', kinds: ['Deployment', 'Service'] },
    { file: 'compute_v1alpha1_functionmesh.yaml', kinds: ['Function', 'Function'] },
  ])('$file → $kinds', ({ file, kinds: expected }) => {
    const { resource, pulsarConfig } = load(file);
    const result = renderChildren(resource, { settings, pulsarConfig });
    expect(result.problems).toEqual([]);
    expect(kinds(result)).toEqual(expected);
    for (const o of result.objects) expect(o.metadata).toMatchObject({ name: expect.any(String), namespace: expect.any(String), labels: expect.any(Object) });
  });

  it('the mesh\'s children render in turn', () => {
    const { resource } = load('compute_v1alpha1_functionmesh.yaml');
    const children = renderChildren(resource, { settings }).objects as AnyResource[];
    for (const child of children) {
      const result = renderChildren(child, { settings, pulsarConfig: { webServiceURL: 'http://pulsar:8080' } });
      expect(result.problems).toEqual([]);
      expect(kinds(result)).toEqual(['Deployment', 'Service']);
    }
  });
});
