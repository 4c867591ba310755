// An error from the apiserver: the HTTP status, the Status `reason` (NotFound, Conflict,
// Expired, ...) and the apiserver's own message, with the request that failed, so a reconciler
// can report "configmaps "x" not found (GET namespace "y")" as it is.

export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { field?: string; message?: string; reason?: string }[] };
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** HTTP status code (410 for an expired watch, whether sent as a status or a watch ERROR event). */
  readonly status: number;
  /** The apiserver's machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Expired`. */
  readonly reason: string | undefined;
  /** The apiserver's human message, e.g. `configmaps "x" not found`. */
  readonly apiMessage: string;
  readonly details: ApiStatus['details'];

  constructor(status: number, apiStatus: ApiStatus, request: { method: string; resource?: string; namespace?: string; name?: string }) {
    const apiMessage = apiStatus.message ?? `HTTP ${status}`;
    const where = [request.namespace && `namespace "${request.namespace}"`, request.resource && `resource ${request.resource}`]
      .filter(Boolean)
      .join(', ');
    super(`${apiMessage} (${request.method}${where ? ` ${where}` : ''}; ${status}${apiStatus.reason ? ` ${apiStatus.reason}` : ''})`);
    this.status = status;
    this.reason = apiStatus.reason;
    this.apiMessage = apiMessage;
    this.details = apiStatus.details;
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof KubeApiError ? err.status : undefined;
}

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;
/** 403: RBAC refused the request (the fix is a grant, not a retry). */
export const isForbidden = (err: unknown): boolean => statusOf(err) === 403;
export const isConflict = (err: unknown): boolean => statusOf(err) === 409 && (err as KubeApiError).reason !== 'AlreadyExists';
export const isAlreadyExists = (err: unknown): boolean => statusOf(err) === 409 && (err as KubeApiError).reason === 'AlreadyExists';
/** 410 Gone: the resourceVersion a watch or a list continuation asked for was compacted away. */
export const isGone = (err: unknown): boolean => statusOf(err) === 410;
