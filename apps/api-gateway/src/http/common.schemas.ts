import { MAX_IDEMPOTENCY_KEY_LENGTH } from '@acme/grpc-kit';
import { PAGE_SIZE_PATTERN, UUID_PATTERN, VISIBLE_ASCII_PATTERN } from './schema-patterns';

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

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/**
 * The Idempotency-Key request header of the creating routes. The key is
 * echoed in the response, stored by the service and must come back byte for
 * byte on a retry, so it is visible ASCII only (anything else would be
 * echoed as other bytes, that is another key). Spaces are refused too: HTTP
 * trims them at either end, and Node joins a repeated header with ", ".
 */
export const idempotencyKeyHeaders = {
  type: 'object',
  properties: {
    [IDEMPOTENCY_KEY_HEADER]: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: VISIBLE_ASCII_PATTERN },
  },
} as const;
