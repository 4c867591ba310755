// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: a candidate takes
// the Lease when it is free or its holder stopped renewing for leaseDuration (measured on OUR
// clock from when we last saw the record change, so clock skew between nodes does not matter);
// the leader renews every retryPeriod and, if it cannot renew within renewDeadline, considers
// itself deposed (its Lease may be taken soon) and calls onStoppedLeading at once. Writes use
// the Lease's resourceVersion, so two candidates cannot both win a round. On stop() the leader
// releases the Lease (empty holder), and a successor takes over at its next retry.
//
// After losing, the elector becomes a candidate again; the Manager stops its workers when
// leadership ends and starts fresh ones (re-queuing every object) if it is elected again.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../process/logger.js';
import { jittered, sleep } from './backoff.js';
import { ignoreNotFound } from './outcomes.js';
import { linkSignals } from './signals.js';
import type { KubeClient } from './kube-client.js';
import type { KubeObject, ResourceRef } from './resource.js';

export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases' };

export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectorOptions {
  client: KubeClient;
  /** Where the Lease lives: the controller's own namespace. */
  namespace: string;
  name: string;
  /** Unique per process; default `<POD_NAME or hostname>_<random>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  onStartedLeading?(): void;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
}

export function defaultIdentity(): string {
  return `${process.env.POD_NAME || os.hostname()}_${randomBytes(4).toString('hex')}`;
}

export class LeaderElector {
  readonly identity: string;
  private leading = false;
  private observedHolder: string | undefined;
  private known = false;
  /** The Lease as last read or written, and when (our clock) it last changed. */
  private observed: { lease: Lease; at: number } | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.identity = opts.identity ?? defaultIdentity();
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error(`leader election: leaseDurationMs (${this.leaseDurationMs}) must exceed renewDeadlineMs (${this.renewDeadlineMs})`);
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) {
      throw new Error(`leader election: renewDeadlineMs (${this.renewDeadlineMs}) must exceed 1.2 × retryPeriodMs (${this.retryPeriodMs})`);
    }
    if (this.leaseDurationMs % 1000 !== 0) throw new Error(`leader election: leaseDurationMs (${this.leaseDurationMs}) must be whole seconds`);
    this.log = opts.log.child({ lease: `${opts.namespace}/${opts.name}`, identity: this.identity });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the Lease ('' when released). */
  get leader(): string | undefined {
    return this.observedHolder;
  }

  /** True once the Lease has been read (or created) at least once: we know who leads. */
  get stateKnown(): boolean {
    return this.known;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops campaigning; the leader releases the Lease unless `release` is false (a crash, in tests). */
  async stop({ release = true } = {}): Promise<void> {
    this.abort.abort();
    await this.running;
    if (this.leading) {
      this.leading = false;
      this.opts.onStoppedLeading?.();
      if (release) await this.release();
    }
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      while (!signal.aborted && !(await this.tryAcquireOrRenew())) await sleep(jittered(this.retryPeriodMs, 1.2), signal);
      if (signal.aborted) return;
      this.leading = true;
      this.log.info('became leader');
      this.opts.onStartedLeading?.();

      // Counted from when a successful renewal was SENT: the Lease's clock started no later.
      let renewedAt = this.observed?.at ?? Date.now();
      while (!signal.aborted && Date.now() - renewedAt < this.renewDeadlineMs) {
        await sleep(Math.min(this.retryPeriodMs, this.renewDeadlineMs - (Date.now() - renewedAt)), signal);
        if (signal.aborted) return; // stop() ends leadership and releases
        const attemptAt = Date.now();
        if (await this.tryAcquireOrRenew()) renewedAt = attemptAt;
        else if (this.observedHolder !== this.identity) break; // someone else holds it now
      }
      // stop() during a renewal ends the attempt, not leadership: stop() releases the Lease.
      if (signal.aborted) return;
      this.leading = false;
      this.log.warn({ holder: this.observedHolder }, 'lost leadership');
      this.opts.onStoppedLeading?.();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name } = this.opts;
    const deadline = linkSignals([this.abort.signal], Math.max(1000, this.retryPeriodMs));
    const signal = deadline.signal;
    const now = Date.now();
    const spec = { holderIdentity: this.identity, leaseDurationSeconds: this.leaseDurationMs / 1000, renewTime: microTime(now) };
    try {
      const lease = await ignoreNotFound(client.get<Lease>(LEASES, namespace, name, { signal }));
      if (!lease) {
        const created = await client.create<Lease>(LEASES, { metadata: { name, namespace }, spec: { ...spec, acquireTime: spec.renewTime, leaseTransitions: 0 } }, { signal });
        this.observe(created, now);
        return true;
      }
      this.observe(lease, now);
      const holder = lease.spec?.holderIdentity ?? '';
      const expiresAt = this.observed!.at + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
      if (holder && holder !== this.identity && now < expiresAt) return false;
      const takeover = holder !== this.identity;
      const updated = await client.replace<Lease>(LEASES, {
        ...lease,
        spec: {
          ...lease.spec,
          ...spec,
          acquireTime: takeover ? spec.renewTime : lease.spec?.acquireTime,
          leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (takeover ? 1 : 0),
        },
      }, { signal });
      this.observe(updated, now);
      return true;
    } catch (err) {
      // A conflict means another candidate wrote first; anything else is retried the same way.
      if (!this.abort.signal.aborted) this.log.debug({ err: String(err) }, 'could not acquire or renew the lease');
      return false;
    } finally {
      deadline.dispose();
    }
  }

  // Releasing: an empty holder and a 1 s duration, so candidates take over at their next retry.
  private async release(): Promise<void> {
    const { client, namespace, name } = this.opts;
    try {
      const lease = await client.get<Lease>(LEASES, namespace, name, { signal: AbortSignal.timeout(5000) });
      if (lease.spec?.holderIdentity !== this.identity) return;
      const now = microTime(Date.now());
      await client.replace(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }, { signal: AbortSignal.timeout(5000) });
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn({ err: String(err) }, 'could not release the lease; a successor waits for it to expire');
    }
  }

  private observe(lease: Lease, now: number): void {
    const holder = lease.spec?.holderIdentity ?? '';
    if (lease.metadata.resourceVersion !== this.observed?.lease.metadata.resourceVersion) this.observed = { lease, at: now };
    this.known = true;
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.opts.onNewLeader?.(holder);
    }
  }
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
