import { describe, expect, it } from '@jest/globals';
import { linkSignals } from '../../../controller/runtime/signals.js';
import { sleep } from '../../../controller/runtime/backoff.js';

describe('linkSignals', () => {
  it('aborts with the source, or at the timeout, and detaches on dispose', async () => {
    const parent = new AbortController();
    const linked = linkSignals([parent.signal, undefined]);
    parent.abort(new Error('stop'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('stop');

    const timed = linkSignals([], 10);
    await sleep(30);
    expect((timed.signal.reason as Error).message).toBe('timed out after 10 ms');

    const other = new AbortController();
    const disposed = linkSignals([other.signal], 10);
    disposed.dispose();
    other.abort();
    await sleep(30);
    expect(disposed.signal.aborted).toBe(false);
  });

  it('sleep() ends early when its signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 10);
    await sleep(5000, abort.signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
