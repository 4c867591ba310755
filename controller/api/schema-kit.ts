// Building blocks that keep typebox schemas inside what a Kubernetes structural schema allows:
// every node typed, maps as `additionalProperties` (CRDs forbid `patternProperties`), enums as
// typed strings (no `const`/`anyOf` of literals), free-form objects marked explicitly, and CEL
// rules (`x-kubernetes-validations`) attached as plain keys.
import Type, { type TSchema, type Static } from 'typebox';

export interface CelRule {
  /** CEL expression evaluated with `self` bound to the object it is attached to. */
  rule: string;
  /** Names the field and the fix. */
  message: string;
  /**
   * A CEL string expression for a message naming the offending value; `message` is the fallback.
   * Costed like a rule: `string(<int>)` counts as an unbounded string, and the apiserver refuses it.
   */
  messageExpression?: string;
  /** Relative path (`.maxMessageRetry`) reported as the failing field instead of the object. */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export function cel(rule: string, message: string, extra: Omit<CelRule, 'rule' | 'message'> = {}): CelRule {
  return { rule, message, ...extra };
}

/** Options putting CEL rules on an object schema. */
export function rules(...list: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': list };
}

interface Described {
  description?: string;
}

export function StringEnum<const V extends readonly string[]>(values: V, opts: Described & { default?: V[number] } = {}) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...opts });
}

/** A JSON object with arbitrary keys and values of one schema (Go `map[string]T`). */
export function StringMap<T extends TSchema>(value: T, opts: Described & { maxProperties?: number } = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...opts });
}

export function Labels(description: string) {
  return StringMap(Type.String(), { description });
}

/** An object the API does not look into: kept as written (core/v1 pieces, connector configs). */
export function FreeForm(description: string) {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

export function FreeFormList(description: string, maxItems?: number) {
  return Type.Unsafe<Record<string, unknown>[]>({
    type: 'array',
    description,
    items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ...(maxItems === undefined ? {} : { maxItems }),
  });
}

type IntOpts = Described & { minimum?: number; maximum?: number; default?: number };

export function Int32(opts: IntOpts = {}) {
  return Type.Integer({ format: 'int32', ...opts });
}

export function Int64(opts: IntOpts = {}) {
  return Type.Integer({ format: 'int64', ...opts });
}

// Kubernetes' resource.Quantity grammar, as the core/v1 OpenAPI publishes it.
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A resource.Quantity: `1G`, `500m`, or a bare number. */
export function Quantity() {
  return Type.Unsafe<string | number>({
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    maxLength: 64,
    'x-kubernetes-int-or-string': true,
  });
}

/**
 * A string checked against a regular expression by a CEL rule instead of an OpenAPI `pattern`,
 * so a mismatch reads "<field>: Invalid value: "<value>": must be <what>" rather than the raw
 * expression.
 */
export function MatchingString(opts: Described & { pattern: string; maxLength: number; what: string }) {
  const { pattern, what, ...rest } = opts;
  if (pattern.includes("'")) throw new Error(`pattern ${pattern} cannot be a CEL raw string`);
  return Type.String({ ...rest, ...rules(cel(`self.matches(r'${pattern}')`, `must be ${what}`)) });
}
