import { status } from '@grpc/grpc-js';
import type { DescField, DescMessage, DescService } from '@bufbuild/protobuf';
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { PROTO_COMMENTS } from '@acme/contracts';
import { httpStatusForGrpc, jsonSchemaOf, jsonSchemaOfField, type JsonSchema } from '@acme/grpc-kit';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeaders } from '../http/common.schemas';
import { ApiProblems } from '../http/problem.schema';
import { restRoutesOf, type RestRoute } from './rest-routes';
import { omittedFromBody } from './rest-schemas';

// The OpenAPI description of the REST routes, from the same route table the
// handlers use and the protos' comments (docs/contracts.md): summaries and
// descriptions are the RPCs' comments, the error answers the status codes
// each RPC's comment lists, the schemas the messages'.

const ref = (message: DescMessage) => `#/components/schemas/${message.name}`;
const describe = (field: DescField): string | undefined => PROTO_COMMENTS[`${field.parent.typeName}.${field.name}`];
const documentOptions = { purpose: 'document', refOf: ref, describe } as const;

/** An RPC's comment: the first sentence is the summary. */
const commentOf = (service: DescService, route: RestRoute) => PROTO_COMMENTS[`${service.typeName}.${route.method.name}`] ?? '';

/** The status codes an RPC's comment lists (`NOT_FOUND: ...` lines), as HTTP statuses. */
function documentedStatuses(comment: string): number[] {
  const codes = [...comment.matchAll(/^([A-Z_]+):/gm)].map((m) => status[m[1] as keyof typeof status]).filter((c) => typeof c === 'number');
  return codes.map((code) => httpStatusForGrpc(code));
}

/** The OpenAPI decorators of one route. */
export function ApiRoute(service: DescService, route: RestRoute): MethodDecorator {
  const comment = commentOf(service, route);
  const [summary] = comment.split(/(?<=\.)\s/, 1);
  const output = route.method.output;
  return applyDecorators(
    ApiOperation({ operationId: route.method.localName, summary: summary || route.method.name, description: comment }),
    ...route.pathFields.map((field) => ApiParam({ name: field.name, description: describe(field), schema: jsonSchemaOfField(field, documentOptions) })),
    ...route.queryFields.map((field) =>
      // Typed as their JSON (an integer page_size): OpenAPI clients write it as query text.
      ApiQuery({ name: field.name, required: false, description: describe(field), schema: jsonSchemaOfField(field, documentOptions) }),
    ),
    ...(route.idempotencyKey
      ? [
          ApiHeader({
            name: 'Idempotency-Key',
            required: false,
            description: `${describe(route.idempotencyKey.field) ?? ''}${route.idempotencyKey.generated ? ' Made by the gateway when absent.' : ''} Echoed in the response.`.trim(),
            schema: { ...idempotencyKeyHeaders(route.idempotencyKey.field).properties[IDEMPOTENCY_KEY_HEADER] },
          }),
        ]
      : []),
    ...(route.bodyFields.length > 0 ? [ApiBody({ schema: { $ref: ref(route.method.input) } })] : []),
    ApiResponse({
      status: route.status,
      description: route.status === 204 ? 'Done.' : output.name,
      ...(route.status === 204 ? {} : { schema: { $ref: ref(output) } }),
      ...(route.status === 201
        ? {
            headers: {
              Location: { description: `URL of the ${output.name}.`, schema: { type: 'string' } },
              ...(route.idempotencyKey ? { 'Idempotency-Key': { description: 'The key used: repeat it to retry safely.', schema: { type: 'string' } } } : {}),
            },
          }
        : {}),
    }),
    ApiProblems(400, ...documentedStatuses(comment), ...(route.bodyFields.length > 0 ? [413, 415] : [])),
  );
}

/**
 * The named schemas the routes refer to: each request body (without what
 * travels in the path or a header), each answer, and every message they
 * contain, by message name.
 */
export function apiComponents(services: readonly DescService[]): Record<string, JsonSchema> {
  const components: Record<string, JsonSchema> = {};
  const add = (message: DescMessage, omit: readonly string[] = []) => {
    if (components[message.name] || message.typeName.startsWith('google.protobuf.')) return;
    components[message.name] = jsonSchemaOf(message, { ...documentOptions, omit });
    for (const field of message.fields) if (field.message && !omit.includes(field.name)) add(field.message);
  };
  for (const service of services) {
    for (const route of restRoutesOf(service)) {
      if (route.bodyFields.length > 0) add(route.method.input, omittedFromBody(route));
      if (route.status !== 204) add(route.method.output);
    }
  }
  return components;
}
