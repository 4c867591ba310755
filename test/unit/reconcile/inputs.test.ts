import { describe, expect, it } from '@jest/globals';
import { pulsarConfigCondition, referencedSecrets } from '../../../controller/reconcile/inputs.js';

describe('pulsarConfigCondition', () => {
  it('names the ConfigMap, the namespace and the fix when it is missing', () => {
    const r = pulsarConfigCondition('test-pulsar', 'x', undefined);
    expect(r.pulsarConfig).toBeUndefined();
    expect(r.condition).toEqual({
      type: 'PulsarConfigResolved',
      status: 'False',
      reason: 'ConfigMapNotFound',
      message: 'ConfigMap test-pulsar not found in namespace x (spec.pulsar.pulsarConfig): create it with webServiceURL and brokerServiceURL',
    });
  });
  it('lists the keys an incomplete ConfigMap lacks', () => {
    const r = pulsarConfigCondition('p', 'x', { metadata: { name: 'p' }, data: { brokerServiceURL: 'pulsar://b:6650' } });
    expect(r.condition).toEqual(expect.objectContaining({ reason: 'ConfigMapIncomplete', message: 'ConfigMap p in namespace x lacks webServiceURL: add it to its data' }));
  });
  it('resolves a complete ConfigMap', () => {
    const data = { webServiceURL: 'http://b:8080', brokerServiceURL: 'pulsar://b:6650' };
    const r = pulsarConfigCondition('p', 'x', { metadata: { name: 'p' }, data });
    expect(r.pulsarConfig).toEqual(data);
    expect(r.condition.status).toBe('True');
  });
  it('asks for pulsarConfig when none is named', () => {
    expect(pulsarConfigCondition(undefined, 'x', undefined).condition.reason).toBe('PulsarConfigNotSet');
  });
});

describe('referencedSecrets', () => {
  it('lists each auth/TLS Secret once with the field naming it', () => {
    expect(
      referencedSecrets({
        pulsarConfig: 'p',
        authSecret: 'auth',
        tlsSecret: 'tls',
        tlsConfig: { enabled: true, certSecretName: 'tls' },
        authConfig: { oauth2Config: { audience: 'a', issuerUrl: 'u', keySecretName: 'oauth', keySecretKey: 'auth.json' } },
      }),
    ).toEqual([
      { field: 'spec.pulsar.authSecret', name: 'auth' },
      { field: 'spec.pulsar.tlsSecret', name: 'tls' },
      { field: 'spec.pulsar.authConfig.oauth2Config.keySecretName', name: 'oauth' },
    ]);
    expect(referencedSecrets({ pulsarConfig: 'p', tlsConfig: { enabled: false, certSecretName: 'unused' } })).toEqual([]);
  });
});
