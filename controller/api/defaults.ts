// Defaults, as Function Mesh's webhook applies them (docs/api.md has the table, field by field).
// The apiserver applies the schema's `default:`s; applyDefaults applies them too (for objects
// stored before a default existed, and for tests) plus what a schema cannot say: replicas and
// minReplicas follow each other, else 1; a standalone resource's Pulsar name is its
// metadata.name; a window's sliding interval and function class; a Source's producer settings.
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import type { Kind } from './constants.js';
import { FunctionMeshSpec, MESH_CHILD_LISTS } from './function-mesh.js';
import { FunctionSpec, type MeshFunctionSpec } from './function.js';
import type { AnyResource } from './resources.js';
import { SinkSpec } from './sink.js';
import { SourceSpec, type MeshSourceSpec } from './source.js';

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

/**
 * A window without a sliding interval tumbles: it slides by its own length (upstream's webhook
 * for durations, Pulsar's runner for both). The window function is the Function's class, as
 * upstream's renderer writes it; actualWindowFunctionClassName is only read without a className.
 */
function defaultWindow(spec: FunctionSpec | MeshFunctionSpec): void {
  const window = spec.windowConfig;
  if (!window) return;
  if (window.slidingIntervalCount === undefined && window.slidingIntervalDurationMs === undefined) {
    if (window.windowLengthDurationMs !== undefined) window.slidingIntervalDurationMs = window.windowLengthDurationMs;
    else if (window.windowLengthCount !== undefined) window.slidingIntervalCount = window.windowLengthCount;
  }
  const className = spec.className || window.actualWindowFunctionClassName;
  if (className) window.actualWindowFunctionClassName = className;
}

/** Upstream's webhook gives a Source without producerConf these producer settings. */
export const SOURCE_PRODUCER_DEFAULTS = { maxPendingMessages: 1000, maxPendingMessagesAcrossPartitions: 1000, useThreadLocalProducers: true } as const;

function defaultSourceProducer(spec: SourceSpec | MeshSourceSpec): void {
  spec.output = { ...spec.output, producerConf: spec.output?.producerConf ?? { ...SOURCE_PRODUCER_DEFAULTS } };
}

/** Upstream's input and output are values, not pointers: their "[B" type is there even when they are not. */
function defaultMessageTypes(spec: { input?: { typeClassName?: string }; output?: { typeClassName?: string } }, sides: ('input' | 'output')[]): void {
  for (const side of sides) spec[side] = { ...spec[side], typeClassName: spec[side]?.typeClassName ?? '[B' };
}

function defaultFunction(spec: FunctionSpec | MeshFunctionSpec): void {
  defaultWindow(spec);
  defaultMessageTypes(spec, ['input', 'output']);
}

function defaultSource(spec: SourceSpec | MeshSourceSpec): void {
  defaultSourceProducer(spec);
  defaultMessageTypes(spec, ['output']);
}

/** What only some kinds default; `spec` is the caller's copy. */
function defaultKindFields(kind: Kind, spec: unknown): void {
  if (kind === 'Function') defaultFunction(spec as FunctionSpec);
  if (kind === 'Source') defaultSource(spec as SourceSpec);
  if (kind === 'Sink') defaultMessageTypes(spec as SinkSpec, ['input']);
  if (kind !== 'FunctionMesh') return;
  const mesh = spec as FunctionMeshSpec;
  for (const child of mesh.functions ?? []) defaultFunction(child);
  for (const child of mesh.sources ?? []) defaultSource(child);
  for (const child of mesh.sinks ?? []) defaultMessageTypes(child, ['input']);
}

/** A defaulted copy of `resource`; the input is not modified. */
export function applyDefaults<R extends AnyResource>(kind: R['kind'], resource: R): R {
  const out = structuredClone(resource);
  out.spec = Value.Default(SPEC_SCHEMAS[kind], out.spec ?? {}) as R['spec'];
  defaultKindFields(kind, out.spec);
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
