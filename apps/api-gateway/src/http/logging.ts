import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { pinoOptions, requestIdFrom, REQUEST_ID_KEY, type LogFormat } from '@acme/grpc-kit';

const PROBES = new Set(['/healthz', '/readyz']);

/**
 * nestjs-pino's pinoHttp options for the gateway: the shared log format, one
 * access line per request, and `requestId` on every line logged while the
 * request is handled (the same field name the gRPC services use).
 */
export function gatewayLogOptions(level: string, format: LogFormat): Options {
  return {
    ...pinoOptions('api-gateway', level, format),
    genReqId: (req: IncomingMessage) => (req as { id?: string }).id ?? requestIdFrom(req.headers[REQUEST_ID_KEY]),
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
    // Orchestrator probes every few seconds would drown the access log.
    autoLogging: { ignore: (req: IncomingMessage) => PROBES.has((req.url ?? '').split('?')[0] ?? '') },
  };
}
