import type { DescField } from '@bufbuild/protobuf';
import { maxLengthOf } from '@acme/contracts';
import { VISIBLE_ASCII_PATTERN } from './schema-patterns';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/**
 * The Idempotency-Key request header of the creating routes. The key is
 * echoed in the response, stored by the service and must come back byte for
 * byte on a retry, so it is visible ASCII only (anything else would be
 * echoed as other bytes, that is another key). Spaces are refused too: HTTP
 * trims them at either end, and Node joins a repeated header with ", ".
 */
export const idempotencyKeyHeaders = (field: DescField) => ({
  type: 'object',
  properties: {
    // As long as the request's idempotency_key may be.
    [IDEMPOTENCY_KEY_HEADER]: { type: 'string', minLength: 1, maxLength: maxLengthOf(field), pattern: VISIBLE_ASCII_PATTERN },
  },
});
