// How a function reaches Pulsar: the ConfigMap with service URLs, and auth/TLS settings.
import Type from 'typebox';
import { FreeForm } from './schema-kit.js';

const opt = Type.Optional;

export const TlsConfig = Type.Object(
  {
    enabled: opt(Type.Boolean()),
    allowInsecure: opt(Type.Boolean()),
    hostnameVerification: opt(Type.Boolean()),
    certSecretName: opt(Type.String({ description: 'Secret holding the trusted CA certificate.' })),
    certSecretKey: opt(Type.String({ description: 'Key of the certificate in that Secret.' })),
  },
  { description: 'TLS to the broker (replaces tlsSecret).' },
);

export const OAuth2Config = Type.Object({
  audience: Type.String(),
  issuerUrl: Type.String(),
  scope: opt(Type.String()),
  keySecretName: Type.String({ description: 'Secret holding the OAuth2 private key file.' }),
  keySecretKey: Type.String({ description: 'Key of the file in that Secret, such as auth.json.' }),
});

export const GenericAuth = Type.Object({
  clientAuthenticationPlugin: Type.String(),
  clientAuthenticationParameters: Type.String(),
});

export const AuthConfig = Type.Object(
  { oauth2Config: opt(OAuth2Config), genericAuth: opt(GenericAuth) },
  { description: 'Client authentication (replaces authSecret).' },
);

export const PulsarMessaging = Type.Object(
  {
    pulsarConfig: Type.String({
      minLength: 1,
      description: 'Name of a ConfigMap holding webServiceURL and brokerServiceURL.',
    }),
    authSecret: opt(Type.String({ description: 'Secret with clientAuthenticationPlugin and clientAuthenticationParameters.' })),
    tlsSecret: opt(Type.String({ description: 'Legacy TLS Secret; prefer tlsConfig.' })),
    tlsConfig: opt(TlsConfig),
    authConfig: opt(AuthConfig),
    cleanupAuthConfig: opt(AuthConfig),
  },
  { description: 'Connection to the Pulsar cluster.' },
);

export const StatefulConfig = Type.Object(
  {
    pulsar: opt(
      Type.Object({
        serviceUrl: Type.String({ description: 'State store service URL (BookKeeper table service by default).' }),
        javaProvider: opt(
          Type.Object({
            className: Type.String({ description: 'StateStoreProvider implementation class.' }),
            config: opt(FreeForm('Provider configuration.')),
          }),
        ),
      }),
    ),
  },
  { description: 'State store of stateful functions.' },
);
