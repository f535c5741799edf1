import type { AddressInfo } from 'node:net';
import { type DynamicModule, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { applyHeapPolicy, gracefulShutdown, logMetricsEndpoint, type ServiceTls, TokenVerifier, type TokenVerifierOptions, withGrpcCredentials } from '@acme/grpc-kit';
import { installEdgeAuth } from '../auth/edge-auth';
import { type MetricsOptions, startMetrics } from '@acme/telemetry';
import { Readiness } from '../health/readiness';
import { clientErrorAnswerer } from './client-errors';
import { EDGE_AJV_OPTIONS } from './edge-ajv';
import { type ApiDescription, buildOpenApiDocument, serveApiDocs } from './openapi';
import { ProblemFilter } from './problem.filter';
import { parseQuerystring } from './querystring';
import { echoRequestId, installRequestContext, requestIdOf } from './request-context';
import { installHttpMetrics } from './http-metrics';
import { installAccessLog } from './logging';
import { installSecurityHeaders } from './security-headers';
import { type AbuseLimits, GatewayOverloaded, installAbuseLimits } from './abuse-limits';
import { type HttpTimeouts, serverTimeoutOptions } from './server-timeouts';
import { schemaErrorToValidationError } from './validation-error';
import { installStreamedBodies } from '../streams/streamed-body';
import { installWellFormedInput, refusalOfFrameworkError } from './well-formed-input';

/** Larger bodies are answered 413 before they are read to the end. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpGatewayOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** After SIGTERM, how long /readyz says 503 while requests are still served. */
  readonly drainDelayMs: number;
  /** How long in-flight requests may run once no new ones are accepted. */
  readonly shutdownGraceMs: number;
  /** How long a client may take to send a request, and stay connected without traffic. */
  readonly timeouts: HttpTimeouts;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  readonly corsAllowedOrigins?: readonly string[];
  readonly api: ApiDescription;
  /** Serve /openapi.json and /docs (default true). */
  readonly apiDocs?: boolean;
  /** Proxies in front whose X-Forwarded-For is believed (default 0). */
  readonly trustedProxyHops?: number;
  /** Verify access tokens and each route's access rule (edge-auth.ts); undefined: AUTH_MODE=off, nobody checked. */
  readonly auth?: TokenVerifierOptions | undefined;
  /** Rate limit and load shedding (abuse-limits.ts); undefined: neither. */
  readonly abuseLimits?: AbuseLimits;
  /** Exit the process after a signal-triggered shutdown (off when tests run the gateway in-process). */
  readonly exitOnShutdown?: boolean;
  /** The Prometheus endpoint, on a port of its own (see startMetrics); undefined: metrics off. */
  readonly metrics?: MetricsOptions;
  /** mTLS to the services (serviceTlsFromEnv): the upstream and health clients present this certificate; undefined: GRPC_TLS=off. */
  readonly tls?: ServiceTls | undefined;
  /** V8's old-generation growth between full GCs (applyHeapPolicy); undefined: V8's own. */
  readonly heapGrowingPercent?: number;
}

export interface RunningHttpGateway {
  readonly app: NestFastifyApplication;
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Graceful shutdown: not ready, drain delay, stop accepting, finish in-flight requests (bounded), close upstream channels. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts the REST edge with everything it needs, so main.ts stays a few lines:
 * Fastify with a 1 MiB body limit (the NDJSON body of a streaming route is
 * read line by line instead, streams/streamed-body.ts) and JSON-schema validation that neither
 * coerces types nor drops unknown fields (so `"quantity": "2"` and typos are
 * refused, not silently fixed); text that is not well-formed Unicode refused
 * in every part of every request; timeouts for slow clients; the request id
 * on every response, log line and upstream call; one problem+json filter for
 * every error; bearer-token authentication and each route's access rule
 * (edge-auth.ts); security headers and CORS (security-headers.ts); the OpenAPI document and Swagger UI; RED metrics per route on
 * a metrics port of their own; graceful shutdown on SIGTERM/SIGINT.
 */
export async function bootstrapHttpGateway(module: DynamicModule, options: HttpGatewayOptions): Promise<RunningHttpGateway> {
  if (options.heapGrowingPercent !== undefined) applyHeapPolicy(options.heapGrowingPercent);
  // First: the upstream clients built with the app create their instruments from its provider.
  const metrics = options.metrics && startMetrics(options.metrics);
  // PinoLogger.root exists once nestjs-pino's module is configured (during listen).
  const rootLogger = () => PinoLogger.root;
  const problems = new ProblemFilter(rootLogger);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    ...serverTimeoutOptions(options.timeouts),
    clientErrorHandler: clientErrorAnswerer(options.timeouts, rootLogger),
    // Fastify answers these before any hook runs, and with the error handler it had before Nest set its own.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      echoRequestId(request, reply);
      problems.answer(refusalOfFrameworkError(error, request), request, reply);
    },
    routerOptions: { querystringParser: parseQuerystring },
    genReqId: requestIdOf,
    // OpenAPI's `example` is allowed in the schemas; everything else unknown to JSON Schema is a mistake.
    ajv: { customOptions: { ...EDGE_AJV_OPTIONS, keywords: [...EDGE_AJV_OPTIONS.keywords] } },
    schemaErrorFormatter: schemaErrorToValidationError,
    // Fastify's own 503 while closing is its JSON, not a problem document, and skips the hooks (no access line):
    // requests that still arrive then (on a kept-alive connection that went idle after close() reaped the idle ones,
    // e.g. an event stream the shutdown ended) are refused by the `closing` hook below instead.
    return503OnClosing: false,
    // No Nest middleware here (hooks do that work, and the access log is one: logging.ts), so no @fastify/middie run on every request.
    skipMiddie: true,
    ...(options.trustedProxyHops ? { trustProxy: options.trustedProxyHops } : {}),
  });
  // Nest's body parsers would add application/x-www-form-urlencoded; this API speaks JSON only.
  const app = await NestFactory.create<NestFastifyApplication>(withGrpcCredentials(module, options.tls), adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  const logger = new NestLogger('Bootstrap');
  if (options.tls) logger.log(`calls the services with ${options.tls.describe()}`);
  else logger.warn('GRPC_TLS=off: the services are called in plaintext, without a client certificate');
  app.useGlobalFilters(problems);
  const fastify = app.getHttpAdapter().getInstance();
  // Once the server closes, a request that still arrives is refused 503 like any overload (its connection is closed
  // after the answer, so the client goes to another replica). First of the hooks: nothing else need run for it.
  let closing = false;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    problems.answer(new GatewayOverloaded('this gateway is shutting down; retry (another replica answers)'), request, reply);
  });
  // text/plain bodies are answered 415; JSON bodies are checked to be UTF-8 before Fastify's own parser.
  fastify.removeContentTypeParser('text/plain');
  await installSecurityHeaders(app, { corsAllowedOrigins: options.corsAllowedOrigins ?? [] });
  // Before the rate limit, which counts verified callers by subject.
  if (options.auth) installEdgeAuth(fastify, new TokenVerifier(options.auth), (error, request, reply) => problems.answer(error, request, reply));
  else logger.warn('AUTH_MODE=off: requests are not authenticated and the access rules are not enforced');
  const abuse = options.abuseLimits ? await installAbuseLimits(app, options.abuseLimits, rootLogger) : undefined;
  installWellFormedInput(fastify);
  installStreamedBodies(fastify);
  installRequestContext(fastify, rootLogger);
  installAccessLog(fastify, rootLogger);
  if (metrics) installHttpMetrics(fastify);
  // Once shutdown starts, each answer closes its connection: keep-alive
  // clients reconnect (to another replica) instead of holding this process
  // open until the grace period cuts them off.
  let draining = false;
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  if (options.apiDocs !== false) serveApiDocs(app, buildOpenApiDocument(app, options.api, options.auth?.issuer));

  await app.listen(options.port, options.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${displayHost(options.host)}:${port}`;
  logger.log(`api-gateway listening on ${url}${options.apiDocs !== false ? ` (API docs: ${url}/docs)` : ''}`);
  if (metrics) await logMetricsEndpoint(metrics, new NestLogger('Metrics'));

  const shutdown = gracefulShutdown({
    logger,
    announce: 'reporting not ready, finishing in-flight requests',
    markNotReady: () => {
      draining = true;
      app.get(Readiness).markShuttingDown();
    },
    drainDelayMs: options.drainDelayMs,
    // Fastify stops accepting connections and waits for in-flight requests;
    // then Nest's shutdown hooks close the upstream channels.
    stop: async () => {
      closing = true;
      const cutOff = setTimeout(() => {
        logger.warn(`requests still running after ${options.shutdownGraceMs} ms: closing their connections`);
        app.getHttpServer().closeAllConnections();
      }, options.shutdownGraceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(cutOff);
      }
      await abuse?.close();
      await metrics?.shutdown();
    },
    exitOnSignal: options.exitOnShutdown !== false,
  });

  return { app, url, shutdown };
}

/** A URL a person can open: 0.0.0.0 / :: mean "every interface", which includes localhost. */
const displayHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);
