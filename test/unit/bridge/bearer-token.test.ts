import { describe, expect, it } from '@jest/globals';
import { bearerToken } from '../../../adapters/pulsar/bearer-token.js';

describe('bearerToken', () => {
  it.each([
    ['eyJhbGciOi.x.y', 'eyJhbGciOi.x.y'],
    ['token:eyJhbGciOi.x.y\n', 'eyJhbGciOi.x.y'],
    ['  token: eyJ.a.b  ', 'eyJ.a.b'],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, token) => {
    expect(bearerToken(raw)).toBe(token);
  });
});
