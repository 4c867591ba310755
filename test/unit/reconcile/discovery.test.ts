// The periodic discovery: a kind served later is handed over once; one that goes away is only logged.
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../process/logger.js';
import { watchServedKinds } from '../../../controller/reconcile/discovery.js';
import { SCALED_OBJECTS, VPAS } from '../../../controller/reconcile/kinds.js';
import type { ResourceRef } from '../../../controller/runtime/index.js';
import { waitFor } from '../../support/wait.js';

describe('watchServedKinds', () => {
  it('hands over each newly served kind once, with the whole served list', async () => {
    const answers: ResourceRef[][] = [[], [SCALED_OBJECTS], [SCALED_OBJECTS], [SCALED_OBJECTS, VPAS], [VPAS]];
    let asked = 0;
    const calls: { added: string[]; served: string[] }[] = [];
    const watch = watchServedKinds({
      initial: [],
      check: () => Promise.resolve(answers[Math.min(asked++, answers.length - 1)]!),
      intervalMs: 5,
      log: createLogger('discovery-test', 'silent'),
      onServed: (added, served) => calls.push({ added: added.map((r) => r.kind), served: served.map((r) => r.kind) }),
    });
    try {
      await waitFor('every answer asked', () => Promise.resolve(asked > answers.length ? true : undefined), { timeoutMs: 5_000, intervalMs: 5 });
    } finally {
      watch.close();
    }
    expect(calls).toEqual([
      { added: ['ScaledObject'], served: ['ScaledObject'] },
      { added: ['VerticalPodAutoscaler'], served: ['ScaledObject', 'VerticalPodAutoscaler'] },
    ]);
  });
});
