// The value types of the config tables (process/config-table.ts): each parses one raw string or
// says, as a phrase after the key, what would be accepted.
import { Rejection, type ValueType } from './config-table.js';

export const text: ValueType<string> = { hint: '<text>', parse: (raw) => raw };

export const file: ValueType<string> = { hint: '<file>', parse: (raw) => raw };

/** A whole number from `min`, up to `max` if given. */
export function integer(min: number, max?: number): ValueType<number> {
  return {
    hint: '<n>',
    parse(raw) {
      const n = Number(raw);
      if (Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max)) return n;
      return new Rejection(`must be an integer from ${min}${max === undefined ? ' up' : ` to ${max}`}`);
    },
  };
}

export const boolean: ValueType<boolean> = {
  hint: 'true|false',
  parse(raw) {
    const v = raw.toLowerCase();
    return v === 'true' || v === 'false' ? v === 'true' : new Rejection('must be true or false');
  },
};

interface OneOfOptions {
  /** Maps the raw text before matching (case is always ignored). */
  normalize?: (raw: string) => string;
  /** The phrase when nothing matches; by default `must be a or b` / `must be one of a, b, c`. */
  phrase?: string;
}

/** One of a fixed list, matched without regard to case; the list's own spelling is returned. */
export function oneOf<const V extends string>(values: readonly V[], opts: OneOfOptions = {}): ValueType<V> {
  const phrase = opts.phrase ?? (values.length === 2 ? `must be ${values[0]} or ${values[1]}` : `must be one of ${values.join(', ')}`);
  return {
    hint: values.join('|'),
    parse(raw) {
      const given = (opts.normalize?.(raw) ?? raw).toLowerCase();
      return values.find((v) => v.toLowerCase() === given) ?? new Rejection(phrase);
    },
  };
}

/** A URL with one of `schemes`; the raw text is kept. */
export function url(schemes: readonly string[]): ValueType<string> {
  return {
    hint: '<url>',
    parse(raw) {
      try {
        if (schemes.includes(new URL(raw).protocol.slice(0, -1))) return raw;
      } catch {
        /* refused below */
      }
      return new Rejection(`must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`);
    },
  };
}
