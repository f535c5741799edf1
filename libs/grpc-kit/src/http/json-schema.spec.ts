import { orderV1, userV1 } from '@acme/contracts';
import { INT64_FORMAT, jsonSchemaOf } from './json-schema';

describe('jsonSchemaOf (proto3 JSON mapping, from the descriptors)', () => {
  it('check: the shape only; rules are left to protovalidate, presence to field_behavior', () => {
    expect(jsonSchemaOf(orderV1.CreateOrderRequestSchema, { purpose: 'check', omit: ['idempotency_key'] })).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['userId', 'items'],
      properties: {
        userId: { type: 'string' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['sku', 'quantity', 'unitPriceCents'],
            properties: {
              sku: { type: 'string' },
              quantity: { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 },
              unitPriceCents: { type: 'string', format: 'int64-decimal' },
            },
          },
        },
      },
    });
  });

  it('document: the rules JSON Schema can state, examples, and references to shared messages', () => {
    const refOf = (message: unknown) => (message === orderV1.OrderItemSchema ? '#/components/schemas/OrderItem' : undefined);
    expect(jsonSchemaOf(orderV1.CreateOrderRequestSchema, { purpose: 'document', omit: ['idempotency_key'], refOf }).properties).toEqual({
      userId: { type: 'string', minLength: 1, format: 'uuid' },
      items: { type: 'array', minItems: 1, maxItems: 100, items: { $ref: '#/components/schemas/OrderItem' } },
    });
    expect(jsonSchemaOf(orderV1.OrderItemSchema, { purpose: 'document' }).properties).toEqual({
      sku: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]*$', example: 'BOOK-42' },
      quantity: { type: 'integer', minimum: 1, maximum: 10_000, example: 2 },
      unitPriceCents: { type: 'string', pattern: '^-?[0-9]{1,19}$', description: 'int64 as a decimal string, >= 0', example: '1999' },
    });
    expect(jsonSchemaOf(userV1.CreateUserRequestSchema, { purpose: 'document', omit: ['idempotency_key'] })).toMatchObject({
      required: ['email', 'name'],
      properties: { email: { maxLength: 254, example: 'ada@example.com' }, name: { maxLength: 200 } },
    });
  });

  it("maps timestamps, enums and page tokens as the edge's JSON does", () => {
    expect(jsonSchemaOf(orderV1.ListOrdersResponseSchema, { purpose: 'document' }).properties).toMatchObject({ nextPageToken: { type: 'string', nullable: true } });
    expect(jsonSchemaOf(orderV1.OrderSchema, { purpose: 'document' }).properties).toMatchObject({
      status: { type: 'string', enum: ['UNSPECIFIED', 'CREATED', 'CANCELLED'] },
      createTime: { type: 'string', format: 'date-time' },
      totalCents: { type: 'string' },
    });
  });

  it('int64 format: decimal text within int64, nothing else', () => {
    for (const ok of ['0', '-9223372036854775808', '9223372036854775807', '1999']) expect(INT64_FORMAT.validate(ok)).toBe(true);
    for (const bad of ['', ' 1', '1e3', '12.50', '+1', '9223372036854775808', '-9223372036854775809', '0x10']) expect(INT64_FORMAT.validate(bad)).toBe(false);
  });
});
