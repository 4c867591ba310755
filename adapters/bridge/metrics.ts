// The bridge's Prometheus metrics, registered on the ops server's registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createBridgeMetrics(registry: Registry) {
  const registers = [registry];
  return {
    received: new Counter({ name: 'bridge_messages_received_total', help: 'Messages received from Pulsar (redeliveries included)', registers }),
    delivered: new Counter({ name: 'bridge_messages_delivered_total', help: 'Messages the function or sink accepted (2xx), output persisted', registers }),
    failed: new Counter({ name: 'bridge_delivery_failures_total', help: 'Failed delivery attempts, by verdict (retry or reject)', labelNames: ['verdict'], registers }),
    retried: new Counter({ name: 'bridge_messages_retried_total', help: 'Delivery retries scheduled', registers }),
    deadLettered: new Counter({ name: 'bridge_messages_dead_lettered_total', help: 'Messages written to the dead-letter topic', registers }),
    handedBack: new Counter({ name: 'bridge_messages_handed_back_total', help: 'Messages negatively acknowledged at shutdown for redelivery', registers }),
    replies: new Counter({ name: 'bridge_replies_produced_total', help: 'Reply events produced to the output topic', registers }),
    ingress: new Counter({ name: 'bridge_ingress_requests_total', help: 'Source-mode requests, by HTTP status', labelNames: ['code'], registers }),
    inFlight: new Gauge({ name: 'bridge_messages_in_flight', help: 'Messages received and not yet acknowledged', registers }),
    deliveryDuration: new Histogram({ name: 'bridge_delivery_duration_seconds', help: 'One HTTP delivery attempt to the function or sink', buckets: LATENCY_BUCKETS, registers }),
    processingDuration: new Histogram({ name: 'bridge_processing_duration_seconds', help: 'Receive to acknowledgement (retries and output included); source mode: request to receipt', buckets: LATENCY_BUCKETS, registers }),
  };
}
