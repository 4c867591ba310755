// The four resources as stored objects: one schema per kind (what the CRD publishes) and the
// TypeScript types the controller works with.
import Type, { type TSchema } from 'typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { API_VERSION, MAX_NAME_LENGTH, type Kind } from './constants.js';
import { FunctionSpec } from './function.js';
import { FunctionMeshSpec, MESH_CHILD_LISTS } from './function-mesh.js';
import { DNS_LABEL_PATTERN } from './patterns.js';
import { SinkSpec } from './sink.js';
import { SourceSpec } from './source.js';
import { FunctionMeshStatus, WorkloadStatus } from './status.js';
import { cel, rules, type CelRule } from './schema-kit.js';

const nameRules: CelRule[] = [
  cel(
    `self.metadata.name.size() <= ${MAX_NAME_LENGTH}`,
    `metadata.name must be at most ${MAX_NAME_LENGTH} characters (generated Deployment and Service names derive from it): choose a shorter name`,
    { fieldPath: '.metadata.name' },
  ),
  cel(
    `self.metadata.name.matches('${DNS_LABEL_PATTERN}')`,
    'metadata.name must be a DNS label (lowercase letters, digits and dashes, starting with a letter) because the Service is named after it: rename the resource',
    { fieldPath: '.metadata.name' },
  ),
];

// A child is named `<mesh>-<child>`, which must itself respect the name limit.
const meshChildNameRules: CelRule[] = MESH_CHILD_LISTS.map((list) =>
  cel(
    `!has(self.spec.${list}) || self.spec.${list}.all(c, self.metadata.name.size() + 1 + c.name.size() <= ${MAX_NAME_LENGTH})`,
    `metadata.name + "-" + each spec.${list}[].name must be at most ${MAX_NAME_LENGTH} characters (the child's name): shorten the mesh or child name`,
    { fieldPath: `.spec.${list}` },
  ),
);

function resourceSchema(kind: Kind, spec: TSchema, status: TSchema, extraRules: CelRule[] = []) {
  return Type.Object(
    {
      apiVersion: Type.Optional(Type.String()),
      kind: Type.Optional(Type.String()),
      // Declaring metadata.name (without constraints: the rules below carry them) lets those
      // rules report it as the failing field.
      metadata: Type.Optional(
        Type.Unsafe<Record<string, unknown>>({ type: 'object', properties: { name: { type: 'string' } } }),
      ),
      spec,
      status: Type.Optional(status),
    },
    { description: `${kind} of ${API_VERSION}.`, ...rules(...nameRules, ...extraRules) },
  );
}

export const RESOURCE_SCHEMAS: Record<Kind, TSchema> = {
  Function: resourceSchema('Function', FunctionSpec, WorkloadStatus),
  Source: resourceSchema('Source', SourceSpec, WorkloadStatus),
  Sink: resourceSchema('Sink', SinkSpec, WorkloadStatus),
  FunctionMesh: resourceSchema('FunctionMesh', FunctionMeshSpec, FunctionMeshStatus, meshChildNameRules),
};

interface Resource<K extends Kind, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: V1ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type FunctionResource = Resource<'Function', FunctionSpec, WorkloadStatus>;
export type SourceResource = Resource<'Source', SourceSpec, WorkloadStatus>;
export type SinkResource = Resource<'Sink', SinkSpec, WorkloadStatus>;
export type FunctionMeshResource = Resource<'FunctionMesh', FunctionMeshSpec, FunctionMeshStatus>;
export type WorkloadResource = FunctionResource | SourceResource | SinkResource;
export type AnyResource = WorkloadResource | FunctionMeshResource;
