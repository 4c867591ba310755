import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../process/logger.js';
import { LeaderElector, defaultIdentity, microTime } from '../../../controller/runtime/leader-election.js';
import type { KubeClient } from '../../../controller/runtime/kube-client.js';

const log = createLogger('leader-election-test', 'silent');
const client = {} as KubeClient; // never called: construction only

describe('LeaderElector options', () => {
  it('rejects timings that cannot work, naming the option', () => {
    expect(() => new LeaderElector({ client, namespace: 'ns', name: 'x', log, leaseDurationMs: 5000, renewDeadlineMs: 6000 }))
      .toThrow(/leaseDurationMs \(5000\) must exceed renewDeadlineMs \(6000\)/);
    expect(() => new LeaderElector({ client, namespace: 'ns', name: 'x', log, renewDeadlineMs: 2000, retryPeriodMs: 2000 }))
      .toThrow(/renewDeadlineMs \(2000\) must exceed 1.2 × retryPeriodMs \(2000\)/);
    expect(() => new LeaderElector({ client, namespace: 'ns', name: 'x', log, leaseDurationMs: 15_500 }))
      .toThrow(/leaseDurationMs \(15500\) must be whole seconds/);
  });

  it('defaults to 15 s / 10 s / 2 s and a unique identity per process', () => {
    // The timings show through the rules between them: each default meets a bound exactly.
    const make = (timings: { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number }) => () => new LeaderElector({ client, namespace: 'ns', name: 'x', log, ...timings });
    expect(make({ renewDeadlineMs: 15_000 })).toThrow('leaseDurationMs (15000) must exceed renewDeadlineMs (15000)');
    expect(make({ renewDeadlineMs: 14_999 })).not.toThrow();
    expect(make({ leaseDurationMs: 10_000 })).toThrow('leaseDurationMs (10000) must exceed renewDeadlineMs (10000)');
    expect(make({ leaseDurationMs: 11_000 })).not.toThrow();
    expect(make({ renewDeadlineMs: 2400 })).toThrow('renewDeadlineMs (2400) must exceed 1.2 × retryPeriodMs (2000)');
    expect(make({ renewDeadlineMs: 2401 })).not.toThrow();
    const elector = new LeaderElector({ client, namespace: 'ns', name: 'x', log });
    expect(elector.identity).toMatch(/^.+_[0-9a-f]{8}$/);
    expect(defaultIdentity()).not.toBe(defaultIdentity());
    expect(elector.isLeader).toBe(false);
    expect(elector.stateKnown).toBe(false);
  });
});

describe('microTime', () => {
  it('formats Kubernetes MicroTime with six fractional digits', () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 67))).toBe('2026-01-02T03:04:05.067000Z');
  });
});
