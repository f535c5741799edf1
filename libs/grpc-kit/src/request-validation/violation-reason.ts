import type { DescField } from '@bufbuild/protobuf';
import { fieldRules } from '@acme/contracts';
import { codePointLength, truncate } from '../errors/validation';

// How a broken standard rule reads in an INVALID_ARGUMENT message. The limits
// come from the rule in the proto, never from here; rules this table does not
// know (and custom CEL rules, which carry their own message) read as
// protovalidate's message.

type Rules = ReturnType<typeof fieldRules>['type'];
type Describe = (rules: Rules, value: unknown) => string | undefined;

const rule = (rules: Rules, name: string): unknown => (rules.value as Record<string, unknown> | undefined)?.[name];
const bound = (rules: Rules, name: 'greaterThan' | 'lessThan'): string => String((rule(rules, name) as { value?: unknown } | undefined)?.value);
const count = (n: unknown, one: string, many: string) => (Number(n) === 1 ? `one ${one}` : `${n} ${many}`);

/** Characters a person cannot see, by name. */
const showChars = (text: string) => (text === '\u0000' ? 'NUL characters' : JSON.stringify(text));

const between: Describe = (r, v) => `must be between ${bound(r, 'greaterThan')} and ${bound(r, 'lessThan')}, got ${v}`;
const atLeast: Describe = (r, v) => `must be at least ${bound(r, 'greaterThan')}, got ${v}`;

const REASONS: Record<string, Describe> = {
  required: () => 'is required',
  'string.uuid_empty': () => 'is required',
  'string.uuid': (_r, v) => `must be a UUID, got ${JSON.stringify(truncate(String(v)))}`,
  'string.max_len': (r, v) => `must be at most ${rule(r, 'maxLen')} characters, got ${codePointLength(String(v))}`,
  'string.min_len': (r) => `must be at least ${rule(r, 'minLen')} characters`,
  'string.pattern': (r) => `must match the pattern ${rule(r, 'pattern')}`,
  'string.not_contains': (r) => `must not contain ${showChars(String(rule(r, 'notContains')))}`,
  'int32.gte_lte': between,
  'int64.gte_lte': between,
  'int32.gte': atLeast,
  'int64.gte': atLeast,
  'repeated.min_items': (r) => `must contain at least ${count(rule(r, 'minItems'), 'item', 'items')}`,
  'repeated.max_items': (r, v) => `must contain at most ${rule(r, 'maxItems')} items, got ${(v as { size: number }).size}`,
};

/**
 * The reason a field's value breaks one of its rules, as the INVALID_ARGUMENT
 * message says it after the field's name.
 */
export function violationReason(field: DescField, ruleId: string, value: unknown, fallback: string): string {
  const describe = REASONS[ruleId];
  return (describe && describe(fieldRules(field).type, value)) ?? fallback;
}
