// How a container reaches Pulsar, from `spec.pulsar` (or `spec.pulsarPackageService` for
// downloads): env from the pulsarConfig ConfigMap and the auth/TLS Secrets, the TLS CA and
// OAuth2 key files mounted from Secrets, and the runner's and pulsarctl's auth/TLS flags — the
// same flags Function Mesh passes, so existing setups authenticate unchanged.
import type { V1EnvFromSource, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { PulsarMessagingSpec } from '../api/index.js';
import { envRef, shellQuote } from './shell.js';

export const OAUTH2_PLUGIN = 'org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2';
export const TOKEN_PLUGIN = 'org.apache.pulsar.client.impl.auth.AuthenticationToken';

/** Where the Secret files go; the package service gets its own paths. */
interface MountPaths {
  tls: string;
  oauth2: string;
}
export const RUNTIME_MOUNTS: MountPaths = { tls: '/etc/tls/pulsar-functions', oauth2: '/etc/oauth2' };
export const PACKAGE_SERVICE_MOUNTS: MountPaths = {
  tls: '/etc/tls/pulsar-functions-package-service',
  oauth2: '/etc/oauth2-package-service',
};

type OAuth2Config = NonNullable<NonNullable<PulsarMessagingSpec['authConfig']>['oauth2Config']>;

/** The ConfigMap and Secrets as env vars (`webServiceURL`, `clientAuthenticationPlugin`, ...). */
export function pulsarEnvFrom(pulsar: PulsarMessagingSpec | undefined, prefix = ''): V1EnvFromSource[] {
  if (!pulsar) return [];
  const withPrefix = prefix ? { prefix } : {};
  const envFrom: V1EnvFromSource[] = [{ ...withPrefix, configMapRef: { name: pulsar.pulsarConfig } }];
  if (pulsar.authSecret) envFrom.push({ ...withPrefix, secretRef: { name: pulsar.authSecret } });
  if (pulsar.tlsSecret) envFrom.push({ ...withPrefix, secretRef: { name: pulsar.tlsSecret } });
  return envFrom;
}

/** The Secret and key of the TLS CA certificate to mount, if any. */
function tlsCert(pulsar: PulsarMessagingSpec | undefined): { secretName: string; key: string } | undefined {
  const tls = pulsar?.tlsConfig;
  return tls?.certSecretName && tls.certSecretKey ? { secretName: tls.certSecretName, key: tls.certSecretKey } : undefined;
}

export function tlsCertPath(pulsar: PulsarMessagingSpec | undefined, paths: MountPaths): string | undefined {
  const cert = tlsCert(pulsar);
  return cert && `${paths.tls}/${cert.key}`;
}

function oauth2KeyPath(conf: OAuth2Config, paths: MountPaths): string {
  return `${paths.oauth2}/${conf.keySecretKey}`;
}

export interface SecretFiles {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

/** Volumes and mounts of the TLS CA certificate and the OAuth2 key file. */
export function connectionFiles(pulsar: PulsarMessagingSpec | undefined, paths: MountPaths): SecretFiles {
  const files: SecretFiles = { volumes: [], mounts: [] };
  const add = (secretName: string, key: string, mountPath: string) => {
    const name = volumeName(`${secretName}-${key}`);
    files.volumes.push({ name, secret: { secretName, items: [{ key, path: key }] } });
    files.mounts.push({ name, mountPath, readOnly: true });
  };
  const cert = tlsCert(pulsar);
  if (cert) add(cert.secretName, cert.key, paths.tls);
  const oauth = pulsar?.authConfig?.oauth2Config;
  if (oauth) add(oauth.keySecretName, oauth.keySecretKey, paths.oauth2);
  return files;
}

/** A DNS-1123 label made from any text (volume names). */
export function volumeName(text: string): string {
  return text.toLowerCase().replace(/[^-a-z0-9]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
}

/** The OAuth2 plugin's parameters, in both spellings the Java and Python clients read. */
export function oauth2Params(conf: OAuth2Config, paths: MountPaths): string {
  const key = oauth2KeyPath(conf, paths);
  return JSON.stringify({
    credentials_url: `file://${key}`,
    privateKey: key,
    private_key: key,
    issuerUrl: conf.issuerUrl,
    issuer_url: conf.issuerUrl,
    audience: conf.audience,
    scope: conf.scope ?? '',
  });
}

/** `--client_auth_plugin`/`--client_auth_params` of the Java and Python runners (shell words). */
export function runnerAuthArgs(pulsar: PulsarMessagingSpec | undefined): string[] {
  const auth = pulsar?.authConfig;
  if (auth?.oauth2Config) {
    return ['--client_auth_plugin', OAUTH2_PLUGIN, '--client_auth_params', shellQuote(oauth2Params(auth.oauth2Config, RUNTIME_MOUNTS))];
  }
  if (auth?.genericAuth) {
    const g = auth.genericAuth;
    return ['--client_auth_plugin', shellQuote(g.clientAuthenticationPlugin), '--client_auth_params', shellQuote(g.clientAuthenticationParameters)];
  }
  if (pulsar?.authSecret) {
    return ['--client_auth_plugin', envRef('clientAuthenticationPlugin'), '--client_auth_params', envRef('clientAuthenticationParameters')];
  }
  return [];
}

/**
 * `--use_tls` and friends of the runners (shell words). The Python runner spells the insecure
 * flag out in full (argparse would also take the Java runner's abbreviation).
 */
export function runnerTlsArgs(pulsar: PulsarMessagingSpec | undefined, python = false): string[] {
  const insecureFlag = python ? '--tls_allow_insecure_connection' : '--tls_allow_insecure';
  const tls = pulsar?.tlsConfig;
  if (tls) {
    if (!tls.enabled) return ['--use_tls', 'false'];
    const args = [
      '--use_tls', 'true',
      insecureFlag, String(tls.allowInsecure ?? false),
      '--hostname_verification_enabled', String(tls.hostnameVerification ?? false),
    ];
    const cert = tlsCertPath(pulsar, RUNTIME_MOUNTS);
    return cert ? [...args, '--tls_trust_cert_path', cert] : args;
  }
  if (pulsar?.tlsSecret) {
    return [
      '--use_tls', 'true',
      insecureFlag, envRef('tlsAllowInsecureConnection', 'false'),
      '--hostname_verification_enabled', envRef('tlsHostnameVerificationEnable', 'true'),
      '--tls_trust_cert_path', envRef('tlsTrustCertsFilePath'),
    ];
  }
  return ['--use_tls', 'false'];
}

/**
 * A pulsarctl invocation prefix reaching the admin API: `[setup &&] pulsarctl <global flags>`.
 * `envPrefix` is set when the env came from the package service (`PACKAGE_webServiceURL`).
 */
export function pulsarctl(pulsar: PulsarMessagingSpec | undefined, envPrefix: string, paths: MountPaths): string {
  const v = (name: string) => `${envPrefix}${name}`;
  const adminUrl = ['--admin-service-url', envRef(v('webServiceURL'))];
  const auth = pulsar?.authConfig;
  let setup = '';
  let flags: string[] = [];
  if (auth?.oauth2Config) {
    // pulsarctl reads OAuth2 from a context that `oauth2 activate` logs in with.
    const o = auth.oauth2Config;
    const ctx = ['pulsarctl', 'context', 'set', 'downloader', ...adminUrl, '--issuer-endpoint', shellQuote(o.issuerUrl),
      '--audience', shellQuote(o.audience), '--key-file', oauth2KeyPath(o, paths)];
    if (o.scope) ctx.push('--scope', shellQuote(o.scope));
    setup = `${ctx.join(' ')} && pulsarctl oauth2 activate && `;
  } else if (auth?.genericAuth) {
    flags = ['--auth-plugin', shellQuote(auth.genericAuth.clientAuthenticationPlugin), '--auth-params', shellQuote(auth.genericAuth.clientAuthenticationParameters)];
  } else if (pulsar?.authSecret) {
    flags = ['--auth-plugin', envRef(v('clientAuthenticationPlugin')), '--auth-params', envRef(v('clientAuthenticationParameters'))];
  }
  const tls = pulsar?.tlsConfig;
  if (tls?.enabled) {
    flags.push(`--tls-allow-insecure=${tls.allowInsecure ?? false}`, `--tls-enable-hostname-verification=${tls.hostnameVerification ?? false}`);
    const cert = tlsCertPath(pulsar, paths);
    if (cert) flags.push('--tls-trust-cert-path', cert);
  } else if (!tls && pulsar?.tlsSecret) {
    flags.push(
      `--tls-allow-insecure=${envRef(v('tlsAllowInsecureConnection'), 'false')}`,
      `--tls-enable-hostname-verification=${envRef(v('tlsHostnameVerificationEnable'), 'true')}`,
      '--tls-trust-cert-path', envRef(v('tlsTrustCertsFilePath')),
    );
  }
  return `${setup}${['pulsarctl', ...adminUrl, ...flags].join(' ')}`;
}
