// Pulsar's OAuth2 client-credentials flow (the client's AuthenticationOAuth2), for callers that
// hold the key file's content rather than a path: the issuer's OpenID metadata names the token
// endpoint, which is sent the client id and secret from the key file, the audience and the scope.
import { httpRequest, HttpTransportError } from './http-transport.js';

export interface OAuth2ClientCredentials {
  issuerUrl: string;
  audience?: string;
  scope?: string;
  /** The private key file: JSON with client_id and client_secret (as Pulsar's KeyFile). */
  keyFile: string;
  /** PEM to trust for an https issuer, instead of the system's CAs. */
  ca?: string;
  timeoutMs?: number;
}

export class OAuth2TokenError extends Error {
  override readonly name = 'OAuth2TokenError';
}

/** An access token from the issuer; errors name the step that failed, never the secret. */
export async function fetchOAuth2Token(creds: OAuth2ClientCredentials): Promise<string> {
  const key = parseKeyFile(creds.keyFile);
  const issuer = creds.issuerUrl.replace(/\/+$/, '');
  const metadata = await exchange(creds, 'GET', `${issuer}/.well-known/openid-configuration`, undefined, 'the issuer metadata');
  const endpoint = (metadata as { token_endpoint?: unknown }).token_endpoint;
  if (typeof endpoint !== 'string' || !endpoint) throw new OAuth2TokenError(`OAuth2 issuer ${issuer}: its metadata names no token_endpoint`);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: key.clientSecret });
  if (creds.audience) form.set('audience', creds.audience);
  if (creds.scope) form.set('scope', creds.scope);
  const answer = await exchange(creds, 'POST', endpoint, form.toString(), 'a token');
  const token = (answer as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || !token) throw new OAuth2TokenError(`OAuth2 token endpoint ${endpoint}: the answer has no access_token`);
  return token;
}

function parseKeyFile(text: string): { clientId: string; clientSecret: string } {
  let key: { client_id?: unknown; client_secret?: unknown };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    throw new OAuth2TokenError('the OAuth2 key file is not JSON: it needs client_id and client_secret');
  }
  if (typeof key.client_id !== 'string' || typeof key.client_secret !== 'string') {
    throw new OAuth2TokenError('the OAuth2 key file needs client_id and client_secret');
  }
  return { clientId: key.client_id, clientSecret: key.client_secret };
}

async function exchange(creds: OAuth2ClientCredentials, method: 'GET' | 'POST', url: string, body: string | undefined, what: string): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  let status: number;
  let text: string;
  try {
    const res = await httpRequest({ method, url: new URL(url), headers, body, timeoutMs: creds.timeoutMs ?? 5_000, ca: creds.ca });
    status = res.status;
    text = await res.text();
  } catch (err) {
    const reason = err instanceof HttpTransportError ? err.reason : (err as Error).message;
    throw new OAuth2TokenError(`OAuth2: asking ${url} for ${what} failed: ${reason}`);
  }
  if (status < 200 || status >= 300) throw new OAuth2TokenError(`OAuth2: ${url} refused ${what}: HTTP ${status} ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OAuth2TokenError(`OAuth2: ${url} answered ${what} with no JSON`);
  }
}
