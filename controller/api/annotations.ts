// Annotations a user sets on a Function, Source or Sink to choose what the controller renders,
// where the upstream spec has no field for it.

/**
 * Which autoscaler scales the workload when it autoscales: `keda` (a ScaledObject on the Pulsar
 * backlog, able to scale to zero) or `hpa` (upstream's HorizontalPodAutoscaler on CPU/memory).
 * Unset: KEDA when the cluster serves it, as docs/rendering.md describes.
 */
export const AUTOSCALER_ANNOTATION = 'compute.functionmesh.io/autoscaler';

export const AUTOSCALER_CHOICES = ['keda', 'hpa'] as const;
export type AutoscalerChoice = (typeof AUTOSCALER_CHOICES)[number];

/**
 * Set by the controller on an HPA that scales in KEDA's place because the cluster does not serve
 * KEDA: what changed and how to get backlog scaling back. The Autoscaling condition repeats it.
 */
export const AUTOSCALER_FALLBACK_ANNOTATION = 'compute.functionmesh.io/autoscaler-fallback';

/**
 * `"false"`: the controller leaves the resource alone (no children, no status), as Function
 * Mesh's operator does; a deleted one still gets its finalizers released. Any other value or none: managed.
 */
export const MANAGED_ANNOTATION = 'compute.functionmesh.io/managed';

/**
 * `"true"`: children are rolled out only for a new spec (metadata.generation past
 * status.observedGeneration); a change of the controller's settings or version alone creates
 * missing children and deletes unwanted ones but updates none, as Function Mesh's operator does.
 * The `--pause-rollout` flag does the same for every resource.
 */
export const PAUSE_ROLLOUT_ANNOTATION = 'compute.functionmesh.io/pause-rollout';
