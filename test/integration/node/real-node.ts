// What the real-node suites share: the node's facts from the platform's env file, and pods that
// ask for the real node (its taint tolerated, its label selected) running the busybox test image.
import { readPlatformEnv } from '../../support/platform.js';
import { kubectl, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';

export interface RealNode {
  name: string;
  gateway: string;
  subnet: string;
  taint: string;
  testImage: string;
}

/** The real node of the platform, or an error that says how to start one. */
export function realNode(): RealNode {
  const env = readPlatformEnv();
  if (env.FM_REAL_NODE !== '1') {
    throw new Error(`the platform in ${env.FM_PLATFORM_DIR} has no real node: hack/local-down, then FM_REAL_NODE=1 hack/local-up (needs root)`);
  }
  return {
    name: env.FM_NODE_NAME!,
    gateway: env.FM_NODE_GATEWAY!,
    subnet: env.FM_NODE_SUBNET!,
    taint: env.FM_NODE_TAINT!,
    testImage: env.FM_NODE_TEST_IMAGE!,
  };
}

export interface Pod {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean; state: Record<string, unknown> }[] };
}

/** The scheduling a pod needs to land on the real node, and only there. */
export function onRealNode(node: RealNode): Record<string, unknown> {
  return {
    nodeSelector: { [node.taint]: 'true' },
    tolerations: [{ key: node.taint, operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
  };
}

/** A busybox pod on the real node running `script` under sh; resolves when it runs. */
export async function runPod(ns: string, name: string, script: string, extra: Record<string, unknown> = {}): Promise<Pod> {
  const node = realNode();
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      ...onRealNode(node),
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'main', image: node.testImage, imagePullPolicy: 'Never', command: ['/bin/sh', '-c', script] }],
      ...extra,
    },
  };
  await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  return waitFor(`pod ${ns}/${name} running`, async () => {
    const p = await kubectlJson<Pod>(['-n', ns, 'get', 'pod', name]);
    return p.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready) ? p : undefined;
  }, { timeoutMs: 90_000 });
}

/** `kubectl exec` in the pod's main container; resolves with the exit code, stdout and stderr. */
export function exec(ns: string, pod: string, command: string[]) {
  return kubectl(['-n', ns, 'exec', pod, '-c', 'main', '--', ...command]);
}
