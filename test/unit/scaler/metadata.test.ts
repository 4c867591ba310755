import { describe, expect, it } from '@jest/globals';
import { MetadataError, parseTriggerMetadata } from '../../../scaler/metadata.js';

const base = { adminURL: 'http://pulsar:8080', topics: 'in', subscription: 'fn' };

describe('parseTriggerMetadata', () => {
  it('fills defaults and parses topics', () => {
    const c = parseTriggerMetadata({ ...base, topics: 'in, t/ns/other,non-persistent://t/ns/np', scalerAddress: 'scaler:9090' });
    expect(c.adminUrl).toBe('http://pulsar:8080');
    expect(c.subscription).toBe('fn');
    expect(c.initialPosition).toBe('latest');
    expect(c.targetBacklog).toBe(10);
    expect(c.activationBacklog).toBe(0);
    expect(c.source.kind === 'topics' && c.source.topics.map((t) => `${t.domain}:${t.tenant}/${t.namespace}/${t.local}`)).toEqual([
      'persistent:public/default/in',
      'persistent:t/ns/other',
      'non-persistent:t/ns/np',
    ]);
    expect(c.metricName).toBe('pulsar-backlog-fn');
  });

  it('accepts KEDA Pulsar scaler key names', () => {
    const c = parseTriggerMetadata({ adminURL: 'https://p:8443/', topic: 'in', subscription: 's', msgBacklogThreshold: '5', activationMsgBacklogThreshold: '2' });
    expect([c.adminUrl, c.targetBacklog, c.activationBacklog]).toEqual(['https://p:8443', 5, 2]);
  });

  it('parses a topic pattern into a namespace and an anchored regex', () => {
    const c = parseTriggerMetadata({ adminURL: 'http://p', topicPattern: 'non-persistent://t/ns/orders-.*', subscription: 's', subscriptionPosition: 'earliest' });
    expect(c.initialPosition).toBe('earliest');
    if (c.source.kind !== 'pattern') throw new Error('expected a pattern');
    expect([c.source.domain, c.source.tenant, c.source.namespace]).toEqual(['non-persistent', 't', 'ns']);
    expect(c.source.regex.test('orders-eu')).toBe(true);
    expect(c.source.regex.test('old-orders-eu')).toBe(false);
  });

  it('accepts a function\'s default subscription tenant/namespace/name, with a DNS-safe metric name', () => {
    const c = parseTriggerMetadata({ ...base, subscription: 'public/default/echo' });
    expect(c.subscription).toBe('public/default/echo');
    expect(c.metricName).toBe('pulsar-backlog-public-default-echo');
  });

  it('ignores the keys KEDA v2.20 reads from trigger metadata itself: scalerAddress, enableTLS, unsafeSsl', () => {
    const c = parseTriggerMetadata({ ...base, scalerAddress: 'scaler:9090', enableTLS: 'true', unsafeSsl: 'false' });
    expect([c.adminUrl, c.subscription]).toEqual(['http://pulsar:8080', 'fn']);
  });

  it('uses the scaler default admin URL when the trigger has none', () => {
    expect(parseTriggerMetadata({ topics: 'in', subscription: 's' }, { defaultAdminUrl: 'http://default:8080' }).adminUrl).toBe('http://default:8080');
  });

  it.each([
    [{ topics: 'in', subscription: 's' }, 'adminURL', /required/],
    [{ ...base, adminURL: 'pulsar:8080' }, 'adminURL', /http/],
    [{ ...base, adminURL: 'not a url' }, 'adminURL', /not a URL/],
    [{ ...base, adminURL: 'http://u:secret@p:8080' }, 'adminURL', /credentials/],
    [{ adminURL: 'http://p', subscription: 's' }, 'topics', /required/],
    [{ ...base, topics: ' , ' }, 'topics', /required/],
    [{ ...base, topics: 'a/b' }, 'topics', /expected/],
    [{ ...base, topic: 'x' }, 'topic', /only one/],
    [{ ...base, topicPattern: 'p/ns/x.*' }, 'topicPattern', /only one/],
    [{ adminURL: 'http://p', subscription: 's', topicPattern: 'orders-.*' }, 'topicPattern', /tenant\/namespace/],
    [{ adminURL: 'http://p', subscription: 's', topicPattern: 't/ns/(' }, 'topicPattern', /regular expression/],
    [{ adminURL: 'http://p', topics: 'in' }, 'subscription', /required/],
    [{ ...base, subscription: 'a b' }, 'subscription', /spaces/],
    [{ ...base, subscriptionPosition: 'Earliest' }, 'subscriptionPosition', /latest or earliest/],
    [{ ...base, targetBacklog: '0' }, 'targetBacklog', /≥ 1/],
    [{ ...base, targetBacklog: '2.5' }, 'targetBacklog', /whole number/],
    [{ ...base, msgBacklogThreshold: 'ten' }, 'msgBacklogThreshold', /whole number/],
    [{ ...base, targetBacklog: '5', msgBacklogThreshold: '5' }, 'msgBacklogThreshold', /not both/],
    [{ ...base, activationBacklog: '-1' }, 'activationBacklog', /≥ 0/],
    [{ ...base, subscripton: 'typo' }, 'subscripton', /unknown key \(did you mean subscription\?\)/],
    [{ ...base, caCert: 'PEM' }, 'caCert', /only from a TriggerAuthentication/],
    [{ ...base, tlsClientKey: 'PEM' }, 'tlsClientKey', /only from a TriggerAuthentication/],
    [{ ...base, tlsCertFile: '/ca.pem' }, 'tlsCertFile', /no longer reads tlsCertFile/],
  ])('%j → error naming %s', (meta, key, message) => {
    let error: unknown;
    try {
      parseTriggerMetadata(meta as Record<string, string>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MetadataError);
    expect((error as MetadataError).key).toBe(key);
    expect((error as MetadataError).message).toContain(`"${key}"`);
    expect((error as MetadataError).message).toMatch(message);
  });
});
