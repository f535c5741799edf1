import { CENTS_PATTERN, SKU_PATTERN, UUID_PATTERN } from '../http/schema-patterns';

// JSON schemas of the /orders routes (see user.schemas.ts for what the edge
// checks and what it leaves to the services).

export const orderItemBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'quantity', 'unitPriceCents'],
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN, example: 'BOOK-42' },
    quantity: { type: 'integer', minimum: 1, maximum: 10_000, example: 2 },
    unitPriceCents: {
      type: 'string',
      pattern: CENTS_PATTERN,
      description: 'Price of one unit in cents, as a decimal string (int64; JSON numbers are not exact above 2^53).',
      example: '1999',
    },
  },
} as const;

export const createOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['userId', 'items'],
  properties: {
    userId: { type: 'string', pattern: UUID_PATTERN, description: 'The buyer; must be an existing user.' },
    items: { type: 'array', minItems: 1, maxItems: 100, items: orderItemBody },
  },
} as const;

export interface OrderItemBody {
  sku: string;
  quantity: number;
  unitPriceCents: string;
}

export interface CreateOrderBody {
  userId: string;
  items: OrderItemBody[];
}

export const orderSchema = {
  type: 'object',
  required: ['id', 'userId', 'items', 'totalCents', 'status', 'createTime', 'updateTime'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    userId: { type: 'string', format: 'uuid' },
    items: { type: 'array', items: { $ref: '#/components/schemas/OrderItem' } },
    totalCents: { type: 'string', description: 'Sum of quantity * unitPriceCents, in cents, as a decimal string.', example: '3998' },
    status: { type: 'string', enum: ['CREATED', 'CANCELLED'] },
    createTime: { type: 'string', format: 'date-time' },
    updateTime: { type: 'string', format: 'date-time' },
  },
} as const;

export const orderPageSchema = {
  type: 'object',
  required: ['orders', 'nextPageToken'],
  properties: {
    orders: { type: 'array', items: { $ref: '#/components/schemas/Order' } },
    nextPageToken: { type: 'string', nullable: true, description: 'Pass as page_token for the next page; null on the last page.' },
  },
} as const;
