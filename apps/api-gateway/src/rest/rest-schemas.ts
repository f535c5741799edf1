import type { DescField } from '@bufbuild/protobuf';
import type { RouteSchema } from '@nestjs/platform-fastify';
import { maxLengthOf } from '@acme/contracts';
import { jsonSchemaOf, jsonSchemaOfField } from '@acme/grpc-kit';
import { idempotencyKeyHeaders } from '../http/common.schemas';
import { INTEGER_TEXT_PATTERN } from '../http/schema-patterns';
import type { RestRoute } from './rest-routes';

// What Fastify checks of a route's parts before the handler runs: the shape
// of each (the field rules are protovalidate's, in the upstream client).

/** Names of the request fields a route's body does not carry (path variables, the Idempotency-Key header). */
export const omittedFromBody = (route: RestRoute): string[] =>
  [...route.pathFields, ...(route.idempotencyKey ? [route.idempotencyKey.field] : [])].map((f) => f.name);

/**
 * A path or query value is text: the check schema of the field's JSON when
 * that is text too (strings, int64), whole-number text for integers. Other
 * kinds have no text form here yet and are refused when the routes are built.
 */
export function textValueSchema(field: DescField): object {
  const json = jsonSchemaOfField(field, { purpose: 'check' });
  if (json['type'] === 'string') return json;
  if (json['type'] === 'integer') return { type: 'string', pattern: INTEGER_TEXT_PATTERN };
  throw new Error(`${field.toString()}: a ${String(json['type'])} cannot be sent in a path or query string yet`);
}

/** The header an EventSource sends when it reconnects: the id of the last event it received (a server stream's resume token). */
export const LAST_EVENT_ID_HEADER = 'last-event-id';

/** As long as the request's resume token may be; what it must be is the service's to say. */
const lastEventIdHeaders = (field: DescField) => ({
  type: 'object',
  properties: { [LAST_EVENT_ID_HEADER]: { type: 'string', maxLength: maxLengthOf(field) } },
});

export function routeSchema(route: RestRoute): Parameters<typeof RouteSchema>[0] {
  const texts = (fields: readonly DescField[]) => Object.fromEntries(fields.map((f) => [f.name, textValueSchema(f)]));
  return {
    ...(route.pathFields.length > 0 ? { params: { type: 'object', required: route.pathFields.map((f) => f.name), properties: texts(route.pathFields) } } : {}),
    ...(route.bodyFields.length > 0 ? { body: jsonSchemaOf(route.method.input, { purpose: 'check', omit: omittedFromBody(route) }) } : {}),
    ...(route.verb === 'GET' || route.verb === 'DELETE' ? { querystring: { type: 'object', additionalProperties: false, properties: texts(route.queryFields) } } : {}),
    ...(route.idempotencyKey ? { headers: idempotencyKeyHeaders(route.idempotencyKey.field) } : {}),
    ...(route.resume ? { headers: lastEventIdHeaders(route.resume.request) } : {}),
  };
}
