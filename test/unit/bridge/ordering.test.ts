import { describe, expect, it } from '@jest/globals';
import { OrderingScheduler, type OrderingMode } from '../../../adapters/bridge/ordering.js';

interface Item { id: string; key?: string }

function harness(mode: OrderingMode, concurrency: number) {
  const started: string[] = [];
  const running = new Map<string, Item>();
  const s = new OrderingScheduler<Item>(mode, concurrency, (item) => {
    started.push(item.id);
    running.set(item.id, item);
  });
  const submit = (...items: Item[]) => items.forEach((i) => s.submit(i, i.key));
  const finish = (id: string) => {
    const item = running.get(id);
    if (!item) throw new Error(`${id} is not running`);
    running.delete(id);
    s.complete(item);
  };
  return { s, started, submit, finish, running: () => [...running.keys()] };
}

const items = (spec: string) => spec.split(' ').map((t) => { const [id, key] = t.split(':'); return key ? { id: id!, key } : { id: id! }; });

describe('OrderingScheduler', () => {
  it('none: runs up to the concurrency in arrival order', () => {
    const h = harness('none', 2);
    h.submit(...items('a b c d'));
    expect(h.running()).toEqual(['a', 'b']);
    h.finish('b');
    expect(h.running()).toEqual(['a', 'c']);
    h.finish('a');
    h.finish('c');
    expect(h.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('strict: one at a time, in arrival order, whatever the concurrency', () => {
    const h = harness('strict', 8);
    h.submit(...items('a:x b:y c:x d'));
    expect(h.running()).toEqual(['a']);
    for (const id of ['a', 'b', 'c']) {
      h.finish(id);
      expect(h.running()).toHaveLength(1);
    }
    expect(h.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('key: one at a time per key, concurrent across keys, unkeyed messages independent', () => {
    const h = harness('key', 3);
    h.submit(...items('a1:a a2:a b1:b a3:a n1 n2'));
    expect(h.running()).toEqual(['a1', 'b1', 'n1']);
    h.finish('a1');
    expect(h.running()).toEqual(['b1', 'n1', 'a2']);
    h.finish('n1');
    expect(h.running()).toEqual(['b1', 'a2', 'n2']);
    h.finish('a2');
    expect(h.running()).toEqual(['b1', 'n2', 'a3']);
    expect(h.started.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
  });

  it('key: a slow key never holds back other keys beyond the concurrency', () => {
    const h = harness('key', 2);
    h.submit(...items('s1:slow s2:slow f1:f f2:f f3:f'));
    h.finish('f1');
    h.finish('f2');
    expect(h.running()).toEqual(['s1', 'f3']);
  });

  it('drain hands back everything not started, keeps what runs', () => {
    const h = harness('key', 2);
    h.submit(...items('a1:a a2:a b1:b c1:c'));
    const waiting = h.s.drain().map((i) => i.id);
    expect(waiting).toEqual(['a2', 'c1']);
    expect(h.s.size).toBe(2);
    h.finish('a1');
    h.finish('b1');
    expect(h.s.size).toBe(0);
    expect(h.started).toEqual(['a1', 'b1']);
  });

  it('none: drain hands back what waits in arrival order, and completing a handed-back item starts nothing', () => {
    const h = harness('none', 2);
    h.submit(...items('a b c d e'));
    expect(h.s.drain().map((i) => i.id)).toEqual(['c', 'd', 'e']);
    expect(h.s.size).toBe(2);
    h.s.complete({ id: 'c' });
    h.finish('a');
    expect(h.s.size).toBe(1);
    h.submit(...items('f g'));
    expect(h.running()).toEqual(['b', 'f']);
    expect(h.s.inFlight).toBe(2);
  });

  it('keeps per-key order under a random completion order', () => {
    const h = harness('key', 4);
    const all = Array.from({ length: 200 }, (_, i) => ({ id: String(i), key: `k${i % 7}` }));
    h.submit(...all);
    let seed = 42;
    while (h.running().length) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const r = h.running();
      h.finish(r[seed % r.length]!);
    }
    expect(h.started).toHaveLength(200);
    for (let k = 0; k < 7; k++) {
      const order = h.started.filter((id) => Number(id) % 7 === k).map(Number);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
  });
});
