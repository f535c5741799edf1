import { create, type DescMessage, type Message } from '@bufbuild/protobuf';
import { reflect, type Path } from '@bufbuild/protobuf/reflect';
import { createValidator, type Violation } from '@bufbuild/protovalidate';
import { violationReason } from './violation-reason';

/**
 * A request field that breaks its rule: `field` is its path, by proto names
 * (`items[2].unit_price_cents`, what gRPC clients see) or by JSON names
 * (`items[2].unitPriceCents`, what REST clients send).
 */
export interface RuleViolation {
  readonly field: string;
  readonly reason: string;
}

// One validator per process: it compiles each message's rules once and caches them.
const validator = createValidator();

/**
 * Compiles the rules of `schema` now (protovalidate plans a message's rules
 * on first use, which costs about 100 ms of CPU for this system's requests):
 * call it at startup, so the first request does not pay it within its deadline.
 */
export function prepareRuleValidation(schema: DescMessage): void {
  validator.validate(schema, create(schema));
}

/**
 * Checks a message against the buf.validate rules its proto declares and
 * returns the first violation (fields in declaration order), or undefined.
 * Rules that need the database (unique email, user exists) are the services'.
 */
export function firstRuleViolation(schema: DescMessage, message: Message, names: 'proto' | 'json' = 'proto'): RuleViolation | undefined {
  const result = validator.validate(schema, message);
  if (result.kind === 'valid') return undefined;
  if (result.kind === 'error') throw result.error; // a rule that cannot be evaluated is a bug in the proto
  const [violation] = result.error.violations;
  if (!violation) return undefined;
  return { field: fieldPath(violation.field, names), reason: reasonOf(violation, schema, message) };
}

function fieldPath(path: Path, names: 'proto' | 'json'): string {
  return path
    .map((step, i) => {
      if (step.kind === 'field') return `${i === 0 ? '' : '.'}${names === 'json' ? step.jsonName : step.name}`;
      if (step.kind === 'list_sub') return `[${step.index}]`;
      if (step.kind === 'map_sub') return `[${JSON.stringify(step.key)}]`;
      return `.${step.kind}`;
    })
    .join('');
}

function reasonOf(violation: Violation, schema: DescMessage, message: Message): string {
  const last = violation.field.at(-1);
  if (last?.kind !== 'field') return violation.message;
  return violationReason(last, violation.ruleId, valueAt(schema, message, violation.field), violation.message);
}

/** The value a violation's path points at: a scalar, or a reflected list or message. */
function valueAt(schema: DescMessage, message: Message, path: Path): unknown {
  let value: unknown = reflect(schema, message);
  for (const step of path) {
    if (step.kind === 'field') value = (value as ReturnType<typeof reflect>).get(step);
    else if (step.kind === 'list_sub') value = (value as { get(i: number): unknown }).get(step.index);
    else return undefined;
  }
  return value;
}

