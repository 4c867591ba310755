// What rendering needs besides the resource: the controller's settings (default images, where the
// KEDA external scaler listens) and the data of the Pulsar ConfigMap the resource names, which
// the reconciler reads first so that rendering stays a pure function; so are the BackendConfigs.
import type { BackendConfigs } from './backend-config.js';

/** Pulsar version of the default runner images; matches the platform's Pulsar. */
export const DEFAULT_PULSAR_VERSION = '4.0.7';
const DEFAULT_BRIDGE_VERSION = '0.1.0';

export interface RenderSettings {
  /** Runner images used when `spec.image` is empty. */
  runnerImages: { java: string; python: string; go: string };
  /** Images of the generic runtimes, by `genericRuntime.language`. */
  genericRunnerImages: Record<string, string>;
  /** Pull policy of the runner container when `spec.imagePullPolicy` is unset (operator config). */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Pull secrets added to every pod after `pod.imagePullSecrets` (operator config). */
  runnerImagePullSecrets: { name: string }[];
  /** Labels and annotations of every pod, under the resource's own `pod.labels`/`pod.annotations` (operator config). */
  resourceLabels: Record<string, string>;
  resourceAnnotations: Record<string, string>;
  /** Init container image that downloads packages (has pulsarctl and wget). */
  downloaderImage: string;
  /** Image of the Pulsar ↔ CloudEvents bridge beside an HTTP function. */
  bridgeImage: string;
  /** host:port of the KEDA external scaler (gRPC), put in every trigger's `scalerAddress`. */
  scalerAddress: string;
  /** Value of `app.kubernetes.io/managed-by` on everything rendered. */
  managedBy: string;
  /** Add the preferred pod anti-affinity (replicas on different nodes) unless `pod.disableDefaultAffinity`. */
  defaultAffinity: boolean;
  /**
   * Whether the cluster serves KEDA's ScaledObject (asked at start). When it does not, what
   * would scale on KEDA gets upstream's CPU HPA instead.
   */
  kedaServed: boolean;
}

export interface RenderContext {
  settings: RenderSettings;
  /**
   * Data of the ConfigMap named by `spec.pulsar.pulsarConfig` (`webServiceURL`, `brokerServiceURL`),
   * or undefined when it does not exist (yet). Only the ScaledObject reads it: pods get it by envFrom.
   */
  pulsarConfig?: Readonly<Record<string, string>> | undefined;
  /** The global and the namespace's BackendConfig covering the resource (absent: none). */
  backendConfigs?: BackendConfigs | undefined;
}

/** The defaults, with the scaler addressed in the controller's own namespace. */
export function defaultRenderSettings(controllerNamespace = 'function-mesh', overrides: Partial<RenderSettings> = {}): RenderSettings {
  const runner = (lang: string) => `apachepulsar/pulsar-functions-${lang}-runner:${DEFAULT_PULSAR_VERSION}`;
  return {
    runnerImages: { java: runner('java'), python: runner('python'), go: runner('go') },
    genericRunnerImages: {
      nodejs: 'streamnative/pulsar-functions-generic-nodejs-runner:0.1.0',
      python: 'streamnative/pulsar-functions-generic-python-runner:0.1.0',
      // Upstream's base runner for the languages without their own image.
      executable: 'streamnative/pulsar-functions-generic-base-runner:0.1.0',
      wasm: 'streamnative/pulsar-functions-generic-base-runner:0.1.0',
    },
    runnerImagePullSecrets: [],
    resourceLabels: {},
    resourceAnnotations: {},
    downloaderImage: 'streamnative/pulsarctl:2.10.2.3',
    bridgeImage: `functionmesh-ts/bridge:${DEFAULT_BRIDGE_VERSION}`,
    scalerAddress: `functionmesh-scaler.${controllerNamespace}.svc:9090`,
    managedBy: 'function-mesh-ts',
    defaultAffinity: true,
    kedaServed: true,
    ...overrides,
  };
}
