// The FunctionMesh reconciler: the mesh's members become Function, Source and Sink resources
// named `<mesh>-<name>` and owned by the mesh (their own reconcilers take it from there),
// updated in place, deleted when dropped from the spec. Status lists each child's readiness
// and the topic graph; Ready when every child is. The body reports; kind-reconciler.ts writes
// status and events once.
import { storedConditions, type FunctionMeshResource, type MeshChildStatus, type WorkloadKind } from '../api/index.js';
import { meshTopicGraph, type RenderSettings } from '../render/index.js';
import type { KubeObject, ObjectClient, Reconcile, ReconcileContext, Store } from '../runtime/index.js';
import { keyOf } from '../runtime/index.js';
import { childId, controllerOf } from './apply-plan.js';
import { syncChildren, type ChildCaches, type SyncResult } from './child-sync.js';
import { CONDITION, conditionOf, notApplied, notReady } from './conditions.js';
import type { EventRecorder } from './events.js';
import { kindReconciler, reportChanges, type Report } from './kind-reconciler.js';
import { FUNCTION_MESHES, WORKLOAD_RESOURCES, asObject } from './kinds.js';
import type { RenderChildren } from './workload-reconciler.js';
import { currentSettings } from './settings.js';
import { isManaged } from './rollout-control.js';
import { clearUpstreamConditions } from './upstream-status.js';

export interface MeshReconcilerDeps {
  client: ObjectClient;
  events: EventRecorder;
  render: RenderChildren;
  settings: RenderSettings | (() => RenderSettings);
}

interface Member {
  kind: WorkloadKind;
  name: string;
  resourceName: string;
}

export class MeshReconciler {
  readonly reconcile: Reconcile;

  constructor(
    primary: Store,
    private readonly caches: ChildCaches,
    private readonly deps: MeshReconcilerDeps,
  ) {
    this.reconcile = kindReconciler<FunctionMeshResource>({ ref: FUNCTION_MESHES, primary, client: deps.client, events: deps.events, keep: ['children'], body: this.body });
  }

  private readonly body = async (mesh: FunctionMeshResource, report: Report, ctx: ReconcileContext): Promise<void> => {
    if (mesh.metadata.deletionTimestamp) return; // the garbage collector removes the children
    if (!isManaged(mesh)) return ctx.log.debug('not managed (compute.functionmesh.io/managed: "false"): left alone');
    report.fields.edges = meshTopicGraph(mesh.spec ?? {});
    const rendered = this.deps.render(mesh, { settings: currentSettings(this.deps.settings) });
    const errors = rendered.problems.filter((p) => p.severity === 'error');
    if (errors.length) {
      // Nothing is applied or pruned: a half-applied mesh is worse than the previous one.
      const reason = errors.some((p) => p.field.endsWith('.name')) ? 'DuplicateChildName' : 'RenderFailed';
      const message = `${errors.map((p) => `${p.field}: ${p.message}`).join('; ')} (nothing was applied)`;
      report.condition(notApplied(reason, message), notReady(reason, message));
      report.event('Warning', reason, message);
      return;
    }
    const members: Member[] = rendered.objects.map((o) => ({
      kind: o.kind as WorkloadKind,
      name: (o as { spec?: { name?: string } }).spec?.name ?? '',
      resourceName: o.metadata.name ?? '',
    }));

    await this.clearUpstreamMemberConditions(mesh, rendered.objects, ctx.signal);
    // Every member kind is required: a KindNotServed or ChildConflict throws a TerminalError
    // (reported by the wrapper, not retried).
    const sync = await syncChildren({
      client: this.deps.client,
      caches: this.caches,
      owner: asObject(mesh),
      rendered: rendered.objects,
      signal: ctx.signal,
      unknownKind: (obj) => `${obj.kind} ${obj.metadata.name}: the cluster does not serve ${obj.apiVersion} ${obj.kind}: apply manifests/crds`,
    });
    reportChanges(report, sync, ctx);

    const children = members.map((m) => this.childStatus(m, mesh.metadata.namespace, sync));
    const ready = children.filter((c) => c.ready.ready);
    report.condition({ type: CONDITION.ChildrenApplied, status: 'True', reason: 'Applied', message: `${members.length} children up to date` });
    report.condition(
      ready.length === children.length
        ? { type: CONDITION.Ready, status: 'True', reason: 'AllChildrenReady', message: `${children.length} of ${children.length} children ready` }
        : notReady(
            'ChildrenNotReady',
            `${ready.length} of ${children.length} children ready; not ready: ${children
              .filter((c) => !c.ready.ready)
              .map((c) => `${c.ready.name} (${c.ready.kind} ${c.ready.resourceName}): ${c.why}`)
              .join('; ')}`,
          ),
    );
    report.fields.children = children.map((c) => c.ready);
  };

  /**
   * A member Function Mesh's operator left still has its map-shaped conditions until its own
   * reconciler writes a status: until then no apply to it can succeed (upstream-status.ts), so
   * the mesh clears them first. Only a member this mesh controls (another's is a ChildConflict).
   */
  private async clearUpstreamMemberConditions(mesh: FunctionMeshResource, members: readonly KubeObject[], signal: AbortSignal): Promise<void> {
    for (const member of members) {
      const ref = WORKLOAD_RESOURCES[member.kind as WorkloadKind];
      const live = this.caches.store(ref).get(keyOf(mesh.metadata.namespace, member.metadata.name ?? ''));
      if (live && controllerOf(live)?.uid === mesh.metadata.uid) await clearUpstreamConditions(this.deps.client, ref, live, { signal, preconditionOnVersion: true });
    }
  }

  private childStatus(member: Member, namespace: string | undefined, sync: SyncResult): { ready: MeshChildStatus; why: string } {
    const cached = this.caches.store(WORKLOAD_RESOURCES[member.kind]).get(keyOf(namespace, member.resourceName));
    const live = (cached ?? sync.live.get(childId({ kind: member.kind, metadata: { name: member.resourceName } }))) as (KubeObject & { status?: { conditions?: unknown } }) | undefined;
    const condition = conditionOf(storedConditions(live?.status), CONDITION.Ready);
    const current = condition?.observedGeneration === undefined || condition.observedGeneration === live?.metadata.generation;
    const ready = condition?.status === 'True' && current;
    const why = !condition ? 'no status yet' : !current ? 'its controller has not seen the latest spec yet' : condition.message;
    return { ready: { kind: member.kind, name: member.name, resourceName: member.resourceName, ready }, why };
  }
}
