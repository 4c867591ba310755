// Kubernetes Events on the custom resources (`kubectl describe function x` shows them): Normal
// for changes the controller made, Warning for errors. Repeats of the same event are folded
// into one Event whose count grows, patched at most once a minute, as client-go's recorder does,
// so a resource failing every few seconds does not flood etcd.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../process/logger.js';
import type { KubeObject, ObjectClient } from '../runtime/index.js';
import { EVENTS } from './kinds.js';

export type EventType = 'Normal' | 'Warning';

interface Seen {
  name: string;
  count: number;
  lastWrite: number;
}

const MAX_REMEMBERED = 4096;
const REPEAT_PATCH_MS = 60_000;
const FOLD_WINDOW_MS = 10 * 60_000;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly client: ObjectClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: Logger,
  ) {}

  /** Records an event; never throws (an event is worth less than the reconcile that sent it). */
  async record(obj: KubeObject, type: EventType, reason: string, message: string, signal?: AbortSignal): Promise<void> {
    const key = `${obj.metadata.uid}\u0000${type}\u0000${reason}\u0000${message}`;
    const now = Date.now();
    const seen = this.seen.get(key);
    try {
      if (seen && now - seen.lastWrite < FOLD_WINDOW_MS) {
        seen.count++;
        if (now - seen.lastWrite < REPEAT_PATCH_MS) return;
        seen.lastWrite = now;
        await this.client.mergePatch(EVENTS, obj.metadata.namespace, seen.name, { count: seen.count, lastTimestamp: iso(now) }, { signal });
        return;
      }
      const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
      await this.client.create(EVENTS, this.event(obj, name, type, reason, message, now), { signal });
      this.remember(key, { name, count: 1, lastWrite: now });
    } catch (err) {
      this.seen.delete(key);
      this.log.warn({ err: String(err), reason }, 'could not record event');
    }
  }

  private event(obj: KubeObject, name: string, type: EventType, reason: string, message: string, now: number): KubeObject & Record<string, unknown> {
    return {
      metadata: { name, namespace: obj.metadata.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      count: 1,
      firstTimestamp: iso(now),
      lastTimestamp: iso(now),
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
  }

  private remember(key: string, seen: Seen): void {
    if (this.seen.size >= MAX_REMEMBERED) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, seen);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
