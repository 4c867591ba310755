// The controller process: flags → ops server (/healthz, /readyz, /metrics) → manager with the
// reconcilers (leader-elected when several replicas run) → graceful shutdown on SIGTERM (stop
// the workers, release the Lease, close the watches).
import os from 'node:os';
import { createLogger } from '../process/logger.js';
import { startOpsServer } from '../process/ops-server.js';
import { onShutdown } from '../process/shutdown.js';
import { ConfigError, parseConfig, usage, type ControllerConfig } from './config.js';
import { defaultRenderSettings, renderChildren, type RenderSettings } from './render/index.js';
import { servedKinds } from './reconcile/discovery.js';
import { FIELD_MANAGER_NAME } from './reconcile/field-manager.js';
import { OPTIONAL_CHILD_KINDS, SCALED_OBJECTS } from './reconcile/kinds.js';
import { registerReconcilers } from './reconcile/register.js';
import { KubeClient, Manager } from './runtime/index.js';

export function renderSettings(config: ControllerConfig): RenderSettings {
  const base = defaultRenderSettings();
  const { java, python, go } = config.runnerImages;
  return {
    ...base,
    scalerAddress: config.scalerAddress,
    bridgeImage: config.bridgeImage ?? base.bridgeImage,
    defaultAffinity: config.defaultAffinity,
    runnerImages: { java: java ?? base.runnerImages.java, python: python ?? base.runnerImages.python, go: go ?? base.runnerImages.go },
  };
}

async function main(): Promise<void> {
  let config: ControllerConfig | 'help';
  try {
    config = parseConfig(process.argv.slice(2), process.env, os.hostname());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  if (config === 'help') {
    console.log(usage());
    return;
  }
  const log = createLogger('controller', config.logLevel);
  const ops = await startOpsServer({ port: config.opsPort });
  const client = KubeClient.fromEnvironment({ fieldManager: FIELD_MANAGER_NAME });
  log.info({ server: client.server, opsPort: ops.port, leaderElect: config.leaderElect, watchNamespace: config.watchNamespace ?? '(all)', workers: config.workers }, 'starting');

  const served = await servedKinds(client, OPTIONAL_CHILD_KINDS, log);
  const settings = { ...renderSettings(config), kedaServed: served.includes(SCALED_OBJECTS) };
  const manager = new Manager({
    client,
    log,
    registry: ops.registry,
    namespace: config.watchNamespace,
    leaderElection: config.leaderElect ? { namespace: config.leaseNamespace, name: config.leaseName, identity: `${config.instance}_${process.pid}` } : undefined,
  });
  registerReconcilers(manager, {
    client,
    log,
    render: renderChildren,
    settings,
    servedOptionalKinds: served,
    workers: config.workers,
    instance: config.instance,
  });
  ops.addReadinessCheck('controller', () => manager.notReadyReason());
  manager.start();

  onShutdown(log, [
    { name: 'ops server', run: () => ops.close() },
    { name: 'kube client', run: () => client.close() },
    { name: 'controller', run: () => manager.stop() },
  ]);
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', component: 'controller', msg: 'controller failed to start', err: String(err instanceof Error ? (err.stack ?? err.message) : err) }));
  process.exit(1);
});
