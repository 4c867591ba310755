// Leader election against one real Lease: exactly one of two candidates leads; the other takes
// over at once after a release, after the lease expires when the leader vanishes, and a leader
// whose Lease is taken stops leading.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../process/logger.js';
import { LEASES, LeaderElector, microTime, type Lease } from '../../../controller/runtime/leader-election.js';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
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
// "at once" stands apart from one after expiry even on a loaded machine.
const LEASE_MS = 3000;
const LONG_LEASE_MS = 20_000;
const RETRY_MS = 400;

function candidate(lease: string, identity: string, leaseDurationMs = LEASE_MS) {
  const transitions: string[] = [];
  const elector = new LeaderElector({
    client, namespace: ns, name: lease, identity, log,
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
      expect(takeoverMs).toBeLessThan(LONG_LEASE_MS / 4); // about one jittered retry (≤ 0.9 s), not a lease duration
      expect(follower.transitions).toEqual(['started']);
      const taken = await client.get<Lease>(LEASES, ns, 'release');
      expect(taken.spec?.holderIdentity).toBe(follower.elector.identity);
      expect(taken.spec?.leaseTransitions).toBe(1);
      log.warn({ takeoverMs }, 'takeover after release');
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
      await waitFor('b to see a', async () => b.elector.leader === 'a', { timeoutMs: 5000, intervalMs: 20 });
      const crashed = Date.now();
      await a.elector.stop({ release: false }); // as if the process died: no release
      await waitFor('b to lead', async () => b.elector.isLeader, { timeoutMs: 10_000, intervalMs: 20 });
      const takeoverMs = Date.now() - crashed;
      // b waits out the lease from a's last renewal (a retry period or so before it vanished),
      // where a released lease is taken within one retry.
      expect(takeoverMs).toBeGreaterThanOrEqual(LEASE_MS / 2);
      expect(takeoverMs).toBeLessThan(LEASE_MS + RETRY_MS * 2.2 + 3000); // + scheduling slack on a busy machine
      const lease = await client.get<Lease>(LEASES, ns, 'expiry');
      expect(lease.spec?.holderIdentity).toBe('b');
      expect(lease.spec?.leaseTransitions).toBe(1);
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
      expect(stepDownMs).toBeLessThan(RETRY_MS + 1500); // one renewal, plus slack for a busy machine
      log.warn({ stepDownMs }, 'step-down after the lease was taken');
      expect(a.transitions).toEqual(['started', 'stopped']);
      expect(a.elector.leader).toBe('intruder');
    } finally {
      await a.elector.stop();
    }
  });
});
