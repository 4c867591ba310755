// Status: standard metav1.Conditions (Ready plus finer ones), observedGeneration, and for the
// workload kinds what the scale subresource reads (replicas, selector).
import Type, { type Static } from 'typebox';
import { Int32, Int64, StringEnum } from './schema-kit.js';

const opt = Type.Optional;

/** metav1.Condition, with the same bounds Kubernetes puts on it. */
export const Condition = Type.Object({
  type: Type.String({
    maxLength: 316,
    pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    description: 'Condition type in CamelCase, such as Ready.',
  }),
  status: StringEnum(['True', 'False', 'Unknown'], { description: 'Whether the condition holds.' }),
  reason: Type.String({
    minLength: 1,
    maxLength: 1024,
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    description: 'Machine-readable CamelCase reason for the last transition.',
  }),
  message: Type.String({ maxLength: 32768, description: 'Human-readable details.' }),
  lastTransitionTime: Type.String({ format: 'date-time', description: 'When status last changed.' }),
  observedGeneration: opt(Int64({ minimum: 0, description: 'metadata.generation the condition was set for.' })),
});
export type Condition = Static<typeof Condition>;

const Conditions = opt(
  Type.Unsafe<Condition[]>({
    type: 'array',
    items: Condition,
    maxItems: 32,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Standard conditions; Ready summarizes the others.',
  }),
);

export const WorkloadStatus = Type.Object(
  {
    conditions: Conditions,
    observedGeneration: opt(Int64({ description: 'Last metadata.generation the controller acted on.' })),
    replicas: opt(Int32({ minimum: 0, description: 'Current pods (scale subresource).' })),
    selector: opt(Type.String({ description: 'Label selector of the pods (scale subresource).' })),
    globalBackendConfigRevision: opt(Type.String({ description: 'resourceVersion of the global BackendConfig applied to the children; absent when none applies.' })),
    namespacedBackendConfigRevision: opt(Type.String({ description: "resourceVersion of the namespace's BackendConfig applied to the children; absent when none applies." })),
  },
  { description: 'Observed state, written by the controller through the status subresource.' },
);
export type WorkloadStatus = Static<typeof WorkloadStatus>;

export const MeshChildStatus = Type.Object({
  kind: StringEnum(['Function', 'Source', 'Sink'], { description: 'Kind of the child.' }),
  name: Type.String({ description: 'Child name in the mesh spec.' }),
  resourceName: opt(Type.String({ description: 'Name of the child resource (<mesh>-<name>).' })),
  ready: Type.Boolean({ description: 'The child reports Ready=True.' }),
});
export type MeshChildStatus = Static<typeof MeshChildStatus>;

/** A topic linking two parts of the mesh; `from`/`to` absent when the topic enters or leaves it. */
export const TopicEdge = Type.Object({
  from: opt(Type.String({ description: 'Child name publishing to the topic.' })),
  to: opt(Type.String({ description: 'Child name consuming the topic.' })),
  topic: Type.String({ description: 'Fully qualified topic name.' }),
});
export type TopicEdge = Static<typeof TopicEdge>;

export const FunctionMeshStatus = Type.Object(
  {
    conditions: Conditions,
    observedGeneration: opt(Int64({ description: 'Last metadata.generation the controller acted on.' })),
    children: opt(Type.Array(MeshChildStatus, { description: 'Each child and whether it is ready.' })),
    edges: opt(Type.Array(TopicEdge, { description: 'The topic graph: which child feeds which, via which topic.' })),
  },
  { description: 'Observed state of the mesh and of each child.' },
);
export type FunctionMeshStatus = Static<typeof FunctionMeshStatus>;

/**
 * The conditions of a status as stored, whoever wrote it. Function Mesh's Go operator writes a map
 * (`{StatefulSet: {condition, status, action}, …}`); after a migration that map is read until this
 * controller's first status write replaces it, so it counts as "no conditions yet".
 */
export function storedConditions(status: { conditions?: unknown } | undefined): Condition[] | undefined {
  const conditions = status?.conditions;
  return Array.isArray(conditions) ? (conditions as Condition[]) : undefined;
}

/** True when the stored conditions are Function Mesh's map: the status must be cleared before it is applied. */
export function hasUpstreamConditions(status: { conditions?: unknown } | undefined): boolean {
  const conditions = status?.conditions;
  return typeof conditions === 'object' && conditions !== null && !Array.isArray(conditions);
}
