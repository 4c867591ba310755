// Errors the client raises: a broker's ServerError with its name, and the client-side conditions
// callers may want to tell apart (a closed connection, a timeout, a closed producer or consumer).
import { ServerError, serverErrorName } from './commands.js';

export class PulsarClientError extends Error {}

/** The broker refused a request: `code` is the ServerError, `serverError` its name. */
export class BrokerError extends PulsarClientError {
  readonly serverError: string;
  constructor(readonly code: number, message: string, what: string) {
    super(`${what}: ${serverErrorName(code)}: ${message}`);
    this.serverError = serverErrorName(code);
  }
}

export class ConnectionClosedError extends PulsarClientError {}
export class TimeoutError extends PulsarClientError {}
export class AlreadyClosedError extends PulsarClientError {}
/** A message the broker cannot store: larger, with its metadata, than its maxMessageSize. */
export class MessageTooLargeError extends PulsarClientError {}

/** Errors that a retry with a fresh lookup may fix (Java's retriable set, roughly). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof BrokerError) {
    return err.code === ServerError.ServiceNotReady || err.code === ServerError.TooManyRequests || err.code === ServerError.MetadataError
      || err.code === ServerError.PersistenceError || err.code === ServerError.UnknownError || err.code === ServerError.ProducerBusy
      || err.code === ServerError.ConsumerBusy;
  }
  return err instanceof ConnectionClosedError || err instanceof TimeoutError || isNetworkError(err);
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND)$/.test(code);
}
