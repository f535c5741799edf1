import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { pinoOptions, type LogFormat } from '@acme/grpc-kit';
import { requestIdOf } from './request-context';

/** Orchestrator probes: neither logged nor counted as requests. */
export const PROBES = new Set(['/healthz', '/readyz']);
const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] ?? '';

/**
 * nestjs-pino's pinoHttp options for the gateway: the shared log format, one
 * access line per request, and `requestId` on every line logged while the
 * request is handled (the same field name the gRPC services use).
 */
export function gatewayLogOptions(level: string, format: LogFormat): Options {
  return {
    ...pinoOptions('api-gateway', level, format),
    genReqId: requestIdOf,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // The access line says what happened; headers and bodies may hold personal data.
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (res.statusCode === 503 || res.statusCode === 504) return 'warn'; // an upstream is down or slow, not a bug here
      return error || res.statusCode >= 500 ? 'error' : 'info';
    },
    // A 5xx line needs no stack trace of pino-http's own making: the cause, when
    // there is one, is logged by the problem filter with the same requestId.
    customErrorMessage: () => 'request completed',
    customErrorObject: (_req: IncomingMessage, _res: ServerResponse, _error: Error, entry: Record<string, unknown>) => {
      const { err: _stack, ...rest } = entry;
      return rest;
    },
    // Orchestrator probes every few seconds would drown the access log.
    // (Middleware sees req.url relative to its mount point; originalUrl is the request's.)
    autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => PROBES.has(pathOf(req.originalUrl ?? req.url)) },
  };
}
