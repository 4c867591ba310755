import { describe, expect, it } from '@jest/globals';
import { readArgs, readSettings, usageLines, type Setting } from '../../../process/config-table.js';
import { boolean, integer, oneOf, text } from '../../../process/config-values.js';

const TABLE = {
  size: { type: integer(1, 9), env: 'T_SIZE', default: '3', help: 'how many' },
  color: { type: oneOf(['red', 'blue']), env: 'T_COLOR', modes: ['paint'], required: true, help: 'which' },
  secret: { type: text, env: 'T_SECRET', envOnly: true, help: 'never a flag' },
  loud: { type: boolean, env: 'T_LOUD', default: 'false', help: 'shout' },
} as const satisfies Record<string, Setting>;

describe('readArgs', () => {
  it('reads --k=v and --k v, -h, and names what it cannot read', () => {
    expect(readArgs(['--size=4', '--loud', 'true', '-h'], ['size', 'loud'])).toEqual({ values: { size: '4', loud: 'true' }, help: true, problems: [] });
    expect(readArgs(['--size', '--loud=true', 'stray', '--siez=1'], ['size', 'loud']).problems).toEqual([
      'argument --size has no value',
      'argument "stray" is not --key=value',
      '--siez is not a flag: did you mean --size?',
    ]);
  });
});

describe('readSettings', () => {
  const read = (values: Record<string, string>, mode?: string) => {
    const problems: string[] = [];
    const settings = readSettings(TABLE, { lookup: (key) => values[key], naming: 'flag', mode, problems });
    return { settings, problems };
  };

  it('parses given values, defaults the rest, and treats blanks as unset', () => {
    expect(read({ size: ' 5 ', color: 'BLUE', loud: '' }, 'paint')).toEqual({ settings: { size: 5, color: 'blue', secret: undefined, loud: false }, problems: [] });
  });

  it('names every problem at once: type, range, required in a mode, not applying in a mode', () => {
    expect(read({ size: '10', loud: 'yes' }, 'paint').problems).toEqual([
      '--size (env T_SIZE) must be an integer from 1 to 9, got "10"',
      '--color (env T_COLOR) is required in paint mode',
      '--loud (env T_LOUD) must be true or false, got "yes"',
    ]);
    expect(read({ color: 'red' }, 'sketch').problems).toEqual(['--color (env T_COLOR) does not apply in sketch mode (only in paint): remove it']);
  });

  it('prints usage with the flag, its value, the env var and the default', () => {
    expect(usageLines(TABLE)).toEqual([
      '  --size <n>         how many (env T_SIZE, default 3)',
      '  --color red|blue   which (env T_COLOR)',
      '  env T_SECRET       never a flag',
      '  --loud true|false  shout (env T_LOUD, default false)',
    ]);
  });
});
