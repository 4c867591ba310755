// Leader election against one real Lease: exactly one of two candidates leads; the other takes
// over at once after a release, after the lease expires when the leader vanishes, and a leader
// whose Lease is taken stops leading.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../process/logger.js';
import { LEASES, LeaderElector, microTime, type Lease } from '../../../controller/runtime/leader-election.js';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import type { KubeClient } from '../../../controller/runtime/kube-client.js';
import { testClient } from './test-client.js';

const log = createLogger('leader-election-test', 'warn');
const client = testClient();
let ns: string;
beforeAll(async () => { ns = await createTestNamespace('rt-leader'); });
afterAll(async () => {
  await deleteNamespace(ns);
  client.close();
});

// Short leases keep the expiry test quick; the release test uses long ones, so that a takeover
// "at once" stands apart from one after expiry even on a loaded machine. Bounds that tell "at
// once" from "after expiry" sit halfway between the two: on 2 cores beside other suites, one
// apiserver call can take a second or more.
const LEASE_MS = 3000;
const LONG_LEASE_MS = 20_000;
const RETRY_MS = 400;

function candidate(lease: string, identity: string, leaseDurationMs = LEASE_MS, kube: KubeClient = client) {
  const transitions: string[] = [];
  const elector = new LeaderElector({
    client: kube, namespace: ns, name: lease, identity, log,
    leaseDurationMs, renewDeadlineMs: leaseDurationMs - 1000, retryPeriodMs: RETRY_MS,
    onStartedLeading: () => transitions.push('started'),
    onStoppedLeading: () => transitions.push('stopped'),
  });
  return { elector, transitions };
}

async function soleLeader(...electors: LeaderElector[]): Promise<LeaderElector> {
  return waitFor('one leader', async () => {
    const leading = electors.filter((e) => e.isLeader);
    return leading.length === 1 ? leading[0] : undefined;
  }, { timeoutMs: 10_000, intervalMs: 50 });
}

describe('LeaderElector', () => {
  it('elects exactly one of two candidates; the other takes over at once after a release', async () => {
    const a = candidate('release', 'a', LONG_LEASE_MS);
    const b = candidate('release', 'b', LONG_LEASE_MS);
    a.elector.start();
    b.elector.start();
    try {
      const leader = await soleLeader(a.elector, b.elector);
      const follower = leader === a.elector ? b : a;
      // Leadership is stable over several renewals, and both agree on who leads.
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
      }
      expect(follower.elector.leader).toBe(leader.identity);
      expect(follower.elector.stateKnown).toBe(true);
      const held = await client.get<Lease>(LEASES, ns, 'release');
      expect(held.spec?.holderIdentity).toBe(leader.identity);
      expect(held.spec?.leaseDurationSeconds).toBe(20);

      const released = Date.now();
      await leader.stop();
      // The wait outlasts the lease, so a takeover only after expiry fails the bound below, not the wait.
      await waitFor('the follower to lead', async () => follower.elector.isLeader, { timeoutMs: LONG_LEASE_MS + 5000, intervalMs: 20 });
      const takeoverMs = Date.now() - released;
      // About one jittered retry (≤ 0.9 s) plus the calls; after expiry it would be ≥ 19.5 s.
      expect(takeoverMs).toBeLessThan(LONG_LEASE_MS / 2);
      expect(follower.transitions).toEqual(['started']);
      const taken = await client.get<Lease>(LEASES, ns, 'release');
      expect(taken.spec?.holderIdentity).toBe(follower.elector.identity);
      expect(taken.spec?.leaseTransitions).toBe(1);
      log.warn({ takeoverMs }, 'takeover after release');
    } finally {
      await Promise.all([a.elector.stop(), b.elector.stop()]);
    }
  });

  it('releases the lease when stopped while a renewal is in flight', async () => {
    // The leader's renewals are held back a while before they go out, so that stop() lands while
    // one is pending (seen in CI: it then logged "lost leadership" and left the lease to expire).
    const pending = { count: 0 };
    const slow = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'replace') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<KubeClient['replace']>) => {
          pending.count++;
          try {
            await new Promise((resolve) => setTimeout(resolve, 300));
            return await target.replace(...args);
          } finally {
            pending.count--;
          }
        };
      },
    });
    const a = candidate('in-flight', 'a', LONG_LEASE_MS, slow);
    const b = candidate('in-flight', 'b', LONG_LEASE_MS);
    a.elector.start();
    try {
      await waitFor('a to lead', async () => a.elector.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
      b.elector.start();
      await waitFor('b to see a', async () => b.elector.leader === 'a', { timeoutMs: 10_000, intervalMs: 20 });
      await waitFor('a renewal in flight', async () => pending.count > 0, { timeoutMs: 10_000, intervalMs: 5 });
      const stopped = Date.now();
      await a.elector.stop();
      expect(a.transitions).toEqual(['started', 'stopped']);
      await waitFor('b to lead', async () => b.elector.isLeader, { timeoutMs: LONG_LEASE_MS + 5000, intervalMs: 20 });
      // Released: b takes it at its next retry; left to expire, it would wait out the 20 s lease.
      expect(Date.now() - stopped).toBeLessThan(LONG_LEASE_MS / 2);
    } finally {
      await Promise.all([a.elector.stop(), b.elector.stop()]);
    }
  });

  it('takes over a lease whose holder vanished once it expires, not before', async () => {
    const a = candidate('expiry', 'a');
    a.elector.start();
    await waitFor('a to lead', async () => a.elector.isLeader, { timeoutMs: 5000, intervalMs: 20 });
    const b = candidate('expiry', 'b');
    b.elector.start();
    try {
      await waitFor('b to see a', async () => b.elector.leader === 'a', { timeoutMs: 10_000, intervalMs: 20 });
      await a.elector.stop({ release: false }); // as if the process died: no release
      // Measured on the Lease, from a's last renewal to b's acquisition (both stamped by the
      // candidates as they sent them), not from the stop: on a loaded machine a's last successful
      // renewal may lie well before it vanished.
      const renewed = await client.get<Lease>(LEASES, ns, 'expiry');
      expect(renewed.spec?.holderIdentity).toBe('a');
      await waitFor('b to lead', async () => b.elector.isLeader, { timeoutMs: 30_000, intervalMs: 20 });
      const lease = await client.get<Lease>(LEASES, ns, 'expiry');
      expect(lease.spec?.holderIdentity).toBe('b');
      expect(lease.spec?.leaseTransitions).toBe(1);
      const takeoverMs = Date.parse(lease.spec!.acquireTime!) - Date.parse(renewed.spec!.renewTime!);
      // b counts the lease from the attempt in which it first read that renewal, which began at
      // most one attempt (capped at 1 s) before the renewal was written: so at least LEASE_MS - 1 s
      // after it, where a released lease is taken within one retry.
      expect(takeoverMs).toBeGreaterThanOrEqual(LEASE_MS - 1000);
      expect(takeoverMs).toBeLessThan(LEASE_MS * 3);
      log.warn({ takeoverMs }, 'takeover after expiry');
    } finally {
      await b.elector.stop();
    }
  });

  it('stops leading at once when another holder takes the lease', async () => {
    // A long lease: "at once" is the next renewal (one retry period), well apart from the
    // renew deadline (19 s) at which a leader that ignored the new holder would give up.
    const a = candidate('stolen', 'a', LONG_LEASE_MS);
    a.elector.start();
    try {
      await waitFor('a to lead', async () => a.elector.isLeader, { timeoutMs: 5000, intervalMs: 20 });
      const lease = await client.get<Lease>(LEASES, ns, 'stolen');
      const now = microTime(Date.now());
      await client.replace(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 60, renewTime: now, acquireTime: now } });
      const stolen = Date.now();
      await waitFor('a to step down', async () => !a.elector.isLeader, { timeoutMs: LONG_LEASE_MS + 5000, intervalMs: 20 });
      const stepDownMs = Date.now() - stolen;
      // One renewal (a retry period and its calls); ignoring the new holder it would be ≥ 19 s.
      expect(stepDownMs).toBeLessThan(LONG_LEASE_MS / 2);
      log.warn({ stepDownMs }, 'step-down after the lease was taken');
      expect(a.transitions).toEqual(['started', 'stopped']);
      expect(a.elector.leader).toBe('intruder');
    } finally {
      await a.elector.stop();
    }
  });
});
