// BackendConfig merge rules, rendered end to end: the global object, then the namespace's object,
// then the resource's own settings, each rule of docs/api.md § BackendConfig as a row.
import { describe, expect, it } from '@jest/globals';
import type { BackendConfigSpec } from '../../../controller/api/index.js';
import { renderChildren, type BackendConfigs } from '../../../controller/render/index.js';
import { container, fn, http, podSpec, pulsarConfig, settings, workloadOf } from './fixtures.js';

const layer = (spec: BackendConfigSpec, key = 'default/global-backend-config', revision = '1') => ({ key, revision, spec });

function renderWith(resource: ReturnType<typeof fn>, backendConfigs: BackendConfigs) {
  return renderChildren(resource, { settings, pulsarConfig, backendConfigs });
}

const nodeAffinity = (zone: string) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: [zone] }] }] } } });
const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoSchedule' });

describe('BackendConfig env', () => {
  const configs = {
    global: layer({ env: { A: 'global', B: 'global', C: 'global' } }),
    namespaced: layer({ env: { B: 'namespaced', C: 'namespaced' } }, 'team-a/backend-config'),
  };

  it('merges global and namespaced (namespaced wins) and goes before the container env, whose own names win', () => {
    const result = renderWith(fn({ pod: { env: [{ name: 'C', value: 'own' }] } }), configs);
    const env = container(result, 'pulsar-function').env!;
    expect(env.slice(0, 2)).toEqual([
      { name: 'A', value: 'global' },
      { name: 'B', value: 'namespaced' },
    ]);
    expect(env.filter((e) => e.name === 'C')).toEqual([{ name: 'C', value: 'own' }]);
    expect(env.findIndex((e) => e.name === 'C')).toBeGreaterThan(1);
  });

  it('goes into every container (the bridge sidecar too) but not into init containers', () => {
    const result = renderWith(fn({ ...http }), configs);
    for (const c of podSpec(result).containers) expect(c.env?.find((e) => e.name === 'A')).toEqual({ name: 'A', value: 'global' });
    for (const c of podSpec(result).initContainers ?? []) expect(c.env?.find((e) => e.name === 'A')).toBeUndefined();
  });

  it('changes nothing without BackendConfigs', () => {
    expect(renderWith(fn(), {})).toEqual(renderChildren(fn(), { settings, pulsarConfig }));
  });
});

/** Every pod field a BackendConfig applies, each value naming its origin (`n` for the numbers). */
const policy = (tag: string, n: number) => ({
  labels: { team: tag },
  annotations: { owner: tag },
  nodeSelector: { disk: tag },
  affinity: nodeAffinity(tag),
  securityContext: { runAsUser: n },
  terminationGracePeriodSeconds: n,
  serviceAccountName: `${tag}-sa`,
  liveness: { periodSeconds: n },
  startupProbe: { periodSeconds: n, tcpSocket: { port: 9094 } },
  tolerations: [toleration(tag)],
  imagePullSecrets: [{ name: `${tag}-pull` }],
});

/** The fields that apply whole came from the policy built with `tag` and `n`. */
function expectWholeFieldsFrom(result: ReturnType<typeof renderWith>, tag: string, n: number): void {
  const spec = podSpec(result);
  expect(spec.affinity?.nodeAffinity).toEqual(nodeAffinity(tag).nodeAffinity);
  expect(spec.securityContext).toEqual({ runAsUser: n });
  expect(spec.terminationGracePeriodSeconds).toBe(n);
  expect(spec.serviceAccountName).toBe(`${tag}-sa`);
  const main = container(result, 'pulsar-function');
  expect(main.livenessProbe?.periodSeconds).toBe(n);
  expect(main.startupProbe?.periodSeconds).toBe(n);
}

describe('BackendConfig pod policy', () => {
  const globalPod = policy('global', 11);
  const global = layer({ pod: { ...globalPod, labels: { ...globalPod.labels, tier: 'global' }, annotations: { ...globalPod.annotations, note: 'global' }, nodeSelector: { disk: 'global', pool: 'global' } } });
  const namespacedPod = policy('namespaced', 22);
  const namespaced = layer({ pod: { ...namespacedPod, tolerations: [toleration('namespaced'), toleration('global')] } }, 'team-a/backend-config');

  it('fills what the resource leaves unset; the namespaced object wins over the global one', () => {
    const result = renderWith(fn(), { global, namespaced });
    const spec = podSpec(result);
    const template = workloadOf(result).spec.template;
    expect(template.metadata?.labels).toEqual(expect.objectContaining({ tier: 'global', team: 'namespaced' }));
    expect(template.metadata?.annotations).toEqual(expect.objectContaining({ note: 'global', owner: 'namespaced' }));
    expect(spec.nodeSelector).toEqual({ disk: 'namespaced', pool: 'global' });
    expectWholeFieldsFrom(result, 'namespaced', 22);
    // The default anti-affinity is still added beside the BackendConfig's affinity.
    expect(spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    // Appended, global first, each once.
    expect(spec.tolerations).toEqual([toleration('global'), toleration('namespaced')]);
    expect(spec.imagePullSecrets).toEqual([{ name: 'global-pull' }, { name: 'namespaced-pull' }]);
  });

  it("keeps the resource's own values: maps win key by key, the rest win whole, lists are appended after the BackendConfig's", () => {
    const ownPod = policy('own', 33);
    const own = fn({ pod: { ...ownPod, imagePullSecrets: [...ownPod.imagePullSecrets, { name: 'global-pull' }] } });
    const result = renderWith(own, { global, namespaced });
    const spec = podSpec(result);
    const template = workloadOf(result).spec.template;
    expect(template.metadata?.labels).toEqual(expect.objectContaining({ tier: 'global', team: 'own' }));
    expect(template.metadata?.annotations).toEqual(expect.objectContaining({ note: 'global', owner: 'own' }));
    expect(spec.nodeSelector).toEqual({ disk: 'own', pool: 'global' });
    expectWholeFieldsFrom(result, 'own', 33);
    expect(spec.tolerations).toEqual([toleration('global'), toleration('namespaced'), toleration('own')]);
    expect(spec.imagePullSecrets).toEqual([{ name: 'global-pull' }, { name: 'namespaced-pull' }, { name: 'own-pull' }]);
  });

  it('never overrides the system labels the selector needs', () => {
    const result = renderWith(fn(), { global: layer({ pod: { labels: { 'compute.functionmesh.io/name': 'other' } } }) });
    expect(workloadOf(result).spec.template.metadata?.labels?.['compute.functionmesh.io/name']).toBe('fn');
  });

  it('warns about pod fields upstream does not apply from a BackendConfig, naming the object', () => {
    const result = renderWith(fn(), { namespaced: layer({ pod: { volumes: [{ name: 'v', emptyDir: {} }], labels: { a: 'b' } } }, 'team-a/backend-config') });
    expect(result.problems).toEqual([
      { severity: 'warning', field: 'BackendConfig team-a/backend-config spec.pod', message: expect.stringMatching(/^volumes is not applied from a BackendConfig/) as unknown as string },
    ]);
    expect(podSpec(result).volumes?.some((v) => v.name === 'v')).toBeFalsy();
  });
});
