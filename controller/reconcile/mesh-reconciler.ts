// The FunctionMesh reconciler: the mesh's members become Function, Source and Sink resources
// named `<mesh>-<name>` and owned by the mesh (their own reconcilers take it from there),
// updated in place, deleted when dropped from the spec. Status lists each child's readiness
// and the topic graph; Ready when every child is.
import type { Condition, FunctionMeshResource, FunctionMeshStatus, MeshChildStatus, WorkloadKind } from '../api/index.js';
import { meshTopicGraph, type RenderSettings } from '../render/index.js';
import type { KubeClient, KubeObject, ReconcileContext, Store } from '../runtime/index.js';
import { isNotFound, keyOf } from '../runtime/index.js';
import { canonicalJson, childId } from './apply-plan.js';
import { syncChildren, SyncError, type ChildCaches, type SyncResult } from './child-sync.js';
import { CONDITION, conditionOf, notApplied, notReady, stampConditions, type ConditionInput } from './conditions.js';
import type { EventRecorder } from './events.js';
import { FUNCTION_MESHES, WORKLOAD_KINDS, asObject } from './kinds.js';
import { describeSyncError, statusObject, type RenderChildren } from './workload-reconciler.js';

export interface MeshReconcilerDeps {
  client: KubeClient;
  events: EventRecorder;
  render: RenderChildren;
  settings: RenderSettings;
}

interface Member {
  kind: WorkloadKind;
  name: string;
  resourceName: string;
}

export class MeshReconciler {
  constructor(
    private readonly primary: Store,
    private readonly caches: ChildCaches,
    private readonly deps: MeshReconcilerDeps,
  ) {}

  readonly reconcile = async (ctx: ReconcileContext): Promise<void> => {
    const cached = this.primary.get(ctx.key) as FunctionMeshResource | undefined;
    if (!cached || cached.metadata.deletionTimestamp) return; // the garbage collector removes the children
    const mesh = { ...cached, apiVersion: cached.apiVersion ?? 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh' } as FunctionMeshResource;
    const { client, events } = this.deps;
    const edges = meshTopicGraph(mesh.spec ?? {});
    const rendered = this.deps.render(mesh, { settings: this.deps.settings });
    const errors = rendered.problems.filter((p) => p.severity === 'error');
    if (errors.length) {
      // Nothing is applied or pruned: a half-applied mesh is worse than the previous one.
      const reason = errors.some((p) => p.field.endsWith('.name')) ? 'DuplicateChildName' : 'RenderFailed';
      const message = `${errors.map((p) => `${p.field}: ${p.message}`).join('; ')} (nothing was applied)`;
      await this.writeStatus(mesh, [notApplied(reason, message), notReady(reason, message)], { edges }, ctx);
      await events.record(asObject(mesh), 'Warning', reason, message, ctx.signal);
      return;
    }
    const members: Member[] = rendered.objects.map((o) => ({
      kind: o.kind as WorkloadKind,
      name: (o as { spec?: { name?: string } }).spec?.name ?? '',
      resourceName: o.metadata.name ?? '',
    }));

    let sync: SyncResult;
    try {
      sync = await syncChildren({
        client,
        caches: this.caches,
        owner: asObject(mesh),
        rendered: rendered.objects,
        signal: ctx.signal,
        unknownKind: (obj) => `${obj.kind} ${obj.metadata.name}: the cluster does not serve ${obj.apiVersion} ${obj.kind}: apply manifests/crds`,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const { reason, message } = describeSyncError(err);
      await this.writeStatus(mesh, [notApplied(reason, message), notReady(reason, message)], { edges }, ctx);
      await events.record(asObject(mesh), 'Warning', reason, message, ctx.signal);
      if (err instanceof SyncError) return;
      throw err;
    }
    for (const [reason, ids] of [['Created', sync.created], ['Updated', sync.updated], ['Deleted', sync.deleted]] as const) {
      if (ids.length) await events.record(asObject(mesh), 'Normal', reason, `${reason} ${ids.join(', ')}`, ctx.signal);
    }

    const children = members.map((m) => this.childStatus(m, mesh.metadata.namespace, sync));
    const ready = children.filter((c) => c.ready.ready);
    const applied: ConditionInput = { type: CONDITION.ChildrenApplied, status: 'True', reason: 'Applied', message: `${members.length} children up to date` };
    const readyCondition: ConditionInput =
      ready.length === children.length
        ? { type: CONDITION.Ready, status: 'True', reason: 'AllChildrenReady', message: `${children.length} of ${children.length} children ready` }
        : notReady(
            'ChildrenNotReady',
            `${ready.length} of ${children.length} children ready; not ready: ${children
              .filter((c) => !c.ready.ready)
              .map((c) => `${c.ready.name} (${c.ready.kind} ${c.ready.resourceName}): ${c.why}`)
              .join('; ')}`,
          );
    await this.writeStatus(mesh, [applied, readyCondition], { children: children.map((c) => c.ready), edges }, ctx);
  };

  private childStatus(member: Member, namespace: string | undefined, sync: SyncResult): { ready: MeshChildStatus; why: string } {
    const cached = this.caches.store(WORKLOAD_KINDS[member.kind]).get(keyOf(namespace, member.resourceName));
    const live = (cached ?? sync.live.get(childId({ kind: member.kind, metadata: { name: member.resourceName } }))) as (KubeObject & { status?: { conditions?: Condition[] } }) | undefined;
    const condition = conditionOf(live?.status?.conditions, CONDITION.Ready);
    const current = condition?.observedGeneration === undefined || condition.observedGeneration === live?.metadata.generation;
    const ready = condition?.status === 'True' && current;
    const why = !condition ? 'no status yet' : !current ? 'its controller has not seen the latest spec yet' : condition.message;
    return { ready: { kind: member.kind, name: member.name, resourceName: member.resourceName, ready }, why };
  }

  private async writeStatus(mesh: FunctionMeshResource, conditions: ConditionInput[], extra: Partial<FunctionMeshStatus>, ctx: ReconcileContext): Promise<void> {
    const previous = mesh.status;
    const generation = mesh.metadata.generation;
    const status: FunctionMeshStatus = {
      observedGeneration: generation,
      conditions: stampConditions(conditions, previous?.conditions as Condition[] | undefined, generation, new Date()),
      ...(extra.children ? { children: extra.children } : previous?.children ? { children: previous.children } : {}),
      ...(extra.edges ? { edges: extra.edges } : {}),
    };
    if (canonicalJson(status) === canonicalJson(previous ?? {})) return;
    try {
      await this.deps.client.applyStatus(FUNCTION_MESHES, statusObject(asObject(mesh), status), { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: its delete event ends the story
      throw err;
    }
  }
}


