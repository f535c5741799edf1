import { InvalidArgumentError } from './status-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the UUID in canonical lower case, or throws INVALID_ARGUMENT naming the field. */
export function requireUuid(value: string, field: string): string {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (!UUID.test(value)) throw new InvalidArgumentError(field, `must be a UUID, got ${JSON.stringify(truncate(value))}`);
  return value.toLowerCase();
}

/** Length in Unicode code points (what a person counts), not UTF-16 units. */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Shortens user input before echoing it in an error message. */
export function truncate(value: string, max = 40): string {
  return codePointLength(value) <= max ? value : `${[...value].slice(0, max).join('')}…`;
}
