// What KEDA sees when the scaler cannot answer: a gRPC status with a message that says why.
// Pulsar unreachable → UNAVAILABLE (KEDA counts the failure and applies the ScaledObject's
// fallback); bad metadata → INVALID_ARGUMENT naming the key. Never a made-up value.
import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { PulsarHttpError, PulsarUnavailableError } from '../adapters/pulsar/admin-client.js';
import { MetadataError } from './metadata.js';

export function toServiceError(err: unknown): ServiceError {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: codeOf(err), details: message, metadata: new Metadata() });
}

function codeOf(err: unknown): status {
  if (err instanceof MetadataError) return status.INVALID_ARGUMENT;
  if (err instanceof PulsarUnavailableError) return status.UNAVAILABLE;
  if (err instanceof PulsarHttpError) {
    if (err.status === 401) return status.UNAUTHENTICATED;
    if (err.status === 403) return status.PERMISSION_DENIED;
    if (err.status === 429 || err.status >= 500) return status.UNAVAILABLE;
    return status.FAILED_PRECONDITION;
  }
  return status.INTERNAL;
}
