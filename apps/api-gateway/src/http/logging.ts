import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Params } from 'nestjs-pino';
import { destination, type Logger } from 'pino';
import { pinoOptions, type LogFormat } from '@acme/grpc-kit';

/** Orchestrator probes: neither logged nor counted as requests. */
export const PROBES = new Set(['/healthz', '/readyz']);
const pathOf = (url: string) => url.split('?')[0] ?? '';

/**
 * nestjs-pino for the gateway: the shared log format for Nest's logger, with
 * `requestId` mixed into every line written while a request is handled, from
 * its call context (request-context.ts), as the gRPC services do. Its
 * pino-http middleware runs on no route: Nest middleware reaches Fastify
 * through @fastify/middie, and that detour with pino-http's per-request child
 * loggers and serializers cost ~10 % of the gateway's CPU per request in the
 * bench's profile; the access line is written by a Fastify hook instead
 * (installAccessLog). JSON lines go to stdout asynchronously: a line is
 * written at once when no write is under way, and the lines that come during
 * one are written together after it (one write per burst, not one per
 * access line), flushed when the process exits.
 */
export function gatewayLoggerParams(level: string, format: LogFormat): Params {
  const options = pinoOptions('api-gateway', level, format, { requestIdFromCallContext: true });
  return { pinoHttp: format === 'json' ? [options, destination({ dest: 1, sync: false })] : options, forRoutes: [] };
}

const asIs = (value: unknown) => value;

/** An upstream that is down or slow is not a bug here (warn); any other 5xx is (error). */
const levelOf = (statusCode: number) => (statusCode === 503 || statusCode === 504 ? 'warn' : statusCode >= 500 ? 'error' : 'info');

/**
 * One access line per request, once its answer is written ("request
 * completed") or its client has gone first ("request aborted", e.g. an event
 * stream closed by its reader). What happened only: headers and bodies may
 * hold personal data. A 5xx line carries no stack: the cause, when there is
 * one, is logged by the problem filter with the same requestId.
 */
export function installAccessLog(fastify: FastifyInstance, rootLogger: () => Logger): void {
  const logged = (request: FastifyRequest) => !PROBES.has(pathOf(request.url));
  // The root logger is pino-http's, whose req/res serializers expect Node's request and response objects; these lines carry plain ones.
  let accessLogger: Logger | undefined;
  const log = () => (accessLogger ??= rootLogger().child({}, { serializers: { req: asIs, res: asIs } }));
  fastify.addHook('onResponse', (request, reply, done) => {
    if (logged(request)) {
      const statusCode = reply.statusCode;
      log()[levelOf(statusCode)](
        { requestId: request.id, req: { method: request.method, url: request.url }, res: { statusCode }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
  // Fastify hands this hook the request only: the answer was not (fully) sent, so there is no status to report.
  fastify.addHook('onRequestAbort', (request, done) => {
    if (logged(request)) log().info({ requestId: request.id, req: { method: request.method, url: request.url } }, 'request aborted');
    done();
  });
}
