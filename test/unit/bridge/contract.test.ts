import { describe, expect, it } from '@jest/globals';
import { defaultDeadLetterTopic } from '../../../adapters/bridge/contract.js';

describe('defaultDeadLetterTopic', () => {
  it('names it after the first input topic, slashes of the subscription made dashes', () => {
    expect(defaultDeadLetterTopic({ topics: ['persistent://t/ns/in', 'persistent://t/ns/in2'] }, 'public/default/fn')).toBe('persistent://t/ns/in-public-default-fn-DLQ');
    expect(defaultDeadLetterTopic({ topics: [] }, 'fn')).toBeUndefined();
  });

  it('names it in a pattern\'s namespace, which has no first topic', () => {
    expect(defaultDeadLetterTopic({ pattern: 'persistent://t/ns/orders-.*' }, 'public/default/fn')).toBe('persistent://t/ns/public-default-fn-DLQ');
  });
});
