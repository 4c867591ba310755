// Function Mesh's switches on a resource, honoured as its operator honours them:
// `compute.functionmesh.io/managed: "false"` hands the resource to someone else,
// `compute.functionmesh.io/pause-rollout: "true"` (or the --pause-rollout flag) holds back updates
// of existing children until the spec itself changes, and `compute.functionmesh.io/need-cleanup:
// "false"` or a `pulsar-cluster` label (a resource function-mesh-worker-service created) turns the
// subscription cleanup off whatever cleanupSubscription says.
import { MANAGED_ANNOTATION, PAUSE_ROLLOUT_ANNOTATION } from '../api/index.js';

interface Annotated {
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string>; generation?: number; deletionTimestamp?: unknown };
  status?: { observedGeneration?: number };
}

/** Only the exact value "false" unmanages (upstream's rule). */
export function isManaged(resource: Annotated): boolean {
  return resource.metadata.annotations?.[MANAGED_ANNOTATION] !== 'false';
}

/**
 * True when existing children must not be updated now: the rollout is paused (the annotation is
 * exactly "true", or the flag is on), the spec is one the controller already acted on
 * (observedGeneration, written by either operator, equals generation), and the resource is not
 * being deleted. Creating a missing child and deleting an unwanted one still happen.
 */
export function rolloutPaused(resource: Annotated, pauseAll: boolean): boolean {
  const paused = pauseAll || resource.metadata.annotations?.[PAUSE_ROLLOUT_ANNOTATION] === 'true';
  if (!paused || resource.metadata.deletionTimestamp) return false;
  const observed = resource.status?.observedGeneration;
  return observed !== undefined && observed === resource.metadata.generation;
}

const NEED_CLEANUP_ANNOTATION = 'compute.functionmesh.io/need-cleanup';
/** Set by function-mesh-worker-service, which cleans up after its resources itself. */
const WORKER_SERVICE_LABELS = ['compute.functionmesh.io/pulsar-cluster', 'pulsar-cluster'];

/** False when upstream would skip the subscription cleanup of this resource. */
export function cleanupAllowed(resource: Annotated): boolean {
  if (WORKER_SERVICE_LABELS.some((l) => resource.metadata.labels?.[l] !== undefined)) return false;
  return resource.metadata.annotations?.[NEED_CLEANUP_ANNOTATION] !== 'false';
}
