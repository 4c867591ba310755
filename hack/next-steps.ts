// What `npm start` prints once the samples are up: how to reach the cluster, and one command that
// wakes a sample from zero. The e2e suite runs these very commands against the platform.

export interface NextStepsInput {
  kubeconfig: string;
  kubectl: string;
  pulsarWebUrl: string;
  /** The sample to wake: its namespace, name, input topic (short form) and subscription. */
  fn: { namespace: string; name: string; input: string; subscription: string };
  /** Set when the platform is not in the default place: the produce command needs to find it. */
  platformDir?: string;
}

export interface NextSteps {
  text: string;
  /** Publishes one message to the sample's input topic (run from the repository). */
  produce: string;
  /** Clears the sample's backlog, for nodes whose pods run no process (kwok). */
  skipBacklog: string;
}

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function nextSteps({ kubeconfig, kubectl, pulsarWebUrl, fn, platformDir }: NextStepsInput): NextSteps {
  const produce = `${platformDir ? `FM_PLATFORM_DIR=${quote(platformDir)} ` : ''}npm run produce -- ${quote(fn.input)} hello`;
  const topicPath = fn.input.includes('://') ? fn.input.replace('://', '/') : `persistent/public/default/${fn.input}`;
  const skipBacklog = `curl -fsS -X POST ${quote(`${pulsarWebUrl}/admin/v2/${topicPath}/subscription/${encodeURIComponent(fn.subscription)}/skip_all`)}`;
  const text = [
    '',
    'The samples are up and scaled to zero. Next, in another terminal of this directory:',
    `  export KUBECONFIG=${quote(kubeconfig)}`,
    `  ${quote(kubectl)} -n ${fn.namespace} get function ${fn.name} -w   # watch its REPLICAS`,
    `  ${produce}   # ${fn.name} wakes from zero within about a second`,
    `Pods on kwok's fake nodes run no process, so nothing consumes the message; clear the backlog and`,
    `KEDA scales ${fn.name} back to zero after its cooldownPeriod:`,
    `  ${skipBacklog}`,
    '',
  ].join('\n');
  return { text, produce, skipBacklog };
}
