import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { parseQuantity } from '../../../controller/render/quantity.js';
import { instanceIdScript } from '../../../controller/render/runner-command.js';
import { shellQuote, shellTemplate } from '../../../controller/render/shell.js';

const bash = (script: string, env: Record<string, string> = {}) =>
  execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['1G', 1e9],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['128Mi', 128 * 2 ** 20],
    ['2e3', 2000],
    [3, 3],
    ['abc', undefined],
    [undefined, undefined],
  ])('%s → %s', (input, value) => {
    expect(parseQuantity(input)).toBe(value);
  });
});

describe('shell quoting, as bash reads it', () => {
  it.each(["plain", "it's", `a "b" $HOME \\ \`x\``, '{"k":"v\'s"}'])('%s survives shellQuote', (text) => {
    expect(bash(`printf '%s' ${shellQuote(text)}`)).toBe(text);
  });

  it('shellTemplate fills tokens from the shell, the rest stays literal', () => {
    const word = shellTemplate('{"id":"@ID@","url":"x-@URL@-$y"}', { '"@ID@"': '"${ID}"', '@URL@': '"${URL}"' });
    expect(JSON.parse(bash(`printf '%s' ${word}`, { ID: '42', URL: 'pulsar://b:6650' }))).toEqual({ id: 42, url: 'x-pulsar://b:6650-$y' });
  });
});

describe('instance id from the pod name', () => {
  it.each([
    ['Deployment pod', false, 'fn-function-7d9f8b6c5-x2k9p', String(parseInt('x2k9p', 36))],
    ['another Deployment pod', false, 'fn-function-7d9f8b6c5-bbbbb', String(parseInt('bbbbb', 36))],
    // generateName truncated at 58 characters: the random part is glued to the hash.
    ['long Deployment pod name', false, `${'a'.repeat(43)}-function-7d9f8b6c5z2k9q`, String(parseInt('z2k9q', 36))],
    ['StatefulSet pod', true, 'fn-function-3', '3'],
  ])('%s', (_name, stateful, pod, id) => {
    const out = bash(`${instanceIdScript(stateful)} && printf '%s' "$SHARD_ID"`, { POD_NAME: pod });
    expect(out).toBe(id);
    expect(Number(out)).toBeLessThan(2 ** 31);
  });
});
