// What rendering reports besides objects. An `error` means the object set is incomplete: the
// reconciler must not apply or prune on it (a running function stays as it is) and reports the
// problem in status. A `warning` means the objects are complete but a setting was ignored or
// adjusted, which the user should hear about.

export interface RenderProblem {
  severity: 'error' | 'warning';
  /** Path of the offending field in the resource, e.g. `spec.minReplicas`. */
  field: string;
  /** What is wrong and the fix. */
  message: string;
}

export class Problems {
  readonly list: RenderProblem[] = [];

  error(field: string, message: string): void {
    this.list.push({ severity: 'error', field, message });
  }

  warn(field: string, message: string): void {
    this.list.push({ severity: 'warning', field, message });
  }
}
