// FunctionMesh: a set of functions, sources and sinks deployed and removed together. Each child
// is validated by its kind's schema; names must be unique across the whole mesh because the
// topic graph in the status refers to children by name.
import Type, { type Static, type TSchema } from 'typebox';
import { MeshFunctionSpec } from './function.js';
import { MeshSinkSpec } from './sink.js';
import { MeshSourceSpec } from './source.js';
import { cel, rules } from './schema-kit.js';

/** Bounds the children so the per-child CEL rules stay within the apiserver's cost budget. */
const MESH_MAX_CHILDREN = 50;

export const MESH_CHILD_LISTS = ['functions', 'sources', 'sinks'] as const;

const children = <T extends TSchema>(item: T, what: string) =>
  Type.Optional(Type.Array(item, { maxItems: MESH_MAX_CHILDREN, description: `${what} of the mesh.` }));

const allNames = MESH_CHILD_LISTS.map((l) => `(has(self.${l}) ? self.${l}.map(c, c.name) : [])`).join(' + ');

export const FunctionMeshSpec = Type.Object(
  {
    functions: children(MeshFunctionSpec, 'Functions'),
    sources: children(MeshSourceSpec, 'Sources'),
    sinks: children(MeshSinkSpec, 'Sinks'),
  },
  {
    description: 'Desired state of a FunctionMesh.',
    ...rules(
      cel(
        `(${allNames}).all(n, (${allNames}).filter(m, m == n).size() == 1)`,
        'child names must be unique within the mesh across functions, sources and sinks: rename the duplicate',
        {
          messageExpression:
            `'child name "' + (${allNames}).filter(n, (${allNames}).filter(m, m == n).size() > 1)[0] + ` +
            `'" is used more than once: child names must be unique within the mesh across functions, sources and sinks; rename one'`,
        },
      ),
    ),
  },
);

export type FunctionMeshSpec = Static<typeof FunctionMeshSpec>;
