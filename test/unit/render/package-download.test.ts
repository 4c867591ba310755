import { describe, expect, it } from '@jest/globals';
import { container, fn, podSpec, render, script, sink } from './fixtures.js';

describe('packages downloaded before the runner starts', () => {
  it.each([
    {
      name: 'function:// package',
      java: { jar: 'lib/fn.jar', jarLocation: 'function://public/default/fn@v2' },
      command: `pulsarctl --admin-service-url "$webServiceURL" packages download 'function://public/default/fn@v2' --path '/pulsar/download/fn.jar'`,
    },
    {
      name: 'legacy tenant/ns/name: a package of the resource\'s type',
      java: { jar: 'fn.jar', jarLocation: 'public/default/fn' },
      command: `pulsarctl --admin-service-url "$webServiceURL" packages download 'function://public/default/fn' --path '/pulsar/download/fn.jar'`,
    },
    {
      name: 'https URL',
      java: { jar: 'fn.jar', jarLocation: 'https://example.com/fn.jar' },
      command: `wget -O '/pulsar/download/fn.jar' 'https://example.com/fn.jar'`,
    },
  ])('$name', ({ java, command }) => {
    const result = render(fn({ java }));
    const downloader = container(result, 'downloader');
    expect(downloader.command).toEqual(['sh', '-c', command]);
    expect(downloader.image).toBe('streamnative/pulsarctl:2.10.2.3');
    expect(downloader.envFrom).toEqual([{ configMapRef: { name: 'pulsar-cm' } }]);
    expect(downloader.volumeMounts).toEqual([{ name: 'downloader-volume', mountPath: '/pulsar/download' }]);
    expect(podSpec(result).volumes).toEqual([{ name: 'downloader-volume', emptyDir: {} }]);
    expect(container(result, 'pulsar-function').volumeMounts).toEqual([{ name: 'downloader-volume', mountPath: '/pulsar/download' }]);
    expect(script(result)).toContain("--jar '/pulsar/download/fn.jar'");
  });

  it.each([
    { name: 'no location', jarLocation: undefined, jar: '/pulsar/fn.jar' },
    { name: 'builtin connector', jarLocation: 'builtin://elastic', jar: '/pulsar/fn.jar' },
    { name: 'absolute path in the image', jarLocation: 'file:/opt/fn.jar', jar: '/opt/fn.jar' },
  ])('nothing to download: $name', ({ jarLocation, jar }) => {
    const result = render(fn({ java: { jar: '/pulsar/fn.jar', ...(jarLocation ? { jarLocation } : {}) } }));
    expect(podSpec(result).initContainers).toBeUndefined();
    expect(script(result)).toContain(`--jar '${jar}'`);
  });

  it('a sink\'s legacy location is a sink:// package; auth flags come from the Pulsar settings', () => {
    const result = render(sink({ java: { jar: 'snk.nar', jarLocation: 't/ns/snk@1' }, pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth' } }));
    expect(container(result, 'downloader').command![2]).toBe(
      `pulsarctl --admin-service-url "$webServiceURL" --auth-plugin "$clientAuthenticationPlugin" --auth-params "$clientAuthenticationParameters" packages download 'sink://t/ns/snk@1' --path '/pulsar/download/snk.nar'`,
    );
  });

  it('OAuth2: pulsarctl logs in through a context with the mounted key', () => {
    const oauth2Config = { audience: 'aud', issuerUrl: 'https://issuer', keySecretName: 'oauth', keySecretKey: 'key.json', scope: 'api' };
    const result = render(fn({ java: { jar: 'fn.jar', jarLocation: 'function://t/ns/fn' }, pulsar: { pulsarConfig: 'pulsar-cm', authConfig: { oauth2Config } } }));
    const downloader = container(result, 'downloader');
    expect(downloader.command![2]).toBe(
      `pulsarctl context set downloader --admin-service-url "$webServiceURL" --issuer-endpoint 'https://issuer' --audience 'aud' --key-file /etc/oauth2/key.json --scope 'api' && pulsarctl oauth2 activate && pulsarctl --admin-service-url "$webServiceURL" packages download 'function://t/ns/fn' --path '/pulsar/download/fn.jar'`,
    );
    expect(downloader.volumeMounts).toContainEqual({ name: 'oauth-key-json', mountPath: '/etc/oauth2', readOnly: true });
  });

  it('pulsarPackageService: its own env (PACKAGE_ prefix), TLS settings and mount paths', () => {
    const result = render(fn({
      java: { jar: 'fn.jar', jarLocation: 'function://t/ns/fn' },
      pulsarPackageService: { pulsarConfig: 'packages-cm', tlsConfig: { enabled: true, certSecretName: 'ca', certSecretKey: 'ca.crt' } },
    }));
    const downloader = container(result, 'downloader');
    expect(downloader.envFrom).toEqual([{ prefix: 'PACKAGE_', configMapRef: { name: 'packages-cm' } }]);
    expect(downloader.command![2]).toBe(
      `pulsarctl --admin-service-url "$PACKAGE_webServiceURL" --tls-allow-insecure=false --tls-enable-hostname-verification=false --tls-trust-cert-path /etc/tls/pulsar-functions-package-service/ca.crt packages download 'function://t/ns/fn' --path '/pulsar/download/fn.jar'`,
    );
    expect(downloader.volumeMounts).toContainEqual({ name: 'ca-ca-crt', mountPath: '/etc/tls/pulsar-functions-package-service', readOnly: true });
  });

  it('a Go binary is made executable after download', () => {
    const result = render(fn({ java: undefined, golang: { go: 'fn', goLocation: 'https://example.com/fn' } }));
    expect(container(result, 'downloader').command![2]).toBe(`wget -O '/pulsar/download/fn' 'https://example.com/fn' && chmod +x '/pulsar/download/fn'`);
  });

  it('spec.downloaderImage overrides the downloader', () => {
    const result = render(fn({ downloaderImage: 'mirror/pulsarctl:1', java: { jar: 'fn.jar', jarLocation: 'function://t/ns/fn' } }));
    expect(container(result, 'downloader').image).toBe('mirror/pulsarctl:1');
  });
});
