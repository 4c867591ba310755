// Identity of the API: group, version, kinds and their resource names. The controller, the
// scaler and the CRD generator all read these, so a rename happens in one place.

export const GROUP = 'compute.functionmesh.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export type Kind = 'Function' | 'Source' | 'Sink' | 'FunctionMesh';
export type WorkloadKind = Exclude<Kind, 'FunctionMesh'>;

interface KindNames {
  kind: Kind;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
}

export const KIND_NAMES: Record<Kind, KindNames> = {
  Function: { kind: 'Function', listKind: 'FunctionList', plural: 'functions', singular: 'function', shortNames: ['fn'] },
  Source: { kind: 'Source', listKind: 'SourceList', plural: 'sources', singular: 'source', shortNames: ['src'] },
  Sink: { kind: 'Sink', listKind: 'SinkList', plural: 'sinks', singular: 'sink', shortNames: ['snk'] },
  FunctionMesh: {
    kind: 'FunctionMesh',
    listKind: 'FunctionMeshList',
    plural: 'functionmeshes',
    singular: 'functionmesh',
    shortNames: ['fm'],
  },
};

export const PLURALS = {
  Function: KIND_NAMES.Function.plural,
  Source: KIND_NAMES.Source.plural,
  Sink: KIND_NAMES.Sink.plural,
  FunctionMesh: KIND_NAMES.FunctionMesh.plural,
} as const;

/**
 * `kubectl get functionmesh-all` lists every kind of this API. Not `all` (it would flood it), and
 * not `functionmesh`: a category shadows the kind's singular name, so `kubectl get functionmesh
 * <name>` would fail with "you must specify only one resource".
 */
export const CATEGORIES = ['functionmesh-all'];

/** Upstream derives child object names from the resource name plus a suffix, hence the limit. */
export const MAX_NAME_LENGTH = 43;

/** The condition every resource reports; printer columns read it. */
export const READY_CONDITION = 'Ready';
