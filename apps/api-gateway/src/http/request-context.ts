import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { REQUEST_ID_KEY, requestIdFrom, runWithCallContext } from '@acme/grpc-kit';
import { activeTraceparent } from '@acme/telemetry';
import { edgeCallerOf } from '../auth/edge-auth';

/**
 * The request id, derived once per request: the caller's x-request-id when it
 * is usable, otherwise a fresh one. Fastify (genReqId) and the answers to
 * clients that never finish their request (client-errors.ts) both ask; the
 * id is stored on the raw request, so both agree on one id.
 */
export function requestIdOf(raw: IncomingMessage): string {
  const request = raw as IncomingMessage & { id?: string };
  return (request.id ??= requestIdFrom(raw.headers[REQUEST_ID_KEY]));
}

/**
 * Makes the request id visible to the client and to everything the handler
 * calls:
 * - onRequest echoes it as a response header (errors included), and the
 *   request's traceparent when it is traced, so a client can quote both;
 * - preHandler runs the handler inside a call context, read by the upstream
 *   clients (which send it as gRPC metadata) and by the log format's mixin
 *   (each line written meanwhile carries its requestId): one async store per
 *   request, not also nestjs-pino's per-request logger (a second store whose
 *   propagation every promise of the request would pay for, and a child
 *   logger). This is done in preHandler, not onRequest, because the async
 *   context set before the body is read does not survive Fastify's body
 *   parsing (stream events run in the socket's context).
 */
export function installRequestContext(fastify: FastifyInstance, rootLogger: () => Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    echoRequestId(request, reply);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const caller = edgeCallerOf(request);
    const context = { requestId: request.id, deadline: undefined, method: `${request.method} ${request.routeOptions.url ?? request.url}`, ...(caller ? { caller } : {}) };
    // With LOG_LEVEL=debug, a request that never completes still leaves a trace.
    const logger = rootLogger();
    if (logger.isLevelEnabled('debug')) logger.debug({ requestId: request.id, method: request.method, url: request.url }, 'request received');
    runWithCallContext(context, done);
  });
}

/** The request id (and traceparent) as response headers (also used where Fastify answers without running hooks). */
export function echoRequestId(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header(REQUEST_ID_KEY, request.id);
  const traceparent = activeTraceparent();
  if (traceparent) void reply.header('traceparent', traceparent);
}
