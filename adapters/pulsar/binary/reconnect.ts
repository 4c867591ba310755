// The reconnect loop producers and consumers share: after a broker closes them or a connection
// drops, look the topic up again and re-create, backing off (100 ms doubling to 30 s, jittered)
// between failures, until it works, the error is one a retry cannot fix, or the owner closes.
import { backoffDelay } from '../backoff.js';
import { BrokerError, isRetriable } from './errors.js';
import { ServerError } from './commands.js';

export interface ReconnectTarget {
  /** What the loop is for, in log lines and errors. */
  readonly description: string;
  /** False once the owner closed: the loop stops. */
  wantsConnection(): boolean;
  /** One attempt: look up, connect, re-create. */
  connectOnce(): Promise<void>;
  /** A retry cannot fix `err`: the owner fails what it holds. */
  giveUp(err: Error): void;
  /** The first creation failed: the owner is closed for good. */
  startFailed(): void;
}

const RECONNECT_POLICY = { initialMs: 100, maxMs: 30_000 };

/** Broker answers that make a retry pointless. */
export function isFatal(err: unknown): boolean {
  return err instanceof BrokerError && (
    err.code === ServerError.TopicTerminatedError || err.code === ServerError.AuthorizationError || err.code === ServerError.AuthenticationError
    || err.code === ServerError.IncompatibleSchema || err.code === ServerError.ProducerFenced || err.code === ServerError.NotAllowedError
    || err.code === ServerError.InvalidTopicName || err.code === ServerError.ProducerBlockedQuotaExceededError
  );
}

export class Reconnector {
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;

  constructor(private readonly target: ReconnectTarget) {}

  /** Starts the loop unless it is already running or waiting. */
  schedule(): void {
    if (this.running) {
      this.again = true; // a drop during an attempt: try again once it ends
      return;
    }
    if (this.timer || !this.target.wantsConnection()) return;
    this.attempt++;
    const delay = this.attempt === 1 ? 0 : backoffDelay(this.attempt - 1, RECONNECT_POLICY);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delay);
  }

  /** The first creation: retries what a retry can fix until `timeoutMs`, then fails for good. */
  async start(timeoutMs: number): Promise<void> {
    try {
      await connectFirstTime(() => this.target.connectOnce(), timeoutMs);
    } catch (err) {
      this.target.startFailed();
      throw err;
    }
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    if (!this.target.wantsConnection()) return;
    this.running = true;
    try {
      await this.target.connectOnce();
      this.attempt = 0;
    } catch (err) {
      if (isFatal(err)) {
        this.target.giveUp(err as Error);
        this.running = false;
        this.again = false;
        return;
      }
      this.again = true;
    }
    this.running = false;
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }
}

/**
 * The first creation of a producer or consumer: retries what a retry can fix until `timeoutMs`,
 * but not ProducerBusy/ConsumerBusy: at creation those mean the name or subscription is taken.
 */
export async function connectFirstTime(connectOnce: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await connectOnce();
      return;
    } catch (err) {
      const busy = err instanceof BrokerError && (err.code === ServerError.ProducerBusy || err.code === ServerError.ConsumerBusy);
      if (busy || !isRetriable(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
    }
  }
}
