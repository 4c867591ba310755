// The controller process: flags → ops server (/healthz, /readyz, /metrics) → manager with the
// reconcilers (leader-elected when several replicas run) → graceful shutdown on SIGTERM (stop
// the workers, release the Lease, close the watches).
import os from 'node:os';
import { createLogger } from '../process/logger.js';
import { startOpsServer } from '../process/ops-server.js';
import { onShutdown } from '../process/shutdown.js';
import { ConfigError, parseConfig, usage, type ControllerConfig } from './config.js';
import { watchOperatorConfig } from './operator-config-watch.js';
import { loadOperatorConfig, renderSettings } from './render-settings.js';
import { renderChildren, type RenderSettings } from './render/index.js';
import { servedKinds, watchServedKinds } from './reconcile/discovery.js';
import { FIELD_MANAGER_NAME } from './reconcile/field-manager.js';
import { BACKEND_CONFIGS, OPTIONAL_CHILD_KINDS, SCALED_OBJECTS } from './reconcile/kinds.js';
import { registerReconcilers } from './reconcile/register.js';
import { KubeClient, Manager } from './runtime/index.js';

async function main(): Promise<void> {
  let config: ControllerConfig | 'help';
  let operator: ReturnType<typeof loadOperatorConfig>;
  try {
    config = parseConfig(process.argv.slice(2), process.env, os.hostname());
    operator = loadOperatorConfig(config === 'help' ? undefined : config.configFile);
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
  // Without the BackendConfig CRD (an install that skipped it) none is watched or applied.
  const backendConfigsServed = (await servedKinds(client, [BACKEND_CONFIGS], undefined)).length > 0;
  if (!backendConfigsServed) log.warn('BackendConfig is not served by this cluster: none is applied; install manifests/crds and restart the controller to use them');
  let kedaServed = served.includes(SCALED_OBJECTS);
  let settings: RenderSettings = { ...renderSettings(config, operator.config), kedaServed };
  const manager = new Manager({
    client,
    log,
    registry: ops.registry,
    namespace: config.watchNamespace,
    leaderElection: config.leaderElect ? { namespace: config.leaseNamespace, name: config.leaseName, identity: `${config.instance}_${process.pid}` } : undefined,
  });
  const reconcilers = registerReconcilers(manager, {
    client,
    log,
    render: renderChildren,
    settings: () => settings,
    servedOptionalKinds: served,
    backendConfigs: backendConfigsServed ? config.backendConfigs : undefined,
    workers: config.workers,
    instance: config.instance,
    pauseRollout: config.pauseRollout,
  });
  ops.addReadinessCheck('controller', () => manager.notReadyReason());
  manager.start();
  const controllerConfig = config;
  const configWatch =
    controllerConfig.configFile &&
    watchOperatorConfig(controllerConfig.configFile, operator.text, (next) => {
      settings = { ...renderSettings(controllerConfig, next), kedaServed };
      reconcilers.requeueAll();
    }, log);

  // KEDA (or the VPA) installed later: watch it, and let KEDA take over from the fallback HPAs.
  const discovery = watchServedKinds({
    initial: served,
    check: (signal) => servedKinds(client, OPTIONAL_CHILD_KINDS, undefined, signal),
    intervalMs: config.discoveryIntervalSeconds * 1000,
    log,
    onServed: (added, now) => {
      kedaServed = now.includes(SCALED_OBJECTS);
      settings = { ...settings, kedaServed };
      reconcilers.serve(added);
    },
  });

  onShutdown(log, [
    { name: 'discovery', run: () => discovery.close() },
    { name: 'operator config watch', run: () => (configWatch ? configWatch.close() : undefined) },
    { name: 'ops server', run: () => ops.close() },
    { name: 'kube client', run: () => client.close() },
    { name: 'controller', run: () => manager.stop() },
  ]);
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', component: 'controller', msg: 'controller failed to start', err: String(err instanceof Error ? (err.stack ?? err.message) : err) }));
  process.exit(1);
});
