// The ports of Pulsar's runner images, as Function Mesh opens them: the runners' command lines,
// the Go runtime's -instance-conf, the container, its probe and the Service all read them here.

/** The instance's gRPC control service (`tcp-grpc`). */
export const GRPC_PORT = 9093;
/** Prometheus metrics and the liveness probe (`http-metrics`). */
export const METRICS_PORT = 9094;
