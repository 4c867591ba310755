// Defaults, as Function Mesh's webhook applies them. The apiserver applies the schema's
// `default:`s; applyDefaults applies them too (for objects stored before a default existed, and
// for tests) plus what a schema cannot say: replicas and minReplicas follow each other, else 1,
// and a standalone resource's Pulsar name is its metadata.name.
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import type { Kind } from './constants.js';
import { FunctionMeshSpec, MESH_CHILD_LISTS } from './function-mesh.js';
import { FunctionSpec } from './function.js';
import type { AnyResource } from './resources.js';
import { SinkSpec } from './sink.js';
import { SourceSpec } from './source.js';

const SPEC_SCHEMAS: Record<Kind, TSchema> = {
  Function: FunctionSpec,
  Source: SourceSpec,
  Sink: SinkSpec,
  FunctionMesh: FunctionMeshSpec,
};

interface ReplicaFields {
  replicas?: number;
  minReplicas?: number;
}

function defaultReplicas<S extends ReplicaFields>(spec: S): S {
  const replicas = spec.replicas ?? spec.minReplicas ?? 1;
  return { ...spec, replicas, minReplicas: spec.minReplicas ?? replicas };
}

/** A defaulted copy of `resource`; the input is not modified. */
export function applyDefaults<R extends AnyResource>(kind: R['kind'], resource: R): R {
  const out = structuredClone(resource);
  out.spec = Value.Default(SPEC_SCHEMAS[kind], out.spec ?? {}) as R['spec'];
  if (kind === 'FunctionMesh') {
    const spec = out.spec as FunctionMeshSpec;
    for (const list of MESH_CHILD_LISTS) {
      const children = spec[list] as ReplicaFields[] | undefined;
      if (children) spec[list] = children.map(defaultReplicas) as never;
    }
    return out;
  }
  const spec = defaultReplicas(out.spec as ReplicaFields & { name?: string });
  out.spec = { ...spec, name: spec.name || out.metadata?.name } as R['spec'];
  return out;
}
