import { status } from '@grpc/grpc-js';
import type { DescField, DescMessage, DescService } from '@bufbuild/protobuf';
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { accessOf, PROTO_COMMENTS } from '@acme/contracts';
import { httpStatusForGrpc, jsonSchemaOf, jsonSchemaOfField, type JsonSchema, PROBLEM_CONTENT_TYPE } from '@acme/grpc-kit';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeaders } from '../http/common.schemas';
import { accessNote, ApiAccess } from '../http/openapi-security';
import { ApiProblems } from '../http/problem.schema';
import { NDJSON_MAX_LINE_BYTES } from '../streams/ndjson-items';
import { NDJSON_CONTENT_TYPE } from '../streams/streamed-body';
import { restRoutesOf, type RestRoute } from './rest-routes';

/** The event stream's media type without its charset parameter, as OpenAPI keys content. */
const EVENT_STREAM_MEDIA_TYPE = 'text/event-stream';
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
  if (route.kind === 'server_stream') return ApiEventStreamRoute(service, route);
  if (route.kind === 'client_stream') return ApiLineStreamRoute(service, route);
  const { comment, decorators } = operationAndParameters(service, route);
  const output = route.method.output;
  return applyDecorators(
    ...decorators,
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
 * What every route documents alike: its operation, from the RPC's comment
 * and its access rule (the security requirement, and what the scopes alone
 * do not say), and its path and query parameters.
 */
function operationAndParameters(service: DescService, route: RestRoute): { comment: string; decorators: MethodDecorator[] } {
  const comment = commentOf(service, route);
  const [summary] = comment.split(/(?<=\.)\s/, 1);
  const rule = accessOf(route.method);
  const description = [comment, accessNote(rule)].filter((part) => part !== '').join('\n\n');
  return {
    comment,
    decorators: [
      ApiOperation({ operationId: route.method.localName, summary: summary || route.method.name, description }),
      ApiAccess(rule),
      ...route.pathFields.map((field) => ApiParam({ name: field.name, description: describe(field), schema: jsonSchemaOfField(field, documentOptions) })),
      ...route.queryFields.map((field) =>
        // Typed as their JSON (an integer page_size): OpenAPI clients write it as query text.
        ApiQuery({ name: field.name, required: false, description: describe(field), schema: jsonSchemaOfField(field, documentOptions) }),
      ),
    ],
  };
}

/** A server stream: a text/event-stream answer, one event per message, resumable with Last-Event-ID. */
function ApiEventStreamRoute(service: DescService, route: RestRoute): MethodDecorator {
  const { comment, decorators } = operationAndParameters(service, route);
  const output = route.method.output;
  const resume = route.resume;
  return applyDecorators(
    ...decorators,
    ...(resume
      ? [
          ApiHeader({
            name: 'Last-Event-ID',
            required: false,
            description: `Resume after this event (an EventSource sends it when it reconnects): fills \`${resume.request.name}\`, and wins over the query parameter.`,
            schema: { type: 'string' },
          }),
        ]
      : []),
    ApiProduces(EVENT_STREAM_MEDIA_TYPE),
    ApiResponse({
      status: 200,
      description:
        `Server-Sent Events, once ${route.method.name} was accepted: each ${output.name} one event, \`data:\` its JSON (the schema)` +
        `${resume ? `, \`id:\` its \`${resume.eventId.name}\` when it has one` : ''}; a \`: ping\` comment whenever the stream is quiet for a while. ` +
        'When the upstream replica goes away the gateway reopens the stream where it left off, unseen. A failure after the answer started ends the ' +
        'stream with `event: error`, its `data:` the problem document the status below would carry.',
      content: { [EVENT_STREAM_MEDIA_TYPE]: { schema: { $ref: ref(output) } } },
    }),
    ApiProblems(400, ...documentedStatuses(comment)),
  );
}

/** A client stream: an application/x-ndjson body, one line per item, answered once. */
function ApiLineStreamRoute(service: DescService, route: RestRoute): MethodDecorator {
  const { comment, decorators } = operationAndParameters(service, route);
  const line = route.lineField?.message;
  if (!line) throw new Error(`${route.method.toString()}: a client stream route without a line field`);
  const failures = route.failureList?.name;
  return applyDecorators(
    ...decorators,
    ApiConsumes(NDJSON_CONTENT_TYPE),
    ApiBody({
      description:
        `Newline-delimited JSON: each line one ${line.name} (the schema), streamed to ${route.method.name} as it arrives, at most ` +
        `${NDJSON_MAX_LINE_BYTES} bytes a line; blank lines are skipped.` +
        (failures
          ? ` A line that is not such JSON is not sent but reported in \`${failures}\` by its index (0 is the first line), as the service reports the items it refuses.`
          : ' A line that is not such JSON refuses the whole body.'),
      schema: jsonSchemaOf(line, documentOptions),
    }),
    ApiResponse({ status: 200, description: route.method.output.name, schema: { $ref: ref(route.method.output) } }),
    ApiResponse({
      status: 415,
      description: `The body is not ${NDJSON_CONTENT_TYPE}.`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    }),
    ApiProblems(400, ...documentedStatuses(comment)),
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
      // A line's schema is inline (its idempotency key is in the line, not a header); what it contains is named.
      for (const field of route.lineField?.message?.fields ?? []) if (field.message) add(field.message);
    }
  }
  return components;
}
