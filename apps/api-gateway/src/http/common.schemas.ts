import { PAGE_SIZE_PATTERN, UUID_PATTERN } from './schema-patterns';

/** `:id` path parameters are UUIDs. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: UUID_PATTERN } },
} as const;

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page_size: { type: 'string', pattern: PAGE_SIZE_PATTERN },
    page_token: { type: 'string', maxLength: 1024 },
  },
} as const;

export interface PageQuery {
  page_size?: string;
  page_token?: string;
}
