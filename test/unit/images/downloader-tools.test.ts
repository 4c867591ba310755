import { describe, expect, it } from '@jest/globals';
import { credentials, packagePath, parseInvocation, run } from '../../../hack/images/pulsarctl.js';
import { parseWgetArgs } from '../../../hack/images/wget.js';

describe('the downloader image\'s pulsarctl stand-in', () => {
  it('reads the flags the controller renders, before and after the command', () => {
    const argv = ['--admin-service-url', 'http://pulsar:8080', '--auth-plugin', 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
      '--auth-params', 'token:abc', '--tls-allow-insecure=false', '--tls-enable-hostname-verification=true', '--tls-trust-cert-path', '/etc/tls/ca.crt',
      'packages', 'download', 'function://public/default/fn@v1', '--path', '/pulsar/download/fn.jar'];
    expect(parseInvocation(argv)).toEqual({
      flags: {
        'admin-service-url': 'http://pulsar:8080', 'auth-plugin': 'org.apache.pulsar.client.impl.auth.AuthenticationToken', 'auth-params': 'token:abc',
        'tls-allow-insecure': 'false', 'tls-enable-hostname-verification': 'true', 'tls-trust-cert-path': '/etc/tls/ca.crt', path: '/pulsar/download/fn.jar',
      },
      command: ['packages', 'download', 'function://public/default/fn@v1'],
    });
    expect(() => parseInvocation(['--path'])).toThrow('--path needs a value');
  });

  it('maps a package name to the admin REST path; no version means latest', () => {
    expect(packagePath('function://public/default/fn@v1')).toBe('/admin/v3/packages/function/public/default/fn/v1');
    expect(packagePath('sink://t/ns/my-sink')).toBe('/admin/v3/packages/sink/t/ns/my-sink/latest');
    expect(() => packagePath('public/default/fn')).toThrow(/package name "public\/default\/fn": write it as function\|source\|sink:\/\//);
  });

  it('turns token and TLS auth parameters into credentials', () => {
    const files: Record<string, string> = { '/t': 'from-file\n', '/c': 'CERT', '/k': 'KEY' };
    const read = (f: string) => files[f]!;
    const token = 'org.apache.pulsar.client.impl.auth.AuthenticationToken';
    expect(credentials(token, 'token:abc', read).headers).toEqual({ Authorization: 'Bearer abc' });
    expect(credentials(token, 'file:///t', read).headers).toEqual({ Authorization: 'Bearer from-file' });
    expect(credentials(token, '{"token":"j"}', read).headers).toEqual({ Authorization: 'Bearer j' });
    const tls = credentials('org.apache.pulsar.client.impl.auth.AuthenticationTls', 'tlsCertFile:/c,tlsKeyFile:/k', read);
    expect([tls.cert?.toString(), tls.key?.toString()]).toEqual(['CERT', 'KEY']);
    expect(credentials(undefined, undefined, read).headers).toEqual({});
    expect(() => credentials(token, 'token:', read)).toThrow(/the token is empty/);
    expect(() => credentials('com.example.Kerberos', 'x', read)).toThrow(/--auth-plugin com.example.Kerberos: this pulsarctl stand-in supports token and TLS/);
  });

  it('refuses commands it does not implement, and a download without --path', async () => {
    await expect(run(['topics', 'list', 'public/default'])).rejects.toThrow(/"topics list public\/default": this pulsarctl stand-in runs only/);
    await expect(run(['--admin-service-url', 'http://127.0.0.1:1', 'packages', 'download', 'function://a/b/c'])).rejects.toThrow(/--path is required/);
  });
});

describe('the downloader image\'s wget', () => {
  it('reads the rendered `wget -O FILE URL` and refuses anything else', () => {
    expect(parseWgetArgs(['-O', '/pulsar/download/fn.jar', 'https://example.test/fn.jar'])).toEqual({ output: '/pulsar/download/fn.jar', url: 'https://example.test/fn.jar' });
    expect(parseWgetArgs(['-q', 'http://h/f', '-O/tmp/f'])).toEqual({ output: '/tmp/f', url: 'http://h/f' });
    expect(() => parseWgetArgs(['http://h/f'])).toThrow('usage: wget -O FILE URL');
    expect(() => parseWgetArgs(['-O', 'f', 'ftp://h/f'])).toThrow('ftp://h/f: only http:// and https:// URLs');
    expect(() => parseWgetArgs(['--no-check-certificate', '-O', 'f', 'https://h/f'])).toThrow(/--no-check-certificate: this wget knows only/);
  });
});
