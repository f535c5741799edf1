import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Media type of a body of newline-delimited JSON values (one per line). */
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/** What a route whose body is streamed to its handler carries in its Fastify route config (rest-controller.ts). */
export interface StreamedBodyRouteConfig {
  readonly streamedBody?: { readonly mediaType: typeof NDJSON_CONTENT_TYPE };
}

/** The media type a route's body must have: its streamed body's, else JSON (the ProblemFilter's 415 names it). */
export const bodyMediaTypeOf = (request: FastifyRequest): string =>
  (request.routeOptions?.config as StreamedBodyRouteConfig | undefined)?.streamedBody?.mediaType ?? 'application/json';

const bodies = new WeakMap<FastifyRequest, Readable>();

/** The unread body of a streamed-body route; undefined when the request has none (no bytes at all). */
export const streamedBodyOf = (request: FastifyRequest): Readable | undefined => bodies.get(request);

const unsupportedMediaType = () => Object.assign(new Error('unsupported media type'), { statusCode: 415 });

/**
 * Bodies that are streams, not documents: on a route that says so (its
 * config's streamedBody), an NDJSON body is handed to the handler unread,
 * to be read as fast as it is passed on. Fastify's body limit applies to
 * bodies Fastify reads itself, so it does not cap these; the handler bounds
 * each line instead. Another media type there is refused (415) before a
 * byte is read, as is NDJSON on every other route.
 */
export function installStreamedBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(NDJSON_CONTENT_TYPE, (request, payload, done) => {
    if (bodyMediaTypeOf(request) !== NDJSON_CONTENT_TYPE) {
      done(unsupportedMediaType(), undefined);
      return;
    }
    bodies.set(request, payload as Readable);
    done(null, undefined);
  });
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const wanted = (request.routeOptions.config as StreamedBodyRouteConfig | undefined)?.streamedBody?.mediaType;
    const sent = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (wanted !== undefined && sent !== wanted) throw unsupportedMediaType();
    return payload;
  });
}
