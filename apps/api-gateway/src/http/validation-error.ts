import type { FastifySchemaValidationError } from 'fastify';
import { INT64_FORMAT_MESSAGE, INT64_FORMAT_NAME } from '@acme/grpc-kit';
import { PATTERN_MESSAGES } from './schema-patterns';

/** The part of the request a schema checked. */
export type RequestPart = 'body' | 'headers' | 'params' | 'querystring';

/** Input the edge refuses before any service is called. Answered 400, naming the field. */
export class EdgeValidationError extends Error {
  readonly statusCode = 400;

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'EdgeValidationError';
  }
}

/**
 * Fastify's schemaErrorFormatter: turns the first JSON-schema violation into
 * an EdgeValidationError whose field is written the way the client wrote it
 * (`items[0].quantity`, `page_size`, `Idempotency-Key`).
 */
export function schemaErrorToValidationError(errors: FastifySchemaValidationError[], dataVar: RequestPart): Error {
  const error = errors[0];
  if (!error) return new EdgeValidationError(dataVar, 'is invalid');
  const params = error.params as Record<string, unknown>;
  let path = fieldPath(error.instancePath);
  if (error.keyword === 'required') path = join(path, String(params['missingProperty']));
  if (error.keyword === 'additionalProperties') path = join(path, String(params['additionalProperty']));
  return new EdgeValidationError(fieldName(path, dataVar), reason(error, params));
}

/** How a field is named to the client: `items[0].quantity`, `Idempotency-Key`, or the part itself (`body`, `querystring`) for its root. */
export const fieldName = (path: string, part: RequestPart): string =>
  part === 'headers' ? headerName(path) : path || part;

function reason(error: FastifySchemaValidationError, params: Record<string, unknown>): string {
  const limit = params['limit'];
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'type':
      return `must be ${article(String(params['type']))}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`;
    case 'maxLength':
      return `must be at most ${limit} characters`;
    case 'minimum':
      return `must be at least ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    case 'minItems':
      return `must contain at least ${limit} item${limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must contain at most ${limit} items`;
    case 'pattern':
      return PATTERN_MESSAGES.get(String(params['pattern'])) ?? 'has an invalid format';
    case 'format':
      return params['format'] === INT64_FORMAT_NAME ? INT64_FORMAT_MESSAGE : `must be a valid ${String(params['format'])}`;
    default:
      return error.message ?? 'is invalid';
  }
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a JSON object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

const article = (type: string) => TYPE_NAMES[type] ?? type;

/** `/items/0/quantity` -> `items[0].quantity` */
export function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : join(path, segment)), '');
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** Header schemas see lower-case names; answer with the conventional spelling. */
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
