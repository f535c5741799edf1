import { randomUUID } from 'node:crypto';
import { fromJson, type DescService, type JsonObject, type Message } from '@bufbuild/protobuf';
import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Put, Req, Res, type Type } from '@nestjs/common';
import { RouteConfig, RouteSchema } from '@nestjs/platform-fastify';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessOf } from '@acme/contracts';
import { toEdgeJson } from '@acme/grpc-kit';
import type { AccessRouteConfig } from '../auth/edge-auth';
import { type ClientStreamCall, NdjsonRelay } from '../streams/ndjson-relay';
import { type OpenStream, SseRelay } from '../streams/sse-relay';
import { NDJSON_CONTENT_TYPE, type StreamedBodyRouteConfig } from '../streams/streamed-body';
import { IDEMPOTENCY_KEY_HEADER } from '../http/common.schemas';
import { EdgeValidationError } from '../http/validation-error';
import { ApiRoute } from './rest-openapi';
import { fastifyPath, fillTemplate, restRoutesOf, type RestRoute, type Verb } from './rest-routes';
import { LAST_EVENT_ID_HEADER, routeSchema } from './rest-schemas';

const ROUTE_DECORATORS: Record<Verb, (path: string) => MethodDecorator> = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete };

type UnaryCall = (request: Message) => Promise<Message>;

/**
 * A NestJS controller serving `service`'s REST routes (rest-routes.ts) by
 * calling the upstream client registered under `client`: one handler per
 * route, the same translation for all of them, the OpenAPI description from
 * the same route table (rest-openapi.ts); a server stream is relayed as
 * Server-Sent Events (SseRelay), a client stream from an NDJSON body
 * (NdjsonRelay), through the same route registration, so the same hooks
 * (authentication, limits, request id) cover them. Nothing here names a
 * route or a field: a method added to the proto with an http rule is served
 * and documented on the next build.
 */
export function restController(service: DescService, client: symbol): Type<unknown> {
  class RestController {
    constructor(
      readonly upstream: Record<string, unknown>,
      readonly events: SseRelay,
      readonly lines: NdjsonRelay,
    ) {}
  }
  Inject(client)(RestController, undefined, 0);
  Inject(SseRelay)(RestController, undefined, 1);
  Inject(NdjsonRelay)(RestController, undefined, 2);
  Controller()(RestController);
  ApiTags(service.name)(RestController);

  for (const route of restRoutesOf(service)) {
    const name = route.method.localName;
    const location = locationOf(route);
    const descriptor: PropertyDescriptor = {
      value: function (this: RestController, request: FastifyRequest, reply: FastifyReply) {
        const call = this.upstream[name];
        if (typeof call !== 'function') throw new Error(`the ${service.name} client has no method ${name}`);
        if (route.kind === 'server_stream') {
          const open: OpenStream = (message) => {
            try {
              return (call as OpenStream)(message);
            } catch (error) {
              throw asClientWroteIt(route, error);
            }
          };
          return this.events.relay(route, open, streamRequestOf(route, request), request, reply);
        }
        if (route.kind === 'client_stream') return this.lines.relay(route, call as ClientStreamCall, request, reply);
        return handle(route, location, call as UnaryCall, request, reply);
      },
      writable: true,
      configurable: true,
    };
    Object.defineProperty(RestController.prototype, name, descriptor);
    Req()(RestController.prototype, name, 0);
    Res({ passthrough: true })(RestController.prototype, name, 1);
    for (const decorate of [
      ROUTE_DECORATORS[route.verb](fastifyPath(route.template)),
      HttpCode(route.status),
      RouteSchema(routeSchema(route)),
      // Who may call it: the RPC's own rule, checked here before the body is read (edge-auth.ts) and again by the service.
      RouteConfig({
        access: { rule: accessOf(route.method), method: `${route.verb} ${route.template}` },
        ...(route.kind === 'client_stream' ? { streamedBody: { mediaType: NDJSON_CONTENT_TYPE } } : {}),
      } satisfies AccessRouteConfig & StreamedBodyRouteConfig),
      ApiRoute(service, route),
    ]) {
      decorate(RestController.prototype, name, descriptor);
    }
  }
  Object.defineProperty(RestController, 'name', { value: `${service.name}RestController` });
  return RestController;
}

/** The request's JSON from its path, query string and (with `body: "*"`) body. */
function requestJsonOf(route: RestRoute, request: FastifyRequest): JsonObject {
  const params = request.params as Record<string, string>;
  const query = request.query as Record<string, string | undefined>;
  // A route without `body: "*"` takes none: whatever a client sends there is not part of the request.
  const json: JsonObject = route.bodyFields.length > 0 ? { ...((request.body as JsonObject | undefined) ?? {}) } : {};
  for (const field of route.pathFields) json[field.jsonName] = params[field.name] ?? '';
  for (const field of route.queryFields) {
    const value = query[field.name];
    if (value !== undefined) json[field.jsonName] = value;
  }
  return json;
}

/** A server stream's request: as a unary one's, resuming from Last-Event-ID, which wins over the query (an EventSource keeps its URL and sends the newer id). */
function streamRequestOf(route: RestRoute, request: FastifyRequest): Message {
  const json = requestJsonOf(route, request);
  const lastEventId = request.headers[LAST_EVENT_ID_HEADER];
  if (route.resume && typeof lastEventId === 'string' && lastEventId !== '') json[route.resume.request.jsonName] = lastEventId;
  return requestFromJson(route, json);
}

async function handle(route: RestRoute, location: Location | undefined, call: UnaryCall, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const json = requestJsonOf(route, request);
  if (route.idempotencyKey) {
    const sent = request.headers[IDEMPOTENCY_KEY_HEADER] as string | undefined;
    const key = sent ?? (route.idempotencyKey.generated ? randomUUID() : '');
    // Set before the call, so error answers carry it too: the client retries with it.
    if (key !== '') void reply.header(IDEMPOTENCY_KEY_HEADER, key);
    json[route.idempotencyKey.field.jsonName] = key;
  }
  const response = await call(requestFromJson(route, json)).catch((error: unknown) => {
    throw asClientWroteIt(route, error);
  });
  if (location) void reply.header('location', location(response));
  return route.status === 204 ? undefined : toEdgeJson(route.method.output, response);
}

type Location = (answer: Message) => string;

/** For a 201 route: the created resource's URL, its template's variables filled from the answer's fields of those names. */
function locationOf(route: RestRoute): Location | undefined {
  const template = route.locationTemplate;
  if (!template) return undefined;
  const localNames = new Map(route.method.output.fields.map((f) => [f.name, f.localName]));
  return (answer) => fillTemplate(template, (name) => String((answer as unknown as Record<string, unknown>)[localNames.get(name) ?? name]));
}

/** The request in the JSON mapping. The route schema has checked the shape, so this refuses only what it cannot see. */
function requestFromJson(route: RestRoute, json: JsonObject): Message {
  try {
    return fromJson(route.method.input, json);
  } catch (error) {
    throw new EdgeValidationError('body', `is not a valid ${route.method.input.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A rule broken by a path or query value is named as in the URL (`user_id`, `page_size`), not as its JSON field. */
function asClientWroteIt(route: RestRoute, error: unknown): unknown {
  if (!(error instanceof EdgeValidationError)) return error;
  const field = [...route.pathFields, ...route.queryFields].find((f) => f.jsonName === error.field);
  return field ? new EdgeValidationError(field.name, error.reason) : error;
}
