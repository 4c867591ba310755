// Manifests the controller suites apply with kubectl: a Pulsar ConfigMap and small Functions.
import { randomBytes } from 'node:crypto';

export type Json = Record<string, unknown>;

export function pulsarConfigMap(name = 'pulsar', webServiceURL = 'http://pulsar.invalid:8080'): Json {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { webServiceURL, brokerServiceURL: 'pulsar://pulsar.invalid:6650' } };
}

/** A unique topic, so suites never share Pulsar state. */
export function topic(prefix: string): string {
  return `persistent://public/default/${prefix}-${randomBytes(4).toString('hex')}`;
}

export function javaFunction(name: string, spec: Json = {}): Json {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Function',
    metadata: { name },
    spec: {
      className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction',
      image: 'apachepulsar/pulsar-functions-java-sample:4.0.8',
      input: { topics: [`persistent://public/default/${name}-in`] },
      output: { topic: `persistent://public/default/${name}-out` },
      replicas: 1,
      pulsar: { pulsarConfig: 'pulsar' },
      java: { jar: '/pulsar/examples/api-examples.jar' },
      ...spec,
    },
  };
}

/** One kubectl input holding several objects. */
export function list(...items: Json[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}
