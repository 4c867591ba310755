// The regular expressions behind topic and package location checks (CEL `matches` and OpenAPI
// `pattern` both use RE2, which agrees with ECMAScript on these expressions).
import { describe, expect, it } from '@jest/globals';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { LOCATION_PATTERN, OPTIONAL_TOPIC_PATTERN, TOPIC_PATTERN } from '../../../controller/api/patterns.js';

const topic = new RegExp(TOPIC_PATTERN);
const optionalTopic = new RegExp(OPTIONAL_TOPIC_PATTERN);
const location = new RegExp(LOCATION_PATTERN);

const parses = (t: string) => {
  try {
    parseTopicName(t);
    return true;
  } catch {
    return false;
  }
};

describe('topic names', () => {
  const valid = [
    'persistent://public/default/in',
    'non-persistent://acme/ns-1/events.v2',
    'acme/orders/created',
    'bare-topic',
    'persistent://public/default/t-partition-3',
  ];
  const invalid = ['persistent://public/default', 'persistent://a/b/c/d', 'ftp://a/b/c', 'a/b', 'has space', ''];

  it.each(valid)('accepts %j, as the topic parser does', (t) => {
    expect(topic.test(t)).toBe(true);
    expect(parses(t)).toBe(true);
  });

  it.each(invalid)('rejects %j, as the topic parser does', (t) => {
    expect(topic.test(t)).toBe(false);
    expect(parses(t)).toBe(false);
  });

  it('lets single optional topic fields be empty', () => {
    expect(optionalTopic.test('')).toBe(true);
    expect(optionalTopic.test('persistent://public/default/x')).toBe(true);
    expect(optionalTopic.test('a/b')).toBe(false);
  });
});

describe('package locations', () => {
  it.each([
    '',
    'https://example.com/a.jar',
    'http://repo:8080/fn.py',
    'function://public/default/fn@v1',
    'source://public/default/src',
    'sink://public/default/es@1.2.0',
    'public/default/legacy-name',
    'public/default/legacy-name@v3',
    'builtin://elastic-search',
    '/pulsar/examples/api-examples.jar',
    'file:/tmp/a.jar',
  ])('accepts %j', (l) => {
    expect(location.test(l)).toBe(true);
  });

  it.each([
    'ftp://host/a.jar',
    'function://public/default',
    'public/default',
    'relative/dir/a.jar/extra',
    'a.jar',
    'https://has space/x',
  ])('rejects %j', (l) => {
    expect(location.test(l)).toBe(false);
  });
});
