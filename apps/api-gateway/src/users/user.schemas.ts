import { NOT_BLANK_PATTERN } from '../http/schema-patterns';

// JSON schemas of the /users routes. Fastify validates requests with them
// before a handler runs, and the OpenAPI document shows the same objects.
// They check the shape the contract (proto) documents: types, required
// fields, lengths, formats. Rules that take a service's judgement (is this a
// deliverable email address? was this page token issued by me?) stay with the
// service, which answers INVALID_ARGUMENT -> 400 itself.

export const createUserBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'name'],
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254, description: 'Unique, compared case-insensitively.', example: 'ada@example.com' },
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: NOT_BLANK_PATTERN,
      description: '1 to 200 characters, stored verbatim.',
      example: 'Ada Lovelace',
    },
  },
} as const;

export interface CreateUserBody {
  email: string;
  name: string;
}

export const userSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'createTime'],
  properties: {
    id: { type: 'string', format: 'uuid', example: '0194f5c2-7d1e-7c3a-9a51-3f1e2d4c5b6a' },
    email: { type: 'string', example: 'ada@example.com' },
    name: { type: 'string', example: 'Ada Lovelace' },
    createTime: { type: 'string', format: 'date-time', example: '2026-01-31T12:00:00.000Z' },
  },
} as const;

export const userPageSchema = {
  type: 'object',
  required: ['users', 'nextPageToken'],
  properties: {
    users: { type: 'array', items: { $ref: '#/components/schemas/User' } },
    nextPageToken: { type: 'string', nullable: true, description: 'Pass as page_token for the next page; null on the last page.' },
  },
} as const;
