// The one place a Pulsar token becomes the value after `Bearer `. Pulsar's auth Secrets hold
// `clientAuthenticationParameters`, which for the token plugin reads `token:<jwt>`; the scaler's
// --token-file, the bridge and the subscription-cleanup finalizer may each be handed either form.
import { readFileSync } from 'node:fs';

/** `token:<jwt>` or a bare JWT, with surrounding whitespace, → the JWT; blank → undefined. */
export function bearerToken(raw: string | undefined): string | undefined {
  const token = raw?.trim().replace(/^token:/, '').trim();
  return token || undefined;
}

/** The token now: the file is re-read on every call (a mounted Secret rotates), else the literal. */
export function readBearerToken(source: { authToken?: string; authTokenFile?: string }): string | undefined {
  return bearerToken(source.authTokenFile ? readFileSync(source.authTokenFile, 'utf8') : source.authToken);
}
