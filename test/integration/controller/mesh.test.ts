// A FunctionMesh's members become `<mesh>-<name>` resources owned by the mesh: added, updated in
// place and removed with the spec; status lists each child's readiness and the topic graph; a
// spec with duplicate member names is refused whole.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectl, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { condition, getObject, listObjects, startController, waitForReady, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap, type Json } from './manifests.js';

let ns: string;
let controller: RunningController;
beforeEach(async () => {
  ns = await createTestNamespace('ctl-mesh');
  controller = await startController(ns);
});
afterEach(async () => {
  await controller.stop();
  await deleteNamespace(ns);
});

const member = (name: string, input: string, output?: string, extra: Json = {}) => ({
  ...(javaFunction(name).spec as Json),
  name,
  input: { topics: [`persistent://public/default/${input}`] },
  ...(output ? { output: { topic: `persistent://public/default/${output}` } } : { output: undefined }),
  ...extra,
});
const sink = (name: string, input: string) => ({
  name,
  className: 'org.apache.pulsar.io.elasticsearch.ElasticSearchSink',
  image: 'streamnative/pulsar-io-elastic-search:2.10.0.0-rc10',
  input: { topics: [`persistent://public/default/${input}`] },
  java: { jar: 'connectors/pulsar-io-elastic-search.nar' },
  pulsar: { pulsarConfig: 'pulsar' },
  replicas: 1,
});
const mesh = (spec: Json) => ({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh', metadata: { name: 'pipe' }, spec });
const apply = (...items: Json[]) => kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(...items) });

describe('FunctionMesh', () => {
  it('adds, updates in place and removes members; reports children and the topic graph', async () => {
    await apply(pulsarConfigMap(), mesh({ functions: [member('a', 'in', 'mid'), member('b', 'mid', 'out')] }));
    let status = await waitForReady('functionmesh', ns, 'pipe');
    expect(status.status?.children?.map((c) => [c.name, c.ready])).toEqual([['a', true], ['b', true]]);
    expect(status.status?.edges).toEqual(expect.arrayContaining([
      { from: 'a', to: 'b', topic: 'persistent://public/default/mid' },
      { to: 'a', topic: 'persistent://public/default/in' },
      { from: 'b', topic: 'persistent://public/default/out' },
    ]));
    const a = await getObject('function', ns, 'pipe-a');
    const meshObj = await getObject('functionmesh', ns, 'pipe');
    expect(a?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'FunctionMesh', uid: meshObj?.metadata.uid, controller: true })]);
    expect(await getObject('deployment', ns, 'pipe-a-function')).toBeDefined();

    const bBefore = await getObject('function', ns, 'pipe-b');
    // Add a sink, change b in place, drop a.
    await apply(mesh({ functions: [member('b', 'mid', 'out', { image: 'apachepulsar/pulsar-functions-java-sample:4.0.9' })], sinks: [sink('store', 'out')] }));
    await waitFor('a removed with its Deployment', async () => (!(await getObject('function', ns, 'pipe-a')) && !(await getObject('deployment', ns, 'pipe-a-function'))) || undefined, { timeoutMs: 60_000 });
    const b = await waitFor('b updated', async () => {
      const obj = await getObject('function', ns, 'pipe-b');
      return obj?.spec?.image === 'apachepulsar/pulsar-functions-java-sample:4.0.9' ? obj : undefined;
    });
    expect(b.metadata.uid).toBe(bBefore?.metadata.uid);
    await waitForReady('sink', ns, 'pipe-store');
    status = await waitFor('mesh ready with 2 children', async () => {
      const obj = await waitForReady('functionmesh', ns, 'pipe');
      return obj.status?.children?.length === 2 ? obj : undefined;
    });
    expect(status.status?.children?.map((c) => c.name).sort()).toEqual(['b', 'store']);
    expect(status.status?.edges).toEqual(expect.arrayContaining([{ from: 'b', to: 'store', topic: 'persistent://public/default/out' }]));
    expect((await listObjects('functions', ns)).map((f) => f.metadata.name)).toEqual(['pipe-b']);
  });

  it('refuses duplicate member names whole, leaving the running mesh as it was', async () => {
    await apply(pulsarConfigMap(), mesh({ functions: [member('a', 'in', 'mid')] }));
    await waitForReady('functionmesh', ns, 'pipe');
    const before = await getObject('function', ns, 'pipe-a');

    const result = await kubectl(['-n', ns, 'apply', '-f', '-'], { input: list(mesh({ functions: [member('a', 'in', 'mid'), member('x', 'mid', 'out')], sinks: [sink('a', 'out')] })) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('child name "a" is used more than once');

    const after = await getObject('function', ns, 'pipe-a');
    expect(after?.metadata.generation).toBe(before?.metadata.generation);
    expect(await getObject('function', ns, 'pipe-x')).toBeUndefined();
    expect(condition(await getObject('functionmesh', ns, 'pipe'), 'Ready')?.status).toBe('True');
  });
});
