import { describe, expect, it } from '@jest/globals';
import { argsToEnv, ConfigError, parseBridgeConfig } from '../../../adapters/bridge/config.js';

const base = {
  BRIDGE_MODE: 'function',
  BRIDGE_BROKER_URL: 'pulsar://pulsar:6650/',
  BRIDGE_INPUTS: 'in, persistent://t/ns/in2',
  BRIDGE_SUBSCRIPTION: 'public/default/fn',
  BRIDGE_OUTPUT: 'out',
};

function problems(env: Record<string, string>, args: string[] = []): string[] {
  try {
    parseBridgeConfig(env, args);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseBridgeConfig', () => {
  it('applies defaults the way Pulsar Functions do', () => {
    const cfg = parseBridgeConfig({ ...base, PATH: '/usr/bin' });
    expect(cfg).toMatchObject({
      mode: 'function',
      pulsar: { transport: 'binary', url: 'pulsar://pulsar:6650', tls: { allowInsecure: false }, connectTimeoutMs: 10_000 },
      input: { topics: ['persistent://public/default/in', 'persistent://t/ns/in2'] },
      output: 'persistent://public/default/out',
      deadLetterTopic: 'persistent://public/default/in-public-default-fn-DLQ',
      subscriptionType: 'Shared',
      guarantee: 'atleast_once',
      ordering: 'none',
      concurrency: 32,
      receiverQueueSize: 64,
      targetUrl: 'http://127.0.0.1:8080',
      timeoutMs: 30_000,
    });
    expect(cfg.maxRetries).toBeUndefined();
  });

  it('derives the subscription type from the ordering fields', () => {
    expect(parseBridgeConfig({ ...base, BRIDGE_RETAIN_ORDERING: 'true' })).toMatchObject({ ordering: 'strict', subscriptionType: 'Failover' });
    expect(parseBridgeConfig({ ...base, BRIDGE_RETAIN_KEY_ORDERING: 'TRUE' })).toMatchObject({ ordering: 'key', subscriptionType: 'Key_Shared' });
    expect(parseBridgeConfig({ ...base, BRIDGE_RETAIN_ORDERING: 'true', BRIDGE_SUBSCRIPTION_TYPE: 'exclusive' }).subscriptionType).toBe('Exclusive');
  });

  it('takes --kebab-case arguments over the environment', () => {
    expect(argsToEnv(['--max-message-retry=3', '--timeout-ms', '500'])).toEqual({ BRIDGE_MAX_MESSAGE_RETRY: '3', BRIDGE_TIMEOUT_MS: '500' });
    expect(parseBridgeConfig({ ...base, BRIDGE_MAX_MESSAGE_RETRY: '9' }, ['--max-message-retry=3']).maxRetries).toBe(3);
    expect(parseBridgeConfig({ ...base, BRIDGE_MAX_MESSAGE_RETRY: '-1' }).maxRetries).toBeUndefined();
  });

  it('speaks the binary protocol by default, the WebSocket API only when chosen', () => {
    expect(parseBridgeConfig({ ...base, BRIDGE_BROKER_URL: 'pulsar+ssl://a:6651,b:6651' }).pulsar).toMatchObject({ transport: 'binary', url: 'pulsar+ssl://a:6651,b:6651' });
    const ws = { ...base, BRIDGE_BROKER_URL: '', BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: 'https://pulsar:8443/' };
    expect(parseBridgeConfig(ws).pulsar).toMatchObject({ transport: 'websocket', url: 'https://pulsar:8443' });
    // The controller renders the broker URL; the WebSocket transport does not need it and ignores it.
    expect(parseBridgeConfig({ ...ws, BRIDGE_BROKER_URL: 'pulsar://pulsar:6650' }).pulsar.url).toBe('https://pulsar:8443');
  });

  it.each([
    [{ BRIDGE_BROKER_URL: '' }, ['BRIDGE_BROKER_URL is required with BRIDGE_TRANSPORT=binary (the default): the broker service URL, e.g. pulsar://pulsar-broker:6650 or pulsar+ssl://pulsar-broker:6651; or set BRIDGE_TRANSPORT=websocket with BRIDGE_PULSAR_URL']],
    [{ BRIDGE_BROKER_URL: 'http://pulsar:8080' }, ['BRIDGE_BROKER_URL "http://pulsar:8080" is a web service URL: the binary transport needs the broker service URL, pulsar://host:6650 or pulsar+ssl://host:6651 (brokerServiceURL), or set BRIDGE_TRANSPORT=websocket and BRIDGE_PULSAR_URL']],
    [{ BRIDGE_BROKER_URL: 'pulsar://p:99999' }, ['BRIDGE_BROKER_URL "pulsar://p:99999" is not a broker service URL: port 99999 is out of range']],
    [{ BRIDGE_TRANSPORT: 'websocket' }, ['BRIDGE_PULSAR_URL is required with BRIDGE_TRANSPORT=websocket: the web service URL, e.g. http://pulsar-broker:8080; or use the binary transport (the default) with BRIDGE_BROKER_URL']],
    [{ BRIDGE_TRANSPORT: 'http' }, ['BRIDGE_TRANSPORT "http" must be binary or websocket']],
  ])('names the transport setting to fix: %j', (over, expected) => {
    expect(problems({ ...base, ...over })).toEqual(expected);
  });

  it('accepts source mode with only its own keys', () => {
    const cfg = parseBridgeConfig({ BRIDGE_MODE: 'source', BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: 'wss://p:8443', BRIDGE_OUTPUT: 'events', BRIDGE_INGRESS_PORT: '9000' });
    expect(cfg).toMatchObject({ mode: 'source', output: 'persistent://public/default/events', ingress: { port: 9000, host: '127.0.0.1' } });
    expect(cfg.input).toBeUndefined();
  });

  it('names every bad key at once, with the fix', () => {
    const found = problems({
      BRIDGE_MODE: 'function',
      BRIDGE_TRANSPORT: 'websocket',
      BRIDGE_PULSAR_URL: 'pulsar://p:6650',
      BRIDGE_INPUTS: 'a/b',
      BRIDGE_RETAIN_ORDER: 'true',
      BRIDGE_MAX_PENDING_ASYNC_REQUESTS: 'lots',
      BRIDGE_RECEIVER_QUEUE_SIZE: '5000',
      BRIDGE_PROCESSING_GUARANTEE: 'effectively_once',
      BRIDGE_INGRESS_PORT: '1',
    });
    expect(found).toEqual(expect.arrayContaining([
      'BRIDGE_RETAIN_ORDER is not a bridge setting: did you mean BRIDGE_RETAIN_ORDERING?',
      'BRIDGE_INGRESS_PORT does not apply in function mode (only in source): remove it',
      'BRIDGE_PULSAR_URL "pulsar://p:6650" must be a URL starting with ws:// or wss:// or http:// or https://',
      expect.stringMatching(/^BRIDGE_INPUTS: topic "a\/b": expected/),
      'BRIDGE_SUBSCRIPTION is required in function mode',
      'BRIDGE_OUTPUT is required in function mode',
      'BRIDGE_MAX_PENDING_ASYNC_REQUESTS "lots" must be an integer from 1 to 1000',
      'BRIDGE_RECEIVER_QUEUE_SIZE "5000" must be an integer from 1 to 1000',
      expect.stringMatching(/^BRIDGE_PROCESSING_GUARANTEE effectively_once is not supported/),
    ]));
    expect(found).toHaveLength(9);
  });

  it.each([
    [{ BRIDGE_MODE: 'lambda' }, /BRIDGE_MODE "lambda" is not valid: use function, source or sink/],
    [{ BRIDGE_RETAIN_ORDERING: 'true', BRIDGE_RETAIN_KEY_ORDERING: 'true' }, /are exclusive/],
    [{ BRIDGE_RETAIN_ORDERING: 'yes' }, /BRIDGE_RETAIN_ORDERING "yes" must be true or false/],
    [{ BRIDGE_RETAIN_ORDERING: 'true', BRIDGE_SUBSCRIPTION_TYPE: 'Shared' }, /Shared cannot keep BRIDGE_RETAIN_ORDERING: use Failover or Exclusive/],
    [{ BRIDGE_RETAIN_KEY_ORDERING: 'true', BRIDGE_SUBSCRIPTION_TYPE: 'Shared' }, /use Key_Shared/],
    [{ BRIDGE_SUBSCRIPTION_TYPE: 'Fanout' }, /must be one of Exclusive, Failover, Shared, Key_Shared/],
    [{ BRIDGE_AUTO_ACK: 'false' }, /BRIDGE_AUTO_ACK=false is not supported/],
    [{ BRIDGE_INPUT_PATTERN: 'in-.*' }, /BRIDGE_INPUTS and BRIDGE_INPUT_PATTERN are exclusive/],
    [{ BRIDGE_INPUTS: '', BRIDGE_INPUT_PATTERN: 'in-(' }, /BRIDGE_INPUT_PATTERN "in-\(" is not a regular expression/],
    [{ BRIDGE_INPUTS: '', BRIDGE_INPUT_PATTERN: 'in-.*' }, /BRIDGE_DEAD_LETTER_TOPIC is required with BRIDGE_INPUT_PATTERN/],
    [{ BRIDGE_TLS_CERT_FILE: '/c.pem' }, /BRIDGE_TLS_CERT_FILE and BRIDGE_TLS_KEY_FILE go together/],
    [{ BRIDGE_AUTH_TOKEN: 'x', BRIDGE_AUTH_TOKEN_FILE: '/t' }, /are exclusive: keep one/],
    [{ BRIDGE_RETRY_BACKOFF_MS: '500', BRIDGE_RETRY_BACKOFF_MAX_MS: '100' }, /must not be below BRIDGE_RETRY_BACKOFF_MS/],
    [{ BRIDGE_TARGET_URL: 'localhost:8080' }, /BRIDGE_TARGET_URL "localhost:8080" must be a URL starting with http:\/\/ or https:\/\//],
  ])('rejects %j', (over, message) => {
    expect(problems({ ...base, ...over }).join('\n')).toMatch(message);
  });

  it('suggests the nearest key for a mistyped argument', () => {
    expect(problems(base, ['--max-mesage-retry=3'])).toEqual(['BRIDGE_MAX_MESAGE_RETRY is not a bridge setting: did you mean BRIDGE_MAX_MESSAGE_RETRY?']);
    expect(problems(base, ['--zzz=1'])).toEqual(['BRIDGE_ZZZ is not a bridge setting: known settings are listed in docs/bridge.md']);
  });

  it('puts all problems in the error message', () => {
    expect(() => parseBridgeConfig({})).toThrow(/BRIDGE_MODE is required[\s\S]*BRIDGE_BROKER_URL is required/);
  });
});

describe('docs/bridge.md', () => {
  it('documents every setting the parser accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { CONFIG_KEYS } = await import('../../../adapters/bridge/config.js');
    const doc = readFileSync('docs/bridge.md', 'utf8');
    expect(Object.keys(CONFIG_KEYS).filter((key) => !doc.includes(`\`${key}\``))).toEqual([]);
  });

  it('carries the settings table exactly as the parser states it (help, modes, defaults)', async () => {
    const { readFileSync } = await import('node:fs');
    const { CONFIG_KEYS } = await import('../../../adapters/bridge/config.js');
    const { settingsMarkdown } = await import('../../../process/config-table.js');
    expect(readFileSync('docs/bridge.md', 'utf8')).toContain(settingsMarkdown(CONFIG_KEYS));
  });
});

describe('BRIDGE_TARGET_URL', () => {
  it('keeps the path the controller renders, trailing slash included', () => {
    expect(parseBridgeConfig({ ...base, BRIDGE_TARGET_URL: 'http://127.0.0.1:8080/fn/' }).targetUrl).toBe('http://127.0.0.1:8080/fn/');
  });
});
