// How a function reaches Pulsar: the ConfigMap with service URLs, and auth/TLS settings.
import Type from 'typebox';
import { FreeForm } from './schema-kit.js';

const opt = Type.Optional;

const TlsConfig = Type.Object(
  {
    enabled: opt(Type.Boolean({ description: 'Use TLS.' })),
    allowInsecure: opt(Type.Boolean({ description: 'Accept untrusted broker certificates.' })),
    hostnameVerification: opt(Type.Boolean({ description: 'Check the broker host name.' })),
    certSecretName: opt(Type.String({ description: 'Secret holding the trusted CA certificate.' })),
    certSecretKey: opt(Type.String({ description: 'Key of the certificate in that Secret.' })),
  },
  { description: 'TLS to the broker (replaces tlsSecret).' },
);

const OAuth2Config = Type.Object(
  {
    audience: Type.String({ description: 'OAuth2 audience.' }),
    issuerUrl: Type.String({ description: 'OAuth2 issuer URL.' }),
    scope: opt(Type.String({ description: 'OAuth2 scope.' })),
    keySecretName: Type.String({ description: 'Secret holding the OAuth2 private key file.' }),
    keySecretKey: Type.String({ description: 'Key of the file in that Secret, such as auth.json.' }),
  },
  { description: 'OAuth2 client credentials flow.' },
);

const GenericAuth = Type.Object(
  {
    clientAuthenticationPlugin: Type.String({ description: 'Pulsar client authentication plugin class.' }),
    clientAuthenticationParameters: Type.String({ description: 'Its parameters.' }),
  },
  { description: 'Any Pulsar authentication plugin.' },
);

const AuthConfig = Type.Object(
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

const JavaStateProvider = Type.Object(
  {
    className: Type.String({ description: 'StateStoreProvider implementation class.' }),
    config: opt(FreeForm('Provider configuration.')),
  },
  { description: 'State store provider of the Java runtime.' },
);

export const StatefulConfig = Type.Object(
  {
    pulsar: opt(
      Type.Object(
        {
          serviceUrl: Type.String({ minLength: 1, description: 'State store service URL (BookKeeper table service by default).' }),
          javaProvider: opt(JavaStateProvider),
        },
        { description: 'Pulsar state store.' },
      ),
    ),
  },
  { description: 'State store of stateful functions.' },
);
