// A FunctionMesh renders to its children: one Function, Source or Sink custom resource per
// member, named `<mesh>-<member>`; the reconciler owns and prunes them. Member names must be
// unique across the three lists, or two members would claim one child (upstream does not check).
import { API_VERSION, type FunctionMeshResource, type FunctionResource, type SinkResource, type SourceResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import { Problems } from './problems.js';

const LABEL_MESH = 'compute.functionmesh.io/mesh';

type MeshChild = FunctionResource | SourceResource | SinkResource;

const LISTS = [
  ['functions', 'Function'],
  ['sources', 'Source'],
  ['sinks', 'Sink'],
] as const;

function meshChildName(mesh: FunctionMeshResource, member: string): string {
  return `${mesh.metadata.name ?? ''}-${member}`;
}

/** Each duplicated member name, as an error on every occurrence after the first. */
function duplicateMemberNames(mesh: FunctionMeshResource, problems: Problems): Set<string> {
  const first = new Map<string, string>();
  const duplicates = new Set<string>();
  for (const [list] of LISTS) {
    (mesh.spec[list] ?? []).forEach((member, i) => {
      const path = `spec.${list}[${i}].name`;
      const seen = first.get(member.name);
      if (seen === undefined) {
        first.set(member.name, path);
        return;
      }
      duplicates.add(member.name);
      problems.error(path, `member name "${member.name}" is already used by ${seen}: names must be unique across functions, sources and sinks (each names the child ${meshChildName(mesh, member.name)}); rename one of them`);
    });
  }
  return duplicates;
}

export function renderMeshChildren(mesh: FunctionMeshResource, settings: RenderSettings, problems: Problems): MeshChild[] {
  const duplicates = duplicateMemberNames(mesh, problems);
  const meshName = mesh.metadata.name ?? '';
  const children: MeshChild[] = [];
  for (const [list, kind] of LISTS) {
    for (const member of mesh.spec[list] ?? []) {
      if (duplicates.has(member.name)) continue;
      children.push({
        apiVersion: API_VERSION,
        kind,
        metadata: {
          name: meshChildName(mesh, member.name),
          namespace: mesh.metadata.namespace ?? 'default',
          labels: { 'app.kubernetes.io/managed-by': settings.managedBy, 'app.kubernetes.io/part-of': meshName, [LABEL_MESH]: meshName },
        },
        // The member's spec as written; its `name` stays the Pulsar name, as upstream.
        spec: structuredClone(member),
      } as MeshChild);
    }
  }
  return children;
}
