import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeaders } from './common.schemas';
import { PAGE_SIZE_PATTERN, UUID_PATTERN } from './schema-patterns';

/** OpenAPI for an `:id` path parameter (a UUID). */
export const ApiIdParam = (what: string) =>
  applyDecorators(ApiParam({ name: 'id', description: `The ${what}'s UUID.`, schema: { type: 'string', pattern: UUID_PATTERN } }));

/** OpenAPI for the page_size / page_token query parameters of list routes. */
export const ApiPageQueries = () =>
  applyDecorators(
    ApiQuery({ name: 'page_size', required: false, description: '1 to 100; 0 or absent means 20.', schema: { type: 'string', pattern: PAGE_SIZE_PATTERN } }),
    ApiQuery({ name: 'page_token', required: false, description: 'nextPageToken of the previous page.', schema: { type: 'string' } }),
  );

/** OpenAPI for the optional Idempotency-Key request header, with the schema it is validated with. */
export const ApiIdempotencyKeyHeader = (description: string) =>
  applyDecorators(
    ApiHeader({ name: 'Idempotency-Key', required: false, description, schema: { ...idempotencyKeyHeaders.properties[IDEMPOTENCY_KEY_HEADER] } }),
  );

/** OpenAPI for the 201 answer of a create route that takes an Idempotency-Key: the resource, its Location, the key echoed. */
export const ApiCreatedWithKey = (options: { what: string; description: string; schema: object; echoedKey: string }) =>
  applyDecorators(
    ApiResponse({
      status: 201,
      description: options.description,
      schema: options.schema,
      headers: {
        Location: { description: `URL of the ${options.what}.`, schema: { type: 'string' } },
        'Idempotency-Key': { description: options.echoedKey, schema: { type: 'string' } },
      },
    }),
  );
