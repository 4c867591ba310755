// An in-memory apiserver for the reconciler tables (like knative's fake clientsets): it keeps
// objects by kind and name, answers NotFound like the real one, fails the calls a row names, and
// records every write so a row can state the creates, applies, deletes, patches and status
// updates it wants. Pure logic only: anything about the real apiserver is tested in
// test/integration/controller.
import { KubeApiError, type ApplyOptions, type CallOptions, type DeleteOptions, type KubeObject, type ObjectClient, type ObjectList, type ResourceRef } from '../../../controller/runtime/index.js';

export interface Write {
  verb: 'create' | 'apply' | 'applyStatus' | 'delete' | 'patch';
  kind: string;
  name: string;
  body?: Record<string, unknown>;
}

export class FakeClient implements ObjectClient {
  readonly fieldManager = 'functionmesh-controller';
  readonly writes: Write[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion = 100;

  constructor(
    objects: KubeObject[] = [],
    /** Calls to fail, by `verb Kind name` (e.g. `get Secret auth`, `apply Deployment fn-function`). */
    private readonly failures: Record<string, KubeApiError> = {},
  ) {
    for (const obj of objects) this.objects.set(this.id(obj.kind ?? '', obj.metadata.namespace, obj.metadata.name ?? ''), obj);
  }

  /** The writes as `verb Kind name`, in call order. */
  get summary(): string[] {
    return this.writes.map((w) => `${w.verb} ${w.kind} ${w.name}`);
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, _opts?: CallOptions): Promise<T> {
    this.fail('get', ref, name);
    const obj = this.objects.get(this.id(ref.kind, namespace, name));
    if (!obj) throw notFound(ref, namespace, name);
    return structuredClone(obj) as T;
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef): Promise<ObjectList<T>> {
    this.fail('list', ref, '');
    const items = [...this.objects.values()].filter((o) => o.kind === ref.kind) as T[];
    return { items, metadata: { resourceVersion: String(this.resourceVersion) } } as ObjectList<T>;
  }

  async create<T extends KubeObject>(ref: ResourceRef, obj: T, _opts?: CallOptions): Promise<T> {
    return this.write('create', ref, obj);
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, _opts?: DeleteOptions): Promise<void> {
    this.fail('delete', ref, name);
    if (!this.objects.delete(this.id(ref.kind, namespace, name))) throw notFound(ref, namespace, name);
    this.writes.push({ verb: 'delete', kind: ref.kind, name });
  }

  async apply<T extends KubeObject>(ref: ResourceRef, obj: T, _opts?: ApplyOptions): Promise<T> {
    return this.write('apply', ref, obj);
  }

  async applyStatus<T extends KubeObject>(ref: ResourceRef, obj: T, _opts?: ApplyOptions): Promise<T> {
    this.fail('applyStatus', ref, obj.metadata.name ?? '');
    const id = this.id(ref.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    const current = this.objects.get(id);
    if (!current) throw notFound(ref, obj.metadata.namespace, obj.metadata.name ?? '');
    this.writes.push({ verb: 'applyStatus', kind: ref.kind, name: obj.metadata.name ?? '', body: structuredClone(obj) as Record<string, unknown> });
    const updated = { ...current, status: (obj as { status?: unknown }).status } as KubeObject;
    this.objects.set(id, updated);
    return updated as T;
  }

  async mergePatch<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, patch: unknown, _opts?: CallOptions): Promise<T> {
    this.fail('patch', ref, name);
    const id = this.id(ref.kind, namespace, name);
    const current = this.objects.get(id);
    if (!current) throw notFound(ref, namespace, name);
    this.writes.push({ verb: 'patch', kind: ref.kind, name, body: structuredClone(patch) as Record<string, unknown> });
    const meta = (patch as { metadata?: Record<string, unknown> }).metadata ?? {};
    const updated = { ...current, metadata: { ...current.metadata, ...meta, resourceVersion: this.nextVersion() } } as KubeObject;
    this.objects.set(id, updated);
    return updated as T;
  }

  private write<T extends KubeObject>(verb: 'create' | 'apply', ref: ResourceRef, obj: T): T {
    const name = obj.metadata.name ?? '';
    this.fail(verb, ref, name);
    this.writes.push({ verb, kind: ref.kind, name, body: structuredClone(obj) as Record<string, unknown> });
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: this.nextVersion(), uid: obj.metadata.uid ?? `uid-${name}` } } as T;
    this.objects.set(this.id(ref.kind, obj.metadata.namespace, name), stored);
    return structuredClone(stored);
  }

  private fail(verb: string, ref: ResourceRef, name: string): void {
    const failure = this.failures[`${verb} ${ref.kind} ${name}`];
    if (failure) throw failure;
  }

  private id(kind: string, namespace: string | undefined, name: string): string {
    return `${kind} ${namespace ?? ''}/${name}`;
  }

  private nextVersion(): string {
    return String(++this.resourceVersion);
  }
}

export function apiError(status: number, reason: string, message: string, request: { method: string; resource?: string; namespace?: string }): KubeApiError {
  return new KubeApiError(status, { reason, message, code: status }, request);
}

function notFound(ref: ResourceRef, namespace: string | undefined, name: string): KubeApiError {
  return apiError(404, 'NotFound', `${ref.plural} "${name}" not found`, { method: 'GET', resource: ref.plural, namespace });
}
