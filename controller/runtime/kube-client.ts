// A small, kind-agnostic Kubernetes client: get / list / create / replace / delete, server-side
// apply (objects and the status subresource), JSON merge patch, and watch streams. Every call
// names its kind through a ResourceRef; errors are KubeApiError with the apiserver's message.
import type { IncomingMessage } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, type ApiStatus } from './kube-error.js';
import { apiVersionOf, isNamespaced, resourceName, resourcePath, type KubeObject, type ResourceRef } from './resource.js';
import { linkSignals } from './signals.js';
import { KubeTransport, readBody, type Query } from './transport.js';

export interface ObjectList<T extends KubeObject = KubeObject> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** Omit for all namespaces (or for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends CallOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version (from a list or the last event/bookmark). */
  resourceVersion?: string;
  /** The server ends the watch cleanly after this long; the caller restarts it. */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export interface ApplyOptions extends CallOptions {
  /** Defaults to the client's field manager. */
  fieldManager?: string;
  /** Take fields owned by other managers (default true: the controller owns what it renders). */
  force?: boolean;
}

export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Delete only this exact object (guards against deleting a re-created namesake). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface KubeClientOptions {
  /** The field manager for server-side apply, e.g. `function-mesh-controller`. */
  fieldManager: string;
  /** Deadline of every non-watch request (default 30 s). */
  requestTimeoutMs?: number;
}

/** The calls reconcilers make: what a fake client implements in tests. */
export type ObjectClient = Pick<KubeClient, 'fieldManager' | 'get' | 'list' | 'create' | 'delete' | 'apply' | 'applyStatus' | 'mergePatch'>;

type Target = { ref: ResourceRef; namespace?: string; name?: string; subresource?: string };

export class KubeClient {
  readonly fieldManager: string;
  private readonly transport: KubeTransport;
  private readonly timeoutMs: number;

  constructor(kc: KubeConfig, opts: KubeClientOptions) {
    this.fieldManager = opts.fieldManager;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.transport = new KubeTransport(kc, opts.fieldManager);
  }

  /** $KUBECONFIG, else ~/.kube/config, else the in-cluster service account. */
  static fromEnvironment(opts: KubeClientOptions): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return new KubeClient(kc, opts);
  }

  /** The apiserver URL, for logs. */
  get server(): string {
    return this.transport.server.href;
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, opts: CallOptions = {}): Promise<T> {
    return this.call<T>('GET', { ref, namespace, name }, opts);
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const { namespace, labelSelector, fieldSelector, limit, resourceVersion } = opts;
    return this.call<ObjectList<T>>('GET', { ref, namespace }, opts, {
      query: { labelSelector, fieldSelector, limit, continue: opts.continue, resourceVersion },
    });
  }

  create<T extends KubeObject>(ref: ResourceRef, obj: T, opts: CallOptions = {}): Promise<T> {
    return this.call<T>('POST', { ref, namespace: obj.metadata.namespace }, opts, { body: withTypeMeta(ref, obj) });
  }

  /** PUT: optimistic concurrency through `metadata.resourceVersion` (409 Conflict when stale). */
  replace<T extends KubeObject>(ref: ResourceRef, obj: T, opts: CallOptions = {}): Promise<T> {
    return this.call<T>('PUT', { ref, namespace: obj.metadata.namespace, name: requireName(ref, obj) }, opts, { body: withTypeMeta(ref, obj) });
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: opts.propagationPolicy, preconditions: opts.preconditions };
    await this.call('DELETE', { ref, namespace, name }, opts, { body });
  }

  /**
   * Server-side apply: the object states every field this manager owns; fields it stops
   * stating are removed (if no one else owns them). Applying the same object again is a no-op
   * (the resourceVersion does not change).
   */
  apply<T extends KubeObject>(ref: ResourceRef, obj: T, opts: ApplyOptions = {}): Promise<T> {
    return this.applyTo(ref, obj, undefined, opts);
  }

  /** Server-side apply of `status` (the object needs apiVersion, kind, metadata.name and status). */
  applyStatus<T extends KubeObject>(ref: ResourceRef, obj: T, opts: ApplyOptions = {}): Promise<T> {
    return this.applyTo(ref, obj, 'status', opts);
  }

  /**
   * JSON merge patch, e.g. `{ metadata: { finalizers: [...], resourceVersion } }`: lists are
   * replaced whole, so include resourceVersion to fail with 409 instead of losing a concurrent change.
   */
  mergePatch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: CallOptions & { subresource?: 'status' } = {},
  ): Promise<T> {
    return this.call<T>('PATCH', { ref, namespace, name, subresource: opts.subresource }, opts, {
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /**
   * A watch stream: yields events until the server ends the watch (after timeoutSeconds),
   * the signal aborts, or an error occurs. A watch ERROR event (e.g. 410 Expired) throws a
   * KubeApiError. A connection still open 30 s past timeoutSeconds (a silent network failure)
   * is cut with an error.
   */
  async *watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const target = { ref, namespace: opts.namespace };
    const timeoutSeconds = opts.timeoutSeconds ?? 300;
    const guard = linkSignals([opts.signal], (timeoutSeconds + 30) * 1000);
    const signal = guard.signal;
    let res: IncomingMessage | undefined;
    try {
      res = await this.transport.open({
        method: 'GET',
        path: path(target),
        query: {
          watch: 1,
          resourceVersion: opts.resourceVersion,
          allowWatchBookmarks: opts.allowWatchBookmarks,
          timeoutSeconds,
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
        },
        signal,
      });
      if (res.statusCode !== 200) throw this.errorFrom('WATCH', target, res.statusCode ?? 0, await readBody(res));
      res.setEncoding('utf8');
      let buffered = '';
      for await (const chunk of res) {
        buffered += chunk as string;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: unknown };
          if (event.type === 'ERROR') {
            const status = event.object as ApiStatus;
            throw this.errorFrom('WATCH', target, status.code ?? 500, JSON.stringify(status));
          }
          yield event as WatchEvent<T>;
        }
      }
    } finally {
      guard.dispose();
      res?.destroy();
    }
  }

  /** Frees pooled connections (open watches end). */
  close(): void {
    this.transport.close();
  }

  private applyTo<T extends KubeObject>(ref: ResourceRef, obj: T, subresource: 'status' | undefined, opts: ApplyOptions): Promise<T> {
    const name = requireName(ref, obj);
    return this.call<T>('PATCH', { ref, namespace: obj.metadata.namespace, name, subresource }, opts, {
      body: withTypeMeta(ref, obj),
      contentType: 'application/apply-patch+yaml', // JSON is YAML
      query: { fieldManager: opts.fieldManager ?? this.fieldManager, force: opts.force ?? true },
    });
  }

  private async call<R>(
    method: string,
    target: Target,
    opts: CallOptions,
    extra: { query?: Query; body?: unknown; contentType?: string } = {},
  ): Promise<R> {
    if (isNamespaced(target.ref) && target.name !== undefined && !target.namespace) {
      throw new Error(`${method} ${resourceName(target.ref)} "${target.name}": metadata.namespace is required for a namespaced kind`);
    }
    const { status, text } = await this.transport.request({
      method,
      path: path(target),
      query: extra.query,
      body: extra.body === undefined ? undefined : JSON.stringify(extra.body),
      contentType: extra.contentType,
      signal: opts.signal,
      timeoutMs: this.timeoutMs,
    });
    if (status < 200 || status >= 300) throw this.errorFrom(method, target, status, text);
    return (text ? JSON.parse(text) : undefined) as R;
  }

  private errorFrom(method: string, target: Target, status: number, text: string): KubeApiError {
    let apiStatus: ApiStatus;
    try {
      apiStatus = JSON.parse(text) as ApiStatus;
    } catch {
      apiStatus = { message: text.trim() || undefined };
    }
    return new KubeApiError(status, apiStatus, { method, resource: resourceName(target.ref), namespace: target.namespace, name: target.name });
  }
}

function path(t: Target): string {
  return resourcePath(t.ref, t.namespace, t.name, t.subresource);
}

function withTypeMeta<T extends KubeObject>(ref: ResourceRef, obj: T): T {
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(ref), kind: obj.kind ?? ref.kind };
}

function requireName(ref: ResourceRef, obj: KubeObject): string {
  const name = obj.metadata.name;
  if (!name) throw new Error(`${ref.kind} object has no metadata.name: set metadata.name before applying or replacing it`);
  return name;
}
