// What values change in `helm template`: the settings users turn, and the errors for bad ones.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../controller/config.js';
import { parseScalerFlags } from '../../../scaler/config.js';
import { chartDir, helm, helmBinary, renderChart, type KubeObject } from './helm.js';

type PodSpec = { containers: { args: string[]; image: string }[]; imagePullSecrets?: { name: string }[]; nodeSelector?: Record<string, string> };

function deployment(objects: KubeObject[], name: string): { spec: { replicas: number; template: { spec: PodSpec } } } {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!d) throw new Error(`no Deployment ${name} rendered`);
  return d as unknown as { spec: { replicas: number; template: { spec: PodSpec } } };
}

describe('helm template of charts/function-mesh-ts', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'fm-helm-'));
    helmBinary(); // built here on a cold cache, under this hook's timeout rather than a test's
  }, 1_800_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('follows the release namespace, into the scaler address the controller writes into ScaledObjects', async () => {
    const objects = await renderChart(home, 'fm-other');
    expect(deployment(objects, 'functionmesh-controller').spec.template.spec.containers[0]!.args)
      .toContain('--scaler-address=functionmesh-scaler.fm-other.svc:9090');
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding') as unknown as { subjects: { namespace: string }[] };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'functionmesh-controller', namespace: 'fm-other' }]);
  });

  it('passes upstream-named settings to the controller and the scaler', async () => {
    const objects = await renderChart(home, 'functionmesh-system', [
      '--set', 'operatorImage=registry.example/fm/controller:1.2.3',
      '--set', 'imagePullSecrets[0].name=regcred',
      '--set', 'controllerManager.addDefaultAffinity=false',
      '--set', 'controllerManager.runnerImages.java=registry.example/java-runner:4.0',
      '--set', 'controllerManager.nodeSelector.pool=system',
      '--set', 'scaler.pulsar.adminUrl=http://pulsar.example:8080',
      '--set', 'keda.scalerAddress=scaler.elsewhere.svc:9443',
    ]);
    const controller = deployment(objects, 'functionmesh-controller').spec.template.spec;
    expect(controller.containers[0]!.image).toBe('registry.example/fm/controller:1.2.3');
    expect(controller.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(controller.nodeSelector).toEqual({ pool: 'system' });
    expect(controller.containers[0]!.args).toEqual([
      '--leader-elect=true', '--ops-port=8080', '--scaler-address=scaler.elsewhere.svc:9443',
      '--default-affinity=false', '--java-runner-image=registry.example/java-runner:4.0',
    ]);
    const scaler = deployment(objects, 'functionmesh-scaler').spec.template.spec;
    expect(scaler.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(scaler.containers[0]!.args).toEqual(['--port=9090', '--ops-port=8081', '--admin-url=http://pulsar.example:8080']);
  });

  // The chart writes flags; the controller's and the scaler's own parsers must take every one.
  it('writes only flags the controller and the scaler accept, with the values set', async () => {
    const objects = await renderChart(home, 'functionmesh-system', [
      '--set', 'controllerManager.enableLeaderElection=false', '--set', 'controllerManager.addDefaultAffinity=false',
      '--set', 'controllerManager.watchNamespace=team-a', '--set', 'controllerManager.workers=4',
      '--set', 'controllerManager.pauseRollout=true', '--set', 'controllerManager.discoveryInterval=60', '--set', 'controllerManager.downloaderImage=d:1',
      '--set', 'controllerManager.bridgeImage=b:1', '--set', 'controllerManager.runnerImages.java=j:1',
      '--set', 'controllerManager.runnerImages.python=p:1', '--set', 'controllerManager.runnerImages.go=g:1',
      '--set', 'scaler.pulsar.adminUrl=https://pulsar:8443', '--set', 'scaler.backlogSource=stats',
      '--set', 'scaler.pulsar.tokenSecret.name=pulsar-token', '--set', 'scaler.grpcPort=9443',
    ]);
    const controllerArgs = deployment(objects, 'functionmesh-controller').spec.template.spec.containers[0]!.args;
    expect(parseConfig(controllerArgs, {}, 'host')).toMatchObject({
      leaderElect: false, defaultAffinity: false, watchNamespace: 'team-a', workers: 4, bridgeImage: 'b:1',
      pauseRollout: true, discoveryIntervalSeconds: 60, downloaderImage: 'd:1',
      runnerImages: { java: 'j:1', python: 'p:1', go: 'g:1' }, scalerAddress: 'functionmesh-scaler.functionmesh-system.svc:9443',
    });
    const scalerArgs = deployment(objects, 'functionmesh-scaler').spec.template.spec.containers[0]!.args;
    expect(parseScalerFlags(scalerArgs, {})).toMatchObject({
      port: 9443, 'admin-url': 'https://pulsar:8443', 'backlog-source': 'stats', 'token-file': '/var/run/secrets/pulsar/token',
    });
  });

  it('passes the BackendConfig names as upstream, an empty one as none (off)', async () => {
    const parsed = async (set: string[]) => parseConfig(deployment(await renderChart(home, 'functionmesh-system', set), 'functionmesh-controller').spec.template.spec.containers[0]!.args, {}, 'host');
    expect(await parsed([])).toMatchObject({ backendConfigs: { global: { namespace: 'default', name: 'global-backend-config' }, namespacedName: 'backend-config' } });
    expect(await parsed(['--set', 'controllerManager.globalBackendConfig=cluster', '--set', 'controllerManager.globalBackendConfigNamespace=ops', '--set', 'controllerManager.namespacedBackendConfig=']))
      .toMatchObject({ backendConfigs: { global: { namespace: 'ops', name: 'cluster' }, namespacedName: undefined } });
    expect(await parsed(['--set', 'controllerManager.globalBackendConfig=', '--set', 'controllerManager.namespacedBackendConfig=team']))
      .toMatchObject({ backendConfigs: { global: undefined, namespacedName: 'team' } });
  });

  it('with rbac.create=false renders no account, role or binding', async () => {
    const kinds = (await renderChart(home, 'functionmesh-system', ['--set', 'rbac.create=false'])).map((o) => o.kind);
    expect(kinds.filter((k) => /ServiceAccount|Role/.test(k))).toEqual([]);
    expect(kinds).toContain('Deployment');
  });

  // values.schema.json: a mistyped value, or one of Function Mesh's chart with no counterpart here,
  // fails by its path instead of rendering something else than asked for.
  it.each([
    [['controllerManager.runnerImages.rust=img'], "at '/controllerManager/runnerImages': additional properties 'rust' not allowed"],
    [['controllerManager.pprof.enable=true'], "at '/controllerManager': additional properties 'pprof' not allowed"],
    [['admissionWebhook.enabled=true'], "at '': additional properties 'admissionWebhook' not allowed"],
    [['controllerManager.replicas=two'], "at '/controllerManager/replicas': got string, want integer"],
    [['scaler.backlogSource=guess'], "at '/scaler/backlogSource'"],
    [['keda.scalerAddress=http://scaler:9090'], "at '/keda/scalerAddress'"],
  ])('rejects %j, naming the value', async (sets, message) => {
    const r = await helm(['template', 'x', chartDir, ...sets.flatMap((s) => ['--set', s])], { home });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});
