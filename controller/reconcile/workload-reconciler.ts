// The reconciler of Function, Source and Sink (one, parameterized by kind). Level-based: each
// call re-reads the resource from the cache and makes the cluster match it —
//   defaults → finalizer → Pulsar ConfigMap/Secrets → render → apply children → prune → status.
// A resource whose inputs or rendering fail keeps its running children untouched and says why
// in its conditions.
import { applyDefaults, type Condition, type WorkloadKind, type WorkloadResource, type WorkloadStatus } from '../api/index.js';
import type { RenderSettings, renderChildren } from '../render/index.js';
import { workloadName } from '../render/index.js';
import { KubeApiError, isNotFound, keyOf, type KubeClient, type KubeObject, type ReconcileContext, type ReconcileResult, type ResourceRef, type Store } from '../runtime/index.js';
import { canonicalJson, childId } from './apply-plan.js';
import { autoscalingCondition, type AutoscalerObject } from './autoscaler-status.js';
import { syncChildren, SyncError, type ChildCaches, type SyncResult } from './child-sync.js';
import { CONDITION, notApplied, notReady, stampConditions, type ConditionInput } from './conditions.js';
import type { EventRecorder } from './events.js';
import { resolveInputs, type ConfigMapObject } from './inputs.js';
import { DEPLOYMENTS, HPAS, SCALED_OBJECTS, SECRETS, STATEFUL_SETS, asObject } from './kinds.js';
import { SUBSCRIPTION_FINALIZER, cleanupToken, wantsCleanup, type SubscriptionCleaner } from './subscription-cleanup.js';
import { selectorString, workloadReadiness, type WorkloadObject } from './workload-readiness.js';

export type RenderChildren = typeof renderChildren;

export interface WorkloadReconcilerDeps {
  client: KubeClient;
  render: RenderChildren;
  settings: RenderSettings;
  events: EventRecorder;
  cleaner: SubscriptionCleaner;
  configMaps: Store<ConfigMapObject>;
  /**
   * When to look again at what is not watched: a missing Secret, or a foreign object in a
   * child's place (default 30 s).
   */
  recheckMs?: number;
}

export class WorkloadReconciler {
  constructor(
    readonly kind: WorkloadKind,
    private readonly ref: ResourceRef,
    private readonly primary: Store,
    private readonly caches: ChildCaches,
    private readonly deps: WorkloadReconcilerDeps,
  ) {}

  readonly reconcile = async (ctx: ReconcileContext): Promise<ReconcileResult | void> => {
    const cached = this.primary.get(ctx.key) as WorkloadResource | undefined;
    if (!cached) return; // deleted: the garbage collector removes the children
    // The renderer takes the resource as stored (it tells an explicit minReplicas from a default);
    // the reconciler's own decisions read the defaulted copy.
    const stored = { ...cached, apiVersion: cached.apiVersion ?? `${this.ref.group}/${this.ref.version}`, kind: this.kind } as WorkloadResource;
    const resource = applyDefaults(this.kind, stored);
    if (resource.metadata.deletionTimestamp) return this.finalize(resource, ctx);
    await this.ensureFinalizer(resource, ctx.signal);

    const { client, configMaps, events } = this.deps;
    const namespace = resource.metadata.namespace ?? 'default';
    const inputs = await resolveInputs(resource.spec.pulsar, namespace, configMaps, client, ctx.signal);
    if (!inputs.pulsarConfig) {
      const c = inputs.condition;
      await this.writeStatus(resource, [c, notApplied('PulsarConfigUnresolved', 'children are left as they are until spec.pulsar resolves'), { ...c, type: CONDITION.Ready, status: 'False' }], ctx);
      await events.record(asObject(resource), 'Warning', c.reason, c.message, ctx.signal);
      // ConfigMaps are watched (their appearance requeues us); Secrets are looked for again later.
      return c.reason === 'SecretNotFound' ? { requeueAfterMs: this.deps.recheckMs ?? 30_000 } : undefined;
    }
    const resolved = inputs.condition;

    const rendered = this.deps.render(stored, { settings: this.deps.settings, pulsarConfig: inputs.pulsarConfig });
    const errors = rendered.problems.filter((p) => p.severity === 'error');
    if (errors.length) {
      const message = errors.map((p) => `${p.field}: ${p.message}`).join('; ');
      await this.writeStatus(resource, [resolved, notApplied('RenderFailed', message), notReady('RenderFailed', message)], ctx);
      await events.record(asObject(resource), 'Warning', 'RenderFailed', message, ctx.signal);
      return;
    }

    let sync: SyncResult;
    try {
      sync = await syncChildren({
        client,
        caches: this.caches,
        owner: asObject(resource),
        rendered: rendered.objects,
        signal: ctx.signal,
        unknownKind: (obj) =>
          `${obj.kind} ${obj.metadata.name} cannot be created: the cluster does not serve ${obj.apiVersion} ${obj.kind}` +
          (obj.kind === 'ScaledObject' ? ' (scale to zero and backlog scaling need KEDA: install KEDA, then restart the controller)' : ''),
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const { reason, message } = describeSyncError(err);
      await this.writeStatus(resource, [resolved, notApplied(reason, message), notReady(reason, message)], ctx);
      await events.record(asObject(resource), 'Warning', reason, message, ctx.signal);
      // Waits for the user: a spec change requeues us; a foreign object going away does not.
      if (err instanceof SyncError) return err.reason === 'ChildConflict' ? { requeueAfterMs: this.deps.recheckMs ?? 30_000 } : undefined;
      throw err; // apiserver trouble: retry with backoff
    }

    const warnings = rendered.problems.filter((p) => p.severity === 'warning');
    // Events go out alongside the status write below.
    const recorded = Promise.all([
      this.recordChanges(resource, sync, ctx),
      ...warnings.map((w) => events.record(asObject(resource), 'Warning', 'SettingIgnored', `${w.field}: ${w.message}`, ctx.signal)),
    ]);

    const workload = rendered.objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as WorkloadObject | undefined;
    const autoscaler = rendered.objects.find((o) => o.kind === 'ScaledObject' || o.kind === 'HorizontalPodAutoscaler');
    const liveWorkload = workload && this.current(workload, sync);
    const readiness = workloadReadiness(liveWorkload as WorkloadObject | undefined, `${workload?.kind ?? 'Deployment'} ${workload?.metadata.name ?? workloadName(resource)}`);
    const applied: ConditionInput = {
      type: CONDITION.ChildrenApplied,
      status: 'True',
      reason: 'Applied',
      message: `${rendered.objects.map(childId).join(', ')} up to date${warnings.length ? `; ignored: ${warnings.map((w) => `${w.field}: ${w.message}`).join('; ')}` : ''}`,
    };
    const autoscaling = autoscaler && autoscalingCondition(this.current(autoscaler, sync) as AutoscalerObject);
    await this.writeStatus(resource, [resolved, applied, ...(autoscaling ? [autoscaling] : []), readiness.ready], ctx, {
      replicas: readiness.replicas,
      selector: selectorString(workload?.spec?.selector?.matchLabels),
    });
    await recorded;
  };

  /** The freshest copy of a rendered child: the cache (updated by watch) or what apply returned. */
  private current(obj: KubeObject, sync: SyncResult): KubeObject | undefined {
    const ref = obj.kind === 'Deployment' ? DEPLOYMENTS : obj.kind === 'StatefulSet' ? STATEFUL_SETS : obj.kind === 'ScaledObject' ? SCALED_OBJECTS : HPAS;
    const cached = this.caches.kinds.includes(ref) ? this.caches.store(ref).get(keyOf(obj.metadata.namespace, obj.metadata.name ?? '')) : undefined;
    const applied = sync.live.get(childId(obj));
    if (!cached) return applied;
    if (!applied) return cached;
    return Number(cached.metadata.resourceVersion) >= Number(applied.metadata.resourceVersion) ? cached : applied;
  }

  private async writeStatus(resource: WorkloadResource, conditions: ConditionInput[], ctx: ReconcileContext, extra: Partial<WorkloadStatus> = {}): Promise<void> {
    const previous = resource.status;
    const generation = resource.metadata.generation;
    const status: WorkloadStatus = {
      observedGeneration: generation,
      conditions: stampConditions(conditions, previous?.conditions as Condition[] | undefined, generation, new Date()),
      ...(extra.replicas !== undefined ? { replicas: extra.replicas } : previous?.replicas !== undefined ? { replicas: previous.replicas } : {}),
      ...(extra.selector ? { selector: extra.selector } : previous?.selector ? { selector: previous.selector } : {}),
    };
    if (canonicalJson(status) === canonicalJson(previous ?? {})) return;
    try {
      await this.deps.client.applyStatus(this.ref, statusObject(asObject(resource), status), { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: its delete event ends the story
      throw err;
    }
    const ready = conditions.find((c) => c.type === CONDITION.Ready);
    const before = previous?.conditions?.find((c) => c.type === CONDITION.Ready);
    if (ready && (ready.status !== before?.status || ready.reason !== before?.reason)) {
      ctx.log.info({ ready: ready.status, reason: ready.reason, message: ready.message }, 'readiness changed');
    }
  }

  private async recordChanges(resource: WorkloadResource, sync: SyncResult, ctx: ReconcileContext): Promise<void> {
    const { events } = this.deps;
    const say = async (reason: string, ids: string[]) => {
      if (!ids.length) return;
      ctx.log.info({ [reason.toLowerCase()]: ids }, `${reason.toLowerCase()} children`);
      await events.record(asObject(resource), 'Normal', reason, `${reason} ${ids.join(', ')}`, ctx.signal);
    };
    await say('Created', sync.created);
    await say('Updated', sync.updated);
    await say('Deleted', sync.deleted);
  }

  /** Adds or removes the subscription-cleanup finalizer to match spec.cleanupSubscription. */
  private async ensureFinalizer(resource: WorkloadResource, signal: AbortSignal): Promise<void> {
    const finalizers = resource.metadata.finalizers ?? [];
    const has = finalizers.includes(SUBSCRIPTION_FINALIZER);
    const wants = wantsCleanup(resource);
    if (has === wants) return;
    const next = wants ? [...finalizers, SUBSCRIPTION_FINALIZER] : finalizers.filter((f) => f !== SUBSCRIPTION_FINALIZER);
    await this.patchFinalizers(resource, next, signal);
    resource.metadata.finalizers = next;
  }

  // A merge patch (not apply): applying metadata alone with our field manager would drop the
  // spec that a FunctionMesh applies to its children with that same manager.
  private async patchFinalizers(resource: WorkloadResource, finalizers: string[], signal: AbortSignal): Promise<void> {
    const { namespace, name, resourceVersion } = resource.metadata;
    try {
      await this.deps.client.mergePatch(this.ref, namespace, name ?? '', { metadata: { finalizers, resourceVersion } }, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err; // already gone
    }
  }

  private async finalize(resource: WorkloadResource, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    if (!resource.metadata.finalizers?.includes(SUBSCRIPTION_FINALIZER)) return;
    const { cleaner, configMaps, events, client } = this.deps;
    const namespace = resource.metadata.namespace ?? 'default';
    const pulsar = resource.spec.pulsar;
    const configMap = pulsar?.pulsarConfig ? configMaps.get(keyOf(namespace, pulsar.pulsarConfig)) : undefined;
    const authSecret = pulsar?.authSecret ? await this.secretData(resource, pulsar.authSecret, client, ctx.signal) : undefined;
    // tlsConfig names the CA that signed the broker's certificate (the legacy tlsSecret holds
    // only a path inside the runner image, which the controller cannot read).
    const tls = pulsar?.tlsConfig;
    const caSecret = tls?.enabled && tls.certSecretName && tls.certSecretKey ? await this.secretData(resource, tls.certSecretName, client, ctx.signal) : undefined;
    const ca = tls?.certSecretKey ? caSecret?.[tls.certSecretKey] : undefined;
    const allowInsecure = Boolean(tls?.enabled && tls.allowInsecure);
    const outcome = await cleaner.attempt(resource, { webServiceURL: configMap?.data?.webServiceURL, token: cleanupToken(pulsar, authSecret), ca, allowInsecure });
    if (outcome.state === 'retry') {
      ctx.log.warn({ error: outcome.error, failures: outcome.failures, retryInMs: outcome.retryInMs }, 'subscription cleanup failed; will retry');
      return { requeueAfterMs: outcome.retryInMs };
    }
    if (outcome.state === 'done') {
      ctx.log.info({ result: outcome.message }, 'subscription cleaned up');
      await events.record(asObject(resource), 'Normal', 'SubscriptionDeleted', outcome.message, ctx.signal);
    } else {
      const message = `gave up deleting the subscription after ${outcome.failures} attempts (${outcome.error}); the finalizer is released and the subscription may remain: delete it with pulsar-admin topics unsubscribe`;
      ctx.log.warn({ error: outcome.error, failures: outcome.failures }, 'subscription cleanup abandoned');
      await events.record(asObject(resource), 'Warning', 'SubscriptionCleanupFailed', message, ctx.signal);
    }
    await this.patchFinalizers(resource, (resource.metadata.finalizers ?? []).filter((f) => f !== SUBSCRIPTION_FINALIZER), ctx.signal);
  }

  /** A Secret's data, decoded; read when needed, never cached (the controller keeps no Secrets). */
  private async secretData(resource: WorkloadResource, secret: string, client: KubeClient, signal: AbortSignal): Promise<Record<string, string> | undefined> {
    try {
      const obj = await client.get<KubeObject & { data?: Record<string, string> }>(SECRETS, resource.metadata.namespace, secret, { signal });
      return Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch {
      return undefined; // no token or CA: the attempt reports Pulsar's answer
    }
  }
}



export function describeSyncError(err: unknown): { reason: string; message: string } {
  if (err instanceof SyncError) return { reason: err.reason, message: err.message };
  if (err instanceof KubeApiError) return { reason: 'ApplyFailed', message: err.message };
  return { reason: 'ApplyFailed', message: err instanceof Error ? err.message : String(err) };
}

export function statusObject<S>(resource: KubeObject, status: S): KubeObject & { status: S } {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { name: resource.metadata.name, namespace: resource.metadata.namespace },
    status,
  };
}
