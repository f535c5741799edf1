import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { INT64_FORMAT, INT64_FORMAT_NAME } from '@acme/grpc-kit';

/**
 * How the edge's JSON-schema validator is configured, for Fastify's route
 * schemas and for what the edge checks itself (each line of a streamed
 * body): nothing coerced (`"quantity": "2"` is refused, not fixed), nothing
 * dropped (a typo is an unknown field), OpenAPI's `example` allowed,
 * int64 as decimal strings.
 */
export const EDGE_AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  keywords: ['example'],
  formats: { [INT64_FORMAT_NAME]: INT64_FORMAT },
} as const;

/** A validator configured as Fastify's (which adds ajv-formats to these options). */
export function compileEdgeSchema(schema: object): ValidateFunction {
  const ajv = new Ajv({ ...EDGE_AJV_OPTIONS, keywords: [...EDGE_AJV_OPTIONS.keywords], formats: { ...EDGE_AJV_OPTIONS.formats } });
  addFormats(ajv);
  return ajv.compile(schema);
}
