// The one shape of every reconciler here (like the reconcilers knative generates): a body decides
// conditions, status fields and events into a Report and returns a requeue or nothing; this
// wrapper then writes status once (skipped when unchanged) and records the events. A failure the
// body throws becomes ChildrenApplied=False and Ready=False with its reason, and a Warning event,
// then goes to the runtime, which retries it with backoff unless it is a TerminalError.
import { hasUpstreamConditions, storedConditions, type Condition } from '../api/index.js';
import { clearUpstreamConditions } from './upstream-status.js';
import { TerminalError, ignoreNotFound, type KubeObject, type ObjectClient, type Reconcile, type ReconcileContext, type ReconcileResult, type ResourceRef, type Store } from '../runtime/index.js';
import { canonicalJson } from './apply-plan.js';
import { CONDITION, notApplied, notReady, stampConditions, type ConditionInput } from './conditions.js';
import type { EventRecorder, EventType } from './events.js';
import { asObject } from './kinds.js';

interface PendingEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** What one reconcile found: the wrapper turns it into one status write and the events. */
export class Report {
  /** The conditions as they are now; none leaves the status as it is. */
  readonly conditions: ConditionInput[] = [];
  /** Status fields besides the conditions. */
  readonly fields: Record<string, unknown> = {};
  readonly events: PendingEvent[] = [];

  condition(...conditions: ConditionInput[]): void {
    this.conditions.push(...conditions);
  }

  event(type: EventType, reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }
}

export interface StatusResource {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; generation?: number; deletionTimestamp?: unknown };
  status?: { conditions?: Condition[] } & Record<string, unknown>;
}

export interface KindReconcilerOptions<R extends StatusResource> {
  ref: ResourceRef;
  primary: Store;
  client: ObjectClient;
  events: EventRecorder;
  /** Status fields kept from the previous status when the body does not set them. */
  keep: readonly string[];
  /** The body: decides, writes children, and reports; returns a requeue or nothing. */
  body: (resource: R, report: Report, ctx: ReconcileContext) => Promise<ReconcileResult | void>;
}

export function kindReconciler<R extends StatusResource>(opts: KindReconcilerOptions<R>): Reconcile {
  const { ref } = opts;
  return async (ctx) => {
    const cached = opts.primary.get(ctx.key) as R | undefined;
    if (!cached) return; // deleted: the garbage collector removes the children
    const resource = { ...cached, apiVersion: cached.apiVersion ?? `${ref.group}/${ref.version}`, kind: ref.kind } as R;
    const report = new Report();
    let result: ReconcileResult | void = undefined;
    let failure: unknown;
    try {
      result = await opts.body(resource, report, ctx);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      failure = err;
      const { reason, message } = describeFailure(err);
      report.condition(notApplied(reason, message), notReady(reason, message));
      report.event('Warning', reason, message);
    }
    // Events go out alongside the status write.
    await Promise.all([writeStatus(opts, resource, report, ctx), ...report.events.map((e) => opts.events.record(asObject(resource), e.type, e.reason, e.message, ctx.signal))]);
    if (failure !== undefined) throw failure;
    return result;
  };
}

async function writeStatus<R extends StatusResource>(opts: KindReconcilerOptions<R>, resource: R, report: Report, ctx: ReconcileContext): Promise<void> {
  if (!report.conditions.length) return;
  const previous = resource.status;
  const previousConditions = storedConditions(previous);
  const generation = resource.metadata.generation;
  const kept = Object.fromEntries(opts.keep.flatMap((field) => (previous?.[field] !== undefined ? [[field, previous[field]]] : [])));
  const status = {
    observedGeneration: generation,
    conditions: stampConditions(report.conditions, previousConditions, generation, new Date()),
    ...kept,
    ...report.fields,
  };
  if (canonicalJson(status) === canonicalJson(previous ?? {})) return;
  // Function Mesh's map-shaped conditions cannot be merged into a list by an apply: dropped first, once.
  if (hasUpstreamConditions(previous) && !(await clearUpstreamConditions(opts.client, opts.ref, asObject(resource), { signal: ctx.signal }))) return;
  // NotFound: deleted meanwhile, its delete event ends the story.
  if (!(await ignoreNotFound(opts.client.applyStatus(opts.ref, statusObject(asObject(resource), status), { signal: ctx.signal })))) return;
  const ready = report.conditions.find((c) => c.type === CONDITION.Ready);
  const before = previousConditions?.find((c) => c.type === CONDITION.Ready);
  if (ready && (ready.status !== before?.status || ready.reason !== before?.reason)) {
    ctx.log.info({ ready: ready.status, reason: ready.reason, message: ready.message }, 'readiness changed');
  }
}

/** A thrown failure as a condition reason and message. */
function describeFailure(err: unknown): { reason: string; message: string } {
  if (err instanceof TerminalError) return { reason: err.reason, message: err.message };
  return { reason: 'ApplyFailed', message: err instanceof Error ? err.message : String(err) };
}

function statusObject<S>(resource: KubeObject, status: S): KubeObject & { status: S } {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { name: resource.metadata.name, namespace: resource.metadata.namespace },
    status,
  };
}

/** Normal events (and log lines) for the children a sync created, updated and deleted. */
export function reportChanges(report: Report, sync: { created: string[]; updated: string[]; deleted: string[] }, ctx: ReconcileContext): void {
  for (const [reason, ids] of [['Created', sync.created], ['Updated', sync.updated], ['Deleted', sync.deleted]] as const) {
    if (!ids.length) continue;
    ctx.log.info({ [reason.toLowerCase()]: ids }, `${reason.toLowerCase()} children`);
    report.event('Normal', reason, `${reason} ${ids.join(', ')}`);
  }
}
