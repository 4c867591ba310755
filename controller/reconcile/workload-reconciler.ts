// The reconciler of Function, Source and Sink (one, parameterized by kind). Level-based: each
// call re-reads the resource from the cache and makes the cluster match it —
//   defaults → finalizer → Pulsar ConfigMap/Secrets → render → apply children → prune → status.
// A resource whose inputs or rendering fail keeps its running children untouched and says why
// in its conditions. The body reports; kind-reconciler.ts writes status and events once.
import { AUTOSCALER_FALLBACK_ANNOTATION, applyDefaults, storedConditions, type WorkloadKind, type WorkloadResource } from '../api/index.js';
import type { RenderProblem, RenderSettings, renderChildren } from '../render/index.js';
import { backendConfigRevisions, workloadName } from '../render/index.js';
import { ignoreNotFound, isForbidden, isNotFound, keyOf, type KubeObject, type ObjectClient, type Reconcile, type ReconcileContext, type ReconcileResult, type ResourceRef, type Store } from '../runtime/index.js';
import { childId } from './apply-plan.js';
import { autoscalingCondition, type AutoscalerObject } from './autoscaler-status.js';
import { BACKEND_CONFIG_STATUS_FIELDS, type BackendConfigLookup } from './backend-configs.js';
import { syncChildren, type ChildCaches, type SyncResult } from './child-sync.js';
import { CONDITION, notApplied, notReady } from './conditions.js';
import { currentSettings } from './settings.js';
import { alreadySaid } from './transitions.js';
import type { EventRecorder } from './events.js';
import { resolveInputs, type ConfigMapObject } from './inputs.js';
import { kindReconciler, reportChanges, type Report } from './kind-reconciler.js';
import { DEPLOYMENTS, HPAS, SCALED_OBJECTS, SECRETS, STATEFUL_SETS, asObject } from './kinds.js';
import { cleanupOAuth2, cleanupTarget, cleanupToken, leftBehind, tlsClientFiles, wantsCleanup, type CleanupConnection, type SubscriptionCleaner } from './subscription-cleanup.js';
import { cleanupAllowed, isManaged, rolloutPaused } from './rollout-control.js';
import { advanceTakeover, planTakeover } from './takeover.js';
import { deleteUpstreamCleanupJob } from './upstream-cleanup-job.js';
import { hasCleanupFinalizer, wantedFinalizers, withoutCleanupFinalizers } from './upstream-finalizer.js';
import { selectorString, workloadReadiness, type WorkloadObject } from './workload-readiness.js';

export type RenderChildren = typeof renderChildren;

export interface WorkloadReconcilerDeps {
  client: ObjectClient;
  render: RenderChildren;
  /** A function: the operator config file can change them while the controller runs. */
  settings: RenderSettings | (() => RenderSettings);
  events: EventRecorder;
  cleaner: SubscriptionCleaner;
  configMaps: Store<ConfigMapObject>;
  /** The BackendConfigs covering a namespace; absent when the cluster does not serve them. */
  backendConfigs?: BackendConfigLookup | undefined;
  /**
   * When to look again at what is not watched: a missing Secret, or a foreign object in a
   * child's place (default 30 s).
   */
  recheckMs?: number;
  /** --pause-rollout: existing children are updated only for a new spec. */
  pauseRollout?: boolean;
}

export class WorkloadReconciler {
  readonly reconcile: Reconcile;
  private readonly recheckMs: number;

  constructor(
    readonly kind: WorkloadKind,
    private readonly ref: ResourceRef,
    primary: Store,
    private readonly caches: ChildCaches,
    private readonly deps: WorkloadReconcilerDeps,
  ) {
    this.recheckMs = deps.recheckMs ?? 30_000;
    this.reconcile = kindReconciler<WorkloadResource>({ ref, primary, client: deps.client, events: deps.events, keep: ['replicas', 'selector', ...BACKEND_CONFIG_STATUS_FIELDS], body: this.body });
  }

  private readonly body = async (stored: WorkloadResource, report: Report, ctx: ReconcileContext): Promise<ReconcileResult | void> => {
    // The renderer takes the resource as stored (it tells an explicit minReplicas from a default);
    // the reconciler's own decisions read the defaulted copy.
    const resource = applyDefaults(this.kind, stored);
    if (resource.metadata.deletionTimestamp) return this.finalize(resource, report, ctx);
    if (!isManaged(stored)) return ctx.log.debug('not managed (compute.functionmesh.io/managed: "false"): left alone');
    await this.deleteUpstreamCleanupJob(resource, report, ctx.signal);
    await this.ensureFinalizer(resource, ctx.signal);

    const { client, configMaps } = this.deps;
    const inputs = await resolveInputs(resource.spec.pulsar, resource.metadata.namespace ?? 'default', configMaps, client, ctx.signal);
    if (!inputs.pulsarConfig) {
      const c = inputs.condition;
      report.condition(c, notApplied('PulsarConfigUnresolved', 'children are left as they are until spec.pulsar resolves'), { ...c, type: CONDITION.Ready, status: 'False' });
      report.event('Warning', c.reason, c.message);
      // ConfigMaps are watched (their appearance requeues us); Secrets are looked for again later.
      return c.reason === 'SecretNotFound' ? { requeueAfterMs: this.recheckMs } : undefined;
    }
    report.condition(inputs.condition);

    const backendConfigs = this.deps.backendConfigs?.forNamespace(resource.metadata.namespace ?? 'default');
    const rendered = this.deps.render(stored, { settings: currentSettings(this.deps.settings), pulsarConfig: inputs.pulsarConfig, backendConfigs });
    const errors = rendered.problems.filter((p) => p.severity === 'error');
    if (errors.length) {
      const message = errors.map((p) => `${p.field}: ${p.message}`).join('; ');
      report.condition(notApplied('RenderFailed', message), notReady('RenderFailed', message));
      report.event('Warning', 'RenderFailed', message);
      return;
    }

    // A ChildConflict throws a TerminalError: it waits for the user, and a foreign object going
    // away wakes nothing, so it is looked at again later. A kind the cluster does not serve (the
    // VPA, KEDA) leaves that child out: the rest are applied, and ChildrenApplied names it.
    // Function Mesh's StatefulSet and headless Service, if still there, are kept until ours can take over.
    const takeover = planTakeover(resource, rendered.objects, this.caches);
    const createOnly = rolloutPaused(stored, this.deps.pauseRollout ?? false);
    const sync = await syncChildren({ client, caches: this.caches, owner: asObject(resource), rendered: takeover.rendered, signal: ctx.signal, conflictRecheckMs: this.recheckMs, retain: takeover.retain, createOnly });
    reportChanges(report, sync, ctx);
    Object.assign(report.fields, backendConfigRevisions(backendConfigs));
    const step = await advanceTakeover(takeover, sync, this.caches, client, ctx.signal);
    if (step.condition) report.condition(step.condition);
    if (step.done) report.event('Normal', 'TakenOver', step.done);
    const warnings = rendered.problems.filter((p) => p.severity === 'warning');
    // ChildrenApplied lists what is ignored: a setting it already named was reported before.
    for (const w of warnings) {
      const message = `${w.field}: ${w.message}`;
      if (!alreadySaid(resource.status, CONDITION.ChildrenApplied, message)) report.event('Warning', 'SettingIgnored', message);
    }
    const notServed = notServedMessage(sync.missing);
    if (sync.missing.length && !alreadySaid(resource.status, CONDITION.ChildrenApplied, notServed)) report.event('Warning', 'KindNotServed', notServed);
    this.reportChildren(resource, takeover.rendered, warnings, sync, report);
  };

  /** ChildrenApplied, Autoscaling and Ready, and the scale subresource's fields, from the children as they are now. */
  private reportChildren(resource: WorkloadResource, objects: readonly KubeObject[], warnings: RenderProblem[], sync: SyncResult, report: Report): void {
    const workload = objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as WorkloadObject | undefined;
    const autoscaler = objects.find((o) => o.kind === 'ScaledObject' || o.kind === 'HorizontalPodAutoscaler');
    const readiness = workloadReadiness(workload && (this.current(workload, sync) as WorkloadObject | undefined), `${workload?.kind ?? 'Deployment'} ${workload?.metadata.name ?? workloadName(resource)}`);
    const ignored = warnings.length ? `; ignored: ${warnings.map((w) => `${w.field}: ${w.message}`).join('; ')}` : '';
    const applied = objects.filter((o) => !sync.missing.includes(o) && !sync.waiting.some((w) => w.child === childId(o)));
    const upToDate = `${applied.map(childId).join(', ')} up to date`;
    report.condition(
      sync.missing.length
        ? notApplied('KindNotServed', `${upToDate}; ${notServedMessage(sync.missing)}${ignored}`)
        : { type: CONDITION.ChildrenApplied, status: 'True', reason: 'Applied', message: `${upToDate}${ignored}` },
    );
    const waiting = sync.waiting[0];
    const autoscaling = waiting
      ? { type: CONDITION.Autoscaling, status: 'Unknown' as const, reason: 'AutoscalerSwitching', message: `${waiting.child} is created once ${waiting.for.join(', ')} is deleted: one autoscaler at a time` }
      : autoscaler && !sync.missing.includes(autoscaler)
        ? autoscalingCondition(this.current(autoscaler, sync) as AutoscalerObject, autoscaler.metadata.annotations?.[AUTOSCALER_FALLBACK_ANNOTATION])
        : undefined;
    if (autoscaling) report.condition(autoscaling);
    const fallback = autoscaler?.metadata.annotations?.[AUTOSCALER_FALLBACK_ANNOTATION];
    if (fallback && !alreadySaid(resource.status, CONDITION.Autoscaling, fallback)) report.event('Warning', 'KedaNotServed', fallback);
    report.condition(readiness.ready);
    report.fields.replicas = readiness.replicas;
    const selector = selectorString(workload?.spec?.selector?.matchLabels);
    if (selector) report.fields.selector = selector;
  }

  /** The freshest copy of a rendered child: the cache (updated by watch) or what apply returned. */
  private current(obj: KubeObject, sync: SyncResult): KubeObject | undefined {
    const ref = obj.kind === 'Deployment' ? DEPLOYMENTS : obj.kind === 'StatefulSet' ? STATEFUL_SETS : obj.kind === 'ScaledObject' ? SCALED_OBJECTS : HPAS;
    const cached = this.caches.kinds.includes(ref) ? this.caches.store(ref).get(keyOf(obj.metadata.namespace, obj.metadata.name ?? '')) : undefined;
    const applied = sync.live.get(childId(obj));
    if (!cached) return applied;
    if (!applied) return cached;
    return Number(cached.metadata.resourceVersion) >= Number(applied.metadata.resourceVersion) ? cached : applied;
  }

  /** Adds or removes the subscription-cleanup finalizer to match spec.cleanupSubscription or a batch Source (Function Mesh's becomes ours). */
  private async ensureFinalizer(resource: WorkloadResource, signal: AbortSignal): Promise<void> {
    const next = wantedFinalizers(resource.metadata.finalizers, wantsCleanup(resource) && cleanupAllowed(resource));
    if (!next) return;
    await this.patchFinalizers(resource, next, signal);
    resource.metadata.finalizers = next;
  }

  // A merge patch (not apply): applying metadata alone with our field manager would drop the
  // spec that a FunctionMesh applies to its children with that same manager.
  private async patchFinalizers(resource: WorkloadResource, finalizers: string[], signal: AbortSignal): Promise<void> {
    const { namespace, name, resourceVersion } = resource.metadata;
    await ignoreNotFound(this.deps.client.mergePatch(this.ref, namespace, name ?? '', { metadata: { finalizers, resourceVersion } }, { signal })); // NotFound: already gone
  }

  /** Function Mesh's cleanup Job goes before its finalizer does (the finalizer says it may be there). */
  private async deleteUpstreamCleanupJob(resource: WorkloadResource, report: Report, signal: AbortSignal): Promise<void> {
    const outcome = await deleteUpstreamCleanupJob(resource, this.deps.client, signal);
    if (outcome.deleted) report.event('Normal', 'CleanupJobDeleted', outcome.deleted);
    if (outcome.forbidden) report.event('Warning', 'CleanupJobLeft', outcome.forbidden);
  }

  private async finalize(resource: WorkloadResource, report: Report, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    if (!hasCleanupFinalizer(resource.metadata.finalizers)) return;
    await this.deleteUpstreamCleanupJob(resource, report, ctx.signal);
    if (!cleanupAllowed(resource)) return this.patchFinalizers(resource, withoutCleanupFinalizers(resource.metadata.finalizers), ctx.signal);
    const outcome = await this.deps.cleaner.attempt(resource, await this.cleanupConnection(resource, report, ctx.signal));
    if (outcome.state === 'retry') {
      ctx.log.warn({ error: outcome.error, failures: outcome.failures, retryInMs: outcome.retryInMs }, 'subscription cleanup failed; will retry');
      return { requeueAfterMs: outcome.retryInMs };
    }
    if (outcome.state === 'done') {
      ctx.log.info({ result: outcome.message }, 'subscription cleaned up');
      report.event('Normal', 'SubscriptionDeleted', outcome.message);
    } else {
      const message = `gave up deleting the subscription after ${outcome.failures} attempts (${outcome.error}); the finalizer is released and ${leftBehind(cleanupTarget(resource))}`;
      ctx.log.warn({ error: outcome.error, failures: outcome.failures }, 'subscription cleanup abandoned');
      report.event('Warning', 'SubscriptionCleanupFailed', message);
    }
    await this.patchFinalizers(resource, withoutCleanupFinalizers(resource.metadata.finalizers), ctx.signal);
  }

  /**
   * Where the cleanup reaches Pulsar. A Secret that cannot be read (forbidden, apiserver error)
   * is no "no token": it is reported in a SubscriptionCleanup condition, and the attempt fails
   * with it instead of sending Pulsar a request without credentials.
   */
  private async cleanupConnection(resource: WorkloadResource, report: Report, signal: AbortSignal): Promise<CleanupConnection> {
    const namespace = resource.metadata.namespace ?? 'default';
    const pulsar = resource.spec.pulsar;
    const configMap = pulsar?.pulsarConfig ? this.deps.configMaps.get(keyOf(namespace, pulsar.pulsarConfig)) : undefined;
    const problems: string[] = [];
    const read = (field: string, name: string) => this.secretData(namespace, field, name, problems, signal);
    const authSecret = pulsar?.authSecret ? await read('spec.pulsar.authSecret', pulsar.authSecret) : undefined;
    // tlsConfig names the CA that signed the broker's certificate (the legacy tlsSecret holds
    // only a path inside the runner image, which the controller cannot read).
    const tls = pulsar?.tlsConfig;
    const caSecret = tls?.enabled && tls.certSecretName && tls.certSecretKey ? await read('spec.pulsar.tlsConfig.certSecretName', tls.certSecretName) : undefined;
    const oauth2 = cleanupOAuth2(pulsar);
    const keyFile = oauth2 ? (await read('spec.pulsar.authConfig.oauth2Config.keySecretName', oauth2.keySecretName))?.[oauth2.keySecretKey] : undefined;
    if (oauth2 && keyFile === undefined && !problems.length) problems.push(`Secret ${oauth2.keySecretName} with key ${oauth2.keySecretKey} (OAuth2 key file) not found in namespace ${namespace}: create it`);
    const tlsFiles = tlsClientFiles(resource, authSecret);
    if (tlsFiles && 'problem' in tlsFiles) problems.push(tlsFiles.problem);
    const fileOf = async (f: { secretName: string; key: string }) => (await read('spec.volumeMounts (TLS client auth)', f.secretName))?.[f.key];
    const [cert, key] = tlsFiles && !('problem' in tlsFiles) ? await Promise.all([fileOf(tlsFiles.cert), fileOf(tlsFiles.key)]) : [];
    const problem = problems.length ? problems.join('; ') : undefined;
    if (problem) {
      const others = storedConditions(resource.status)?.filter((c) => c.type !== CONDITION.SubscriptionCleanup) ?? [];
      report.condition(...others, { type: CONDITION.SubscriptionCleanup, status: 'False', reason: 'SecretUnreadable', message: problem });
    }
    const ca = tls?.certSecretKey ? caSecret?.[tls.certSecretKey] : undefined;
    const oauth2Creds = oauth2 && keyFile !== undefined ? { issuerUrl: oauth2.issuerUrl, audience: oauth2.audience, scope: oauth2.scope, keyFile } : undefined;
    return { webServiceURL: configMap?.data?.webServiceURL, token: cleanupToken(pulsar, authSecret), ca, allowInsecure: Boolean(tls?.enabled && tls.allowInsecure), oauth2: oauth2Creds, clientCert: cert && key ? { cert, key } : undefined, problem };
  }

  /**
   * A Secret's data, decoded; read when needed, never cached (the controller keeps no Secrets).
   * Missing: undefined (the attempt reports Pulsar's answer). Unreadable: a problem naming it and the fix.
   */
  private async secretData(namespace: string, field: string, name: string, problems: string[], signal: AbortSignal): Promise<Record<string, string> | undefined> {
    try {
      const obj = await this.deps.client.get<KubeObject & { data?: Record<string, string> }>(SECRETS, namespace, name, { signal });
      return Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (signal.aborted) throw err;
      const fix = isForbidden(err)
        ? `allow the controller's ServiceAccount to get secrets in namespace ${namespace} (RBAC, manifests/rbac/controller-rbac.yaml)`
        : 'the apiserver failed; the next attempt reads it again';
      problems.push(`Secret ${name} (${field}) in namespace ${namespace} could not be read: ${err instanceof Error ? err.message : String(err)}: ${fix}`);
      return undefined;
    }
  }
}

/** The children left out, each with its apiVersion and what installs it. */
export function notServedMessage(missing: readonly KubeObject[]): string {
  const hint = (kind: string | undefined) => (kind === 'ScaledObject' ? ': install KEDA' : kind === 'VerticalPodAutoscaler' ? ': install the VPA' : ': install its CRDs');
  const list = missing.map((o) => `${o.kind} ${o.metadata.name} (${o.apiVersion}${hint(o.kind)})`).join(', ');
  return `not served by this cluster, so not applied: ${list}; applied once the cluster serves it`;
}
