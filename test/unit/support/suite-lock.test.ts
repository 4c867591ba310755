// The suite lock that lets integration suites share the platform while some run alone.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acquireExclusive, acquireShared } from '../../support/suite-lock.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves to 'held' once `p` resolves, or 'waiting' if it has not within `ms`. */
const within = (p: Promise<unknown>, ms = 600) => Promise.race([p.then(() => 'held'), tick(ms).then(() => 'waiting')]);
/** A pid no process has (the kernel's pid_max is below this). */
const DEAD_PID = 2 ** 22 + 1;

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'suite-lock-test-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('suite lock', () => {
  it('lets shared holders in together', async () => {
    const a = await acquireShared(dir);
    expect(await within(acquireShared(dir))).toBe('held');
    a();
  });

  it('makes an exclusive holder wait for every shared holder, then lets it in', async () => {
    const a = await acquireShared(dir);
    const b = await acquireShared(dir);
    const exclusive = acquireExclusive(dir);
    expect(await within(exclusive)).toBe('waiting');
    a();
    expect(await within(exclusive)).toBe('waiting');
    b();
    expect(await within(exclusive)).toBe('held');
    (await exclusive)();
  });

  it('keeps shared holders that come after a waiting exclusive one out until it is done', async () => {
    const first = await acquireShared(dir);
    const exclusive = acquireExclusive(dir);
    await tick(300);
    const later = acquireShared(dir);
    first();
    const release = await exclusive;
    expect(await within(later)).toBe('waiting');
    release();
    expect(await within(later)).toBe('held');
    (await later)();
  });

  it('runs exclusive holders one at a time', async () => {
    const one = await acquireExclusive(dir);
    const two = acquireExclusive(dir);
    expect(await within(two)).toBe('waiting');
    one();
    expect(await within(two)).toBe('held');
    (await two)();
  });

  it('ignores and removes the entries of processes that died, or whose pid a new process got', async () => {
    (await acquireShared(dir))(); // creates the layout
    // This process's pid with another start time: a holder that died, its pid since reused.
    const stale = [['shared', `${DEAD_PID}.1-0`], ['shared', `${process.pid}.1-1`], ['waiting', `${DEAD_PID}.1-2`], ['waiting', `${DEAD_PID}-4`]];
    for (const [sub, name] of stale) writeFileSync(path.join(dir, sub!, name!), '');
    mkdirSync(path.join(dir, 'exclusive'));
    writeFileSync(path.join(dir, 'exclusive', `${process.pid}.1-3`), '');
    const shared = acquireShared(dir);
    expect(await within(shared)).toBe('held');
    (await shared)();
    const exclusive = acquireExclusive(dir);
    expect(await within(exclusive)).toBe('held');
    for (const sub of ['shared', 'waiting']) expect(readdirSync(path.join(dir, sub))).toEqual([]);
    (await exclusive)();
  });

  it('names what it waited for when it gives up', async () => {
    const release = await acquireShared(dir);
    await expect(acquireExclusive(dir, { timeoutMs: 300 })).rejects.toThrow('suite lock: gave up waiting for the suites running beside it to finish (1 left)');
    release();
    expect(await within(acquireShared(dir))).toBe('held'); // the one that gave up left nothing behind
  });
});
