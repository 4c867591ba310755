import { describe, expect, it } from '@jest/globals';
import { formatTopicName, parseTopicName, topicPath } from '../../adapters/pulsar/topic-name.js';

describe('parseTopicName', () => {
  it.each([
    ['in', 'persistent://public/default/in'],
    ['t/ns/in', 'persistent://t/ns/in'],
    ['persistent://t/ns/in', 'persistent://t/ns/in'],
    ['non-persistent://t/ns/in', 'non-persistent://t/ns/in'],
    ['persistent://t/ns/in-partition-3', 'persistent://t/ns/in-partition-3'],
  ])('%s → %s', (input, full) => {
    expect(formatTopicName(parseTopicName(input))).toBe(full);
  });

  it('splits the partition suffix', () => {
    expect(parseTopicName('persistent://t/ns/in-partition-3')).toEqual({
      domain: 'persistent', tenant: 't', namespace: 'ns', local: 'in', partition: 3,
    });
  });

  it.each([
    ['http://t/ns/in', /domain must be/],
    ['t/in', /expected persistent:\/\//],
    ['persistent://t/ns/a/b', /expected/],
    ['persistent://t/n s/in', /invalid namespace/],
    ['persistent://t/ns/', /invalid topic name/],
  ])('rejects %s', (input, message) => {
    expect(() => parseTopicName(input)).toThrow(message);
  });

  it('builds the REST/WebSocket path', () => {
    expect(topicPath(parseTopicName('non-persistent://t/ns/a b'.replace(' ', '%')))).toBe('non-persistent/t/ns/a%25b');
  });
});
