// The reflector's loop against a scripted list/watch source: the 410 Gone path cannot be
// provoked on demand on a real apiserver (it needs etcd compaction past our version), so it is
// exercised here; the normal path runs against the real apiserver in test/integration/runtime.
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../process/logger.js';
import { Informer } from '../../../controller/runtime/informer.js';
import { KubeApiError } from '../../../controller/runtime/kube-error.js';
import type { ObjectList, WatchEvent } from '../../../controller/runtime/kube-client.js';
import type { ListWatchSource, RelistReason, WatchEndReason } from '../../../controller/runtime/reflector.js';
import type { KubeObject } from '../../../controller/runtime/resource.js';

const log = createLogger('reflector-test', 'silent');
const cm = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv } });
const bookmark = (rv: string): WatchEvent => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: rv } } });
const gone = () => new KubeApiError(410, { reason: 'Expired', message: 'too old resource version: 10 (30)', code: 410 }, { method: 'WATCH' });

type WatchScript = { events: WatchEvent[]; then: 'close' | 'hang' | Error };
type ListScript = ObjectList | Error;

/** A source that plays scripted lists and watches, and records how it was called. */
class ScriptedSource implements ListWatchSource {
  readonly listCalls: { limit?: number; continue?: string }[] = [];
  readonly watchFrom: string[] = [];
  constructor(
    private readonly lists: ListScript[],
    private readonly watches: WatchScript[],
  ) {}

  async list(opts: { limit?: number; continue?: string }): Promise<ObjectList> {
    this.listCalls.push({ limit: opts.limit, continue: opts.continue });
    const next = this.lists.shift();
    if (!next) throw new Error('unexpected list');
    if (next instanceof Error) throw next;
    return next;
  }

  async *watch(opts: { resourceVersion: string; signal: AbortSignal }): AsyncIterable<WatchEvent> {
    this.watchFrom.push(opts.resourceVersion);
    const script = this.watches.shift() ?? { events: [], then: 'hang' };
    for (const event of script.events) yield event;
    if (script.then instanceof Error) throw script.then;
    if (script.then === 'hang') await new Promise((resolve) => opts.signal.addEventListener('abort', resolve, { once: true }));
  }
}

function run(source: ScriptedSource) {
  const relists: RelistReason[] = [];
  const watchEnds: WatchEndReason[] = [];
  const events: string[] = [];
  const informer = new Informer(source, {
    name: 'configmaps',
    log,
    backoff: { initialMs: 1, maxMs: 5 },
    watchTimeoutSeconds: () => 0, // every clean close counts as a timely one
    onRelist: (r) => relists.push(r),
    onWatchEnd: (r) => watchEnds.push(r),
  });
  informer.addHandler({
    add: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (old, o) => events.push(`update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
    delete: (o) => events.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
  });
  informer.start();
  return { informer, relists, watchEnds, events };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('Reflector', () => {
  it('re-lists after 410 Gone and resumes watching from the new list, diffing the cache', async () => {
    const source = new ScriptedSource(
      [
        { items: [cm('a', '1'), cm('old', '2')], metadata: { resourceVersion: '10' } },
        { items: [cm('a', '20'), cm('b', '21')], metadata: { resourceVersion: '25' } },
      ],
      [
        { events: [{ type: 'MODIFIED', object: cm('a', '11') }, bookmark('15')], then: gone() },
        { events: [{ type: 'DELETED', object: cm('a', '26') }], then: 'hang' },
      ],
    );
    const { informer, relists, watchEnds, events } = run(source);
    await until(() => events.includes('delete a@26'));
    await informer.stop();

    expect(relists).toEqual(['initial', 'expired']);
    expect(watchEnds).toEqual(['expired']);
    expect(source.watchFrom).toEqual(['10', '25']);
    expect(events).toEqual(['add a@1', 'add old@2', 'update a@1->11', 'add b@21', 'update a@11->20', 'delete old@2', 'delete a@26']);
    expect(informer.store.keys()).toEqual(['ns/b']);
    expect(informer.resourceVersion).toBe('26');
    expect(informer.hasSynced).toBe(true);
  });

  it('restarts a watch the server closed from the newest version (bookmarks included), without re-listing', async () => {
    const source = new ScriptedSource(
      [{ items: [], metadata: { resourceVersion: '5' } }],
      [
        { events: [{ type: 'ADDED', object: cm('a', '6') }], then: 'close' },
        { events: [bookmark('9')], then: 'close' },
        { events: [{ type: 'MODIFIED', object: cm('a', '12') }], then: 'hang' },
      ],
    );
    const { informer, relists, watchEnds, events } = run(source);
    await until(() => events.length === 2);
    await informer.stop();

    expect(source.watchFrom).toEqual(['5', '6', '9']);
    expect(relists).toEqual(['initial']);
    expect(watchEnds).toEqual(['timeout', 'timeout']);
    expect(events).toEqual(['add a@6', 'update a@6->12']);
  });

  it('backs off after a watch error and watches again from the same version', async () => {
    const source = new ScriptedSource(
      [{ items: [cm('a', '3')], metadata: { resourceVersion: '7' } }],
      [
        { events: [], then: new Error('socket hang up') },
        { events: [], then: new Error('ECONNREFUSED') },
        { events: [{ type: 'ADDED', object: cm('b', '8') }], then: 'hang' },
      ],
    );
    const { informer, relists, watchEnds, events } = run(source);
    await until(() => events.includes('add b@8'));
    await informer.stop();

    expect(source.watchFrom).toEqual(['7', '7', '7']);
    expect(relists).toEqual(['initial']);
    expect(watchEnds).toEqual(['error', 'error']);
  });

  it('retries a failed list, and is not synced until one succeeds', async () => {
    const source = new ScriptedSource(
      [new Error('connect ECONNREFUSED'), { items: [cm('a', '1')], metadata: { resourceVersion: '2' } }],
      [{ events: [], then: 'hang' }],
    );
    const { informer, relists } = run(source);
    expect(informer.hasSynced).toBe(false);
    expect(await informer.waitForSync(undefined, 2)).toBe(true);
    await informer.stop();
    expect(relists).toEqual(['initial', 'error']);
    expect(informer.store.keys()).toEqual(['ns/a']);
  });

  it('pages through a list, and lists unpaged when the snapshot expires between pages', async () => {
    const source = new ScriptedSource(
      [
        { items: [cm('a', '1')], metadata: { resourceVersion: '4', continue: 'page2' } },
        { items: [cm('b', '2')], metadata: { resourceVersion: '4', continue: 'page3' } },
        gone(),
        { items: [cm('a', '1'), cm('b', '2'), cm('c', '3')], metadata: { resourceVersion: '9' } },
      ],
      [{ events: [], then: 'hang' }],
    );
    const { informer } = run(source);
    await informer.waitForSync(undefined, 2);
    await until(() => source.watchFrom.length === 1);
    await informer.stop();

    expect(source.listCalls).toEqual([
      { limit: 500, continue: undefined },
      { limit: 500, continue: 'page2' },
      { limit: 500, continue: 'page3' },
      { limit: undefined, continue: undefined },
    ]);
    expect(informer.store.keys().sort()).toEqual(['ns/a', 'ns/b', 'ns/c']);
    expect(source.watchFrom).toEqual(['9']);
  });

  it('keeps handlers isolated: a throwing handler does not stop the others or the loop', async () => {
    const source = new ScriptedSource(
      [{ items: [], metadata: { resourceVersion: '1' } }],
      [{ events: [{ type: 'ADDED', object: cm('a', '2') }, { type: 'ADDED', object: cm('b', '3') }], then: 'hang' }],
    );
    const { informer, events } = run(source);
    informer.addHandler({ add: () => { throw new Error('boom'); } });
    await until(() => events.length === 2);
    await informer.stop();
    expect(events).toEqual(['add a@2', 'add b@3']);
  });
});
