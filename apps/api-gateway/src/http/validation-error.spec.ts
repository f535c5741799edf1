import type { FastifySchemaValidationError } from 'fastify';
import { EdgeValidationError, schemaErrorToValidationError } from './validation-error';
import { INTEGER_TEXT_PATTERN } from './schema-patterns';

const violation = (keyword: string, instancePath: string, params: Record<string, unknown>, message?: string): FastifySchemaValidationError => ({
  keyword,
  instancePath,
  schemaPath: '#/x',
  params,
  message,
});

const format = (error: FastifySchemaValidationError, part: 'body' | 'headers' | 'params' | 'querystring' = 'body') =>
  schemaErrorToValidationError([error], part) as EdgeValidationError;

describe('schemaErrorToValidationError', () => {
  it('names nested fields the way the client wrote them', () => {
    expect(format(violation('type', '/items/12/quantity', { type: 'integer' })).message).toBe('items[12].quantity: must be an integer');
    expect(format(violation('required', '/items/0', { missingProperty: 'sku' })).message).toBe('items[0].sku: is required');
    expect(format(violation('required', '', { missingProperty: 'email' })).message).toBe('email: is required');
    expect(format(violation('additionalProperties', '', { additionalProperty: 'isAdmin' })).message).toBe('isAdmin: is not a known field');
    expect(format(violation('type', '', { type: 'object' })).message).toBe('body: must be a JSON object');
  });

  it('keeps field and reason apart for the problem document', () => {
    const error = format(violation('maxLength', '/name', { limit: 200 }));
    expect(error).toBeInstanceOf(EdgeValidationError);
    expect(error).toMatchObject({ field: 'name', reason: 'must be at most 200 characters', statusCode: 400 });
  });

  it('explains patterns in words and spells header names conventionally', () => {
    expect(format(violation('pattern', '/page_size', { pattern: INTEGER_TEXT_PATTERN }), 'querystring').message).toBe('page_size: must be a whole number');
    expect(format(violation('format', '/items/0/unitPriceCents', { format: 'int64-decimal' })).message).toMatch(/^items\[0\]\.unitPriceCents: must be an int64 as a decimal string/);
    expect(format(violation('maxLength', '/idempotency-key', { limit: 255 }), 'headers').message).toBe(
      'Idempotency-Key: must be at most 255 characters',
    );
    expect(format(violation('minItems', '/items', { limit: 1 })).message).toBe('items: must contain at least 1 item');
  });

  it("falls back to ajv's own message for keywords it does not know", () => {
    expect(format(violation('multipleOf', '/n', { multipleOf: 5 }, 'must be multiple of 5')).message).toBe('n: must be multiple of 5');
  });
});
