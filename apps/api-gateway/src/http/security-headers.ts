import cors from '@fastify/cors';
import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REQUEST_ID_KEY } from '@acme/grpc-kit';
import { IDEMPOTENCY_KEY_HEADER } from './common.schemas';

/** One year, with subdomains: what browsers' preload lists ask for. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The headers browsers act on, on every answer including errors (helmet sets
 * them in onRequest, before any route or error handler runs):
 * - helmet's defaults (nosniff, frame and referrer policies, cross-origin
 *   isolation headers) and a Content-Security-Policy that lets the Swagger UI
 *   at /docs load its own scripts, styles and data: images from this origin
 *   and nothing else, and no page frame this one;
 * - Strict-Transport-Security only on a request that arrived over TLS: over
 *   plain HTTP (the gateway behind a TLS-terminating ingress, or local use) it
 *   would promise something this process cannot see;
 * - CORS for the origins configured (CORS_ALLOWED_ORIGINS), none by default:
 *   exactly those origins, the headers the API reads and the ones it answers
 *   with that a script may need to quote (request id, trace, Retry-After).
 * Fastify sends no Server or X-Powered-By header of its own.
 */
export async function installSecurityHeaders(app: NestFastifyApplication, options: { corsAllowedOrigins: readonly string[] }): Promise<void> {
  // helmet itself, built once: @fastify/helmet builds a helmet middleware per
  // request (it re-parses the CSP directives every time), which the bench's
  // profile showed at ~5 % of the gateway's CPU per request.
  const setHeaders = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  app.getHttpAdapter().getInstance().addHook('onRequest', (request, reply, done) => {
    setHeaders(request.raw, reply.raw, (error?: unknown) => {
      if (request.protocol === 'https') void reply.header('strict-transport-security', HSTS);
      done(error as Error | undefined);
    });
  });
  if (options.corsAllowedOrigins.length === 0) return;
  await app.register(cors, {
    origin: [...options.corsAllowedOrigins],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', IDEMPOTENCY_KEY_HEADER, REQUEST_ID_KEY, 'traceparent', 'last-event-id'],
    exposedHeaders: [REQUEST_ID_KEY, 'traceparent', 'retry-after', 'location', IDEMPOTENCY_KEY_HEADER],
    maxAge: 600,
  });
}
