// Every upstream sample passes the generated OpenAPI schema unchanged (typebox's JSON Schema
// validator; CEL rules are checked against the real apiserver in the integration suite).
import { describe, expect, it } from '@jest/globals';
import Schema from 'typebox/schema';
import { buildCrd, type Kind } from '../../../controller/api/index.js';
import { sampleResources } from './samples.js';

const validators = new Map<string, ReturnType<typeof Schema.Compile>>();
function validatorFor(kind: Kind) {
  if (!validators.has(kind)) validators.set(kind, Schema.Compile(buildCrd(kind).spec.versions[0]!.schema.openAPIV3Schema));
  return validators.get(kind)!;
}

const samples = sampleResources();

describe('upstream samples', () => {
  it('cover all four kinds', () => {
    expect(new Set(samples.map((s) => s.kind))).toEqual(new Set(['Function', 'Source', 'Sink', 'FunctionMesh']));
  });

  it.each(samples.map((s) => [`${s.file} ${s.kind}/${s.object.metadata.name}`, s] as const))('%s validates', (_, sample) => {
    const validator = validatorFor(sample.kind as Kind);
    expect(validator.Errors(sample.object)).toEqual([true, []]);
  });
});

describe('the schema check is not vacuous', () => {
  const fn = samples.find((s) => s.file === 'compute_v1alpha1_function.yaml')!.object as unknown as { spec: Record<string, unknown> };
  const withSpec = (patch: Record<string, unknown>) => ({ ...fn, spec: { ...fn.spec, ...patch } });
  const check = (o: unknown) => validatorFor('Function').Check(o);

  it.each([
    ['an invalid input topic name', { input: { topics: ['persistent://only/two'] } }],
    ['an unknown processingGuarantee', { processingGuarantee: 'exactly_once' }],
    ['negative replicas', { replicas: -1 }],
    ['a non-integer replica count', { replicas: 1.5 }],
    ['a java runtime without jar', { java: { jarLocation: '' } }],
    ['a malformed memory quantity', { resources: { requests: { memory: 'lots' } } }],
    ['an HTTP port out of range', { http: { image: 'x', port: 70000 } }],
  ])('rejects %s', (_, patch) => {
    expect(check(withSpec(patch))).toBe(false);
  });
});
