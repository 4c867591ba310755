// The table runner for the reconcilers (like knative's TableTest): each row is the state the
// reconciler finds (the primary resource, the cached objects, the Secrets only the apiserver
// holds, the calls that fail) and what it must do (the writes, the one status update, the events,
// the result or the error). One reconcile per row, on a FakeClient and caches fed directly.
import { expect } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../../../process/logger.js';
import { EventRecorder } from '../../../controller/reconcile/events.js';
import { CONFIG_MAPS, OPTIONAL_CHILD_KINDS, WORKLOAD_RESOURCES, asObject, childKinds } from '../../../controller/reconcile/kinds.js';
import { childCaches } from '../../../controller/reconcile/register.js';
import { InformerSet, KubeClient, TerminalError, keyOf, type KubeApiError, type KubeObject, type Reconcile, type ReconcileResult, type ResourceRef } from '../../../controller/runtime/index.js';
import { FakeClient } from './fake-client.js';

export const log = createLogger('reconciler-table', 'silent');

export interface Row<R> {
  name: string;
  resource: R;
  /** In the informer caches and in the cluster: children, ConfigMaps. */
  cached?: KubeObject[];
  /** In the cluster only (the controller caches no Secrets). */
  secrets?: KubeObject[];
  /** Calls that fail, by `verb Kind name`. */
  failures?: Record<string, KubeApiError>;
  want: {
    /** Writes other than status and Events, as `verb Kind name` (patches with their finalizers), sorted. */
    writes?: string[];
    /** The status update's conditions as `Type=Status/Reason`; undefined: no status update. */
    conditions?: string[];
    /** Substrings each named condition's message must contain. */
    messages?: Record<string, string[]>;
    /** Events as `Type Reason`, sorted. */
    events?: string[];
    result?: ReconcileResult;
    /** The reconcile throws: a TerminalError with this reason (and recheck), or any error whose message contains `message`. */
    error?: { reason?: string; recheckAfterMs?: number; message?: string };
  };
}

export interface TableSetup {
  client: FakeClient;
  informers: InformerSet;
  caches: (owner: ResourceRef, kinds: ResourceRef[]) => ReturnType<typeof childCaches>;
  events: EventRecorder;
}

/** Runs one row: `build` wires the reconciler under test onto the fake client and caches. */
export async function runRow<R extends { metadata: object }>(row: Row<R>, primary: ResourceRef, build: (setup: TableSetup) => Reconcile): Promise<FakeClient> {
  const resource = asObject(row.resource);
  const client = new FakeClient([resource, ...(row.cached ?? []), ...(row.secrets ?? [])], row.failures);
  // Never started: the rows play the reflector's part.
  const informers = new InformerSet({ client: offlineClient(), log });
  const setup: TableSetup = {
    client,
    informers,
    caches: (owner, kinds) => childCaches(informers, owner, kinds),
    events: new EventRecorder(client, 'functionmesh-controller', 'test', log),
  };
  const reconcile = build(setup);
  informers.informer(primary).replace([resource]);
  const byKind = new Map<string, KubeObject[]>();
  for (const obj of row.cached ?? []) byKind.set(obj.kind ?? '', [...(byKind.get(obj.kind ?? '') ?? []), obj]);
  informers.informer(CONFIG_MAPS).replace(byKind.get('ConfigMap') ?? []);
  for (const [kind, objs] of byKind) if (kind !== 'ConfigMap') informers.informer(refFor(kind)).replace(objs);

  const { namespace, name } = resource.metadata;
  const ctx = { key: keyOf(namespace, name ?? ''), namespace, name: name ?? '', signal: new AbortController().signal, log };
  const outcome = await reconcile(ctx).then(
    (result) => ({ result: result ?? undefined, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  expectRow(row, client, outcome);
  return client;
}

function expectRow(row: Row<unknown>, client: FakeClient, outcome: { result: ReconcileResult | undefined; error: unknown }): void {
  const { want } = row;
  if (want.error) {
    expect(outcome.error).toBeInstanceOf(want.error.reason ? TerminalError : Error);
    const err = outcome.error as TerminalError;
    if (want.error.reason) expect({ reason: err.reason, recheckAfterMs: err.recheckAfterMs }).toEqual({ reason: want.error.reason, recheckAfterMs: want.error.recheckAfterMs });
    if (want.error.message) expect(err.message).toContain(want.error.message);
  } else {
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toEqual(want.result);
  }
  const writes = client.writes.filter((w) => w.verb !== 'applyStatus' && w.kind !== 'Event');
  const describe = (w: (typeof writes)[number]) =>
    w.verb === 'patch' && w.body && 'status' in w.body
      ? `patch ${w.kind} ${w.name} status`
      : w.verb === 'patch' ? `patch ${w.kind} ${w.name} finalizers=${((w.body?.metadata as { finalizers?: string[] })?.finalizers ?? []).join(',')}` : `${w.verb} ${w.kind} ${w.name}`;
  expect(writes.map(describe).sort()).toEqual([...(want.writes ?? [])].sort());

  const statuses = client.writes.filter((w) => w.verb === 'applyStatus');
  if (want.conditions === undefined) {
    expect(statuses).toEqual([]);
  } else {
    expect(statuses).toHaveLength(1);
    const conditions = ((statuses[0]!.body as { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }).status?.conditions ?? []);
    expect(conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(want.conditions);
    for (const [type, parts] of Object.entries(want.messages ?? {})) {
      const message = conditions.find((c) => c.type === type)?.message ?? '';
      for (const part of parts) expect(message).toContain(part);
    }
  }
  const events = client.writes.filter((w) => w.kind === 'Event').map((w) => `${w.body?.type} ${w.body?.reason}`);
  expect(events.sort()).toEqual([...(want.events ?? [])].sort());
}

const KNOWN: ResourceRef[] = [...childKinds(OPTIONAL_CHILD_KINDS), ...Object.values(WORKLOAD_RESOURCES)];

function refFor(kind: string): ResourceRef {
  const ref = KNOWN.find((r) => r.kind === kind);
  if (!ref) throw new Error(`the table knows no kind ${kind}`);
  return ref;
}

function offlineClient(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:9' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return new KubeClient(kc, { fieldManager: 'test' });
}
