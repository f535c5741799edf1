import { type Server as GrpcServer, type ServerUnaryCall } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { type INestMicroservice, Logger as NestLogger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { GrpcOptions } from '@nestjs/microservices';
import { Logger, PinoLogger } from 'nestjs-pino';
import { grpcServiceDefinition, packageOf } from '@acme/contracts';
import { normaliseDeadline, requestIdFromMetadata, runWithCallContext, type CallContext } from '../context/call-context';
import { GrpcExceptionFilter } from '../errors/grpc-exception.filter';
import { type ErrorClassifier, toGrpcError } from '../errors/to-grpc-error';
import { statusName } from '../errors/grpc-status';
import { type LiveStreams, SHUTDOWN_STREAM_STATUS } from './stream-calls';
import { GrpcHealth, HEALTH_SERVICE_NAME } from './health';
import { addReflection } from './reflection';
import { GrpcTransport } from './grpc-transport';
import { gracefulShutdown } from '../lifecycle/graceful-shutdown';
import { accessLogInterceptor } from './access-log';
import { serverChannelOptions, type ServerChannelTuning } from './server-channel-options';
import { MAX_METADATA_BYTES, limitHttp2Sessions } from './http2-session-limits';
import { cancelHttp2Sessions, http2ServersOf } from './grpc-js-http2-servers';
import { pingPolicyFor } from '../keepalive/keepalive-policy';
import { rejectMalformedRequests, withStrictDecoding } from '../request-decoding';
import { withRuleValidation } from '../request-validation';
import { rpcServerMetricsInterceptor } from '../metrics/rpc-metrics';
import { type MetricsEndpoint, type MetricsOptions, startMetrics } from '@acme/telemetry';
import { authorizeCalls, callerOf } from '../identity/call-authorization';
import { TokenVerifier, type TokenVerifierOptions } from '../identity/token-verifier';
import type { ServiceTls } from '../tls/service-tls';
import { authorizePeers, describePeerPolicy, type PeerPolicy } from '../tls/peer-policy';
import { withGrpcCredentials } from '../tls/grpc-credentials.module';
import { type HealthListener, startHealthListener } from './health-listener';
import { reportRefusedHandshakes } from './refused-handshakes';
import { applyHeapPolicy } from '../lifecycle/heap-policy';

export interface GrpcServiceOptions {
  /** The generated services served, e.g. [SERVICES.user] from @acme/contracts. */
  readonly services: readonly DescService[];
  /** host:port to listen on, e.g. 0.0.0.0:50051. */
  readonly url: string;
  /** After SIGTERM, how long to keep reporting NOT_SERVING before refusing new calls. */
  readonly drainDelayMs: number;
  /** How long in-flight calls may run after the server stops accepting new ones. */
  readonly shutdownGraceMs: number;
  readonly channel: ServerChannelTuning;
  /**
   * grpc.max_receive_message_length: what the service's largest valid request
   * needs (maxReceiveMessageBytes() from its LargestRequests), not grpc-js's
   * 4 MiB default, which lets one request cost hundreds of MiB to decode.
   */
  readonly maxReceiveMessageBytes: number;
  /** Turns infrastructure errors (e.g. "database unreachable") into proper statuses. */
  readonly errorClassifiers?: readonly ErrorClassifier[];
  /**
   * Run every call inside a call context (request id, incoming deadline), so
   * outgoing calls inherit them and log lines carry the request id. A service
   * that calls no other service may turn it off: AsyncLocalStorage costs
   * about 10 us of CPU per call on Node 20 (docs/benchmarks.md). Default on.
   */
  readonly propagateCallContext?: boolean;
  /** Exit the process after a signal-triggered shutdown (off in tests that run services in-process). */
  readonly exitOnShutdown?: boolean;
  /** The Prometheus endpoint (see startMetrics); undefined: metrics off. */
  readonly metrics?: MetricsOptions;
  /** Serve gRPC server reflection (default true). */
  readonly reflection?: boolean;
  /**
   * Verify every call's access token and enforce each method's
   * acme.auth.v1.access rule (call-authorization.ts); undefined: AUTH_MODE=off,
   * every caller trusted (logged loudly at startup).
   */
  readonly auth?: TokenVerifierOptions | undefined;
  /**
   * Mutual TLS (serviceTlsFromEnv): the server requires a client certificate
   * from the trust bundle, `peers` decides per method which workloads may
   * call, and the app's gRPC clients (GRPC_CHANNEL_CREDENTIALS) present this
   * workload's certificate. Undefined: GRPC_TLS=off, plaintext, no peer known
   * (logged loudly at startup).
   */
  readonly tls?: ServiceTls | undefined;
  /** Which workloads may call each RPC: one policy per service served (required with TLS). */
  readonly peers?: readonly PeerPolicy[];
  /** host:port of a plaintext listener serving grpc.health.v1 alone, for probes that cannot do TLS (health-listener.ts). */
  readonly healthUrl?: string | undefined;
  /** V8's old-generation growth between full GCs (heap-policy.ts); undefined: V8's own. */
  readonly heapGrowingPercent?: number;
}

export interface RunningGrpcService {
  readonly app: INestMicroservice;
  /** The server-streaming calls in flight. */
  readonly liveStreams: LiveStreams;
  /** Graceful shutdown: NOT_SERVING, drain delay, stop accepting, finish in-flight calls (bounded), close the app. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts a NestJS gRPC service with everything a production service needs,
 * so each app's main.ts is a few lines:
 * - the Transport.GRPC server with the generated codecs (no proto is parsed
 *   at run time) and the channel tuning;
 * - grpc.health.v1 (driven by GrpcHealth's readiness checks) and server
 *   reflection covering the service protos and health (unless turned off);
 * - a call context (request id, incoming deadline) and a per-request logger
 *   for every call, without a Nest interceptor on the hot path;
 * - the exception filter that never lets an error out as UNKNOWN;
 * - the proto's field rules (buf.validate) checked on every request;
 * - with mTLS, the calling workload's certificate required and each
 *   method's peer policy enforced, then the caller's access token verified
 *   and each method's access rule (acme.auth.v1.access), all before its
 *   handler runs;
 * - limits against hostile clients: message size, strict decoding (malformed
 *   protobuf and invalid UTF-8 are INVALID_ARGUMENT), concurrent streams,
 *   metadata size, ping rate;
 * - RED metrics of every call and the process's own, on a port of their own;
 * - graceful shutdown on SIGTERM/SIGINT.
 */
export async function bootstrapGrpcService(
  module: Type<unknown> | import('@nestjs/common').DynamicModule,
  options: GrpcServiceOptions,
): Promise<RunningGrpcService> {
  // Filled in as the pieces come to exist: the Nest app (health) before listen(),
  // the grpc-js server when the transport loads the protos during listen().
  const parts: { health?: GrpcHealth; grpcServer?: GrpcServer } = {};
  const peers = checkedPeerPolicies(options);
  if (options.heapGrowingPercent !== undefined) applyHeapPolicy(options.heapGrowingPercent);
  // First: instruments made while the app is built (database pool, upstream clients) must find the provider.
  const metrics = options.metrics && startMetrics(options.metrics);

  const grpcOptions: GrpcOptions['options'] = {
    url: options.url,
    package: [...new Set(options.services.map(packageOf))],
    // Keyed by full service name, as grpc-js's loadPackageDefinition expects.
    // Every request is decoded strictly and checked against its field rules:
    // malformed bytes and broken rules are INVALID_ARGUMENT before a handler runs.
    packageDefinition: Object.fromEntries(
      options.services.map((service) => [service.typeName, withRuleValidation(withStrictDecoding(grpcServiceDefinition(service)))]),
    ),
    // The grpc-js server is created in listen(), from these options (interceptors added below).
    channelOptions: serverChannelOptions(options.channel, options.maxReceiveMessageBytes),
    gracefulShutdown: true,
    ...(options.tls ? { credentials: options.tls.serverCredentials() } : {}),
    onLoadPackageDefinition: (_definition: unknown, server: GrpcServer) => {
      const { health } = parts;
      if (!health) throw new Error('GrpcHealth is not available: import GrpcServerModule.forRoot() in the app module');
      parts.grpcServer = server;
      const strict = strictServices(server);
      health.implementation.addToServer(strict);
      if (options.reflection !== false) addReflection(strict, [...health.serviceNames, HEALTH_SERVICE_NAME]);
      // Nest has bound the server by now (it calls this hook after bindAsync).
      limitHttp2Sessions(server, {
        pingPolicy: pingPolicyFor(),
        maxMetadataBytes: MAX_METADATA_BYTES,
        onPingFlood: (session) =>
          new NestLogger('Http2Limits').warn(`closed the connection from ${session.socket?.remoteAddress ?? 'unknown'}: too many pings (GOAWAY too_many_pings)`),
      });
      if (options.tls) reportRefusedHandshakes(server, (line) => new NestLogger('Tls').warn(line));
    },
  };
  const streamErrors = new NestLogger('GrpcStreams');
  const transport = new GrpcTransport(grpcOptions, (error, method) => {
    const { response, unexpected } = toGrpcError(error, options.errorClassifiers);
    if (unexpected) streamErrors.error({ err: error, method, code: statusName(response.code) }, `unhandled error in ${method}, answered ${statusName(response.code)}`);
    return response;
  });

  const app = await NestFactory.createMicroservice(withGrpcCredentials(module, options.tls), { strategy: transport, bufferLogs: true });
  app.useLogger(app.get(Logger));
  const logger = new NestLogger('Bootstrap');
  const healthService = app.get(GrpcHealth);
  parts.health = healthService;
  app.useGlobalFilters(new GrpcExceptionFilter(options.errorClassifiers));
  // Log lines get the call's request id from the call context (pino mixin, see pinoOptions).
  // The caller's identity lives in the call context, so with auth on it is always made.
  if (options.propagateCallContext !== false || options.auth) {
    transport.setOnProcessingStartHook((_transport, call, done) => withCallContext(call, done));
  }
  // Outside any request, PinoLogger#logger is the root logger. (nestjs-pino only
  // sets PinoLogger.root in its HTTP middleware, which a microservice never runs.)
  const rootLogger = (await app.resolve(PinoLogger)).logger;
  // rejectMalformedRequests last (outermost), so the access log sees the statuses it sends.
  Object.assign(grpcOptions.channelOptions as object, {
    interceptors: [
      ...(rootLogger.isLevelEnabled('debug') ? [accessLogInterceptor(rootLogger)] : []),
      ...(metrics ? [rpcServerMetricsInterceptor()] : []),
      rejectMalformedRequests,
      // Which workload, then which user: a peer the policy refuses learns nothing about tokens.
      ...(options.tls ? [authorizePeers(options.tls, peers)] : []),
      ...(options.auth ? [authorizeCalls(new TokenVerifier(options.auth), options.services)] : []),
    ],
  });
  const policy = peers.map(describePeerPolicy).join('; ');
  if (options.tls) logger.log(`${options.tls.describe()}; peer policy: ${policy}`);
  else logger.warn(`GRPC_TLS=off: plaintext, no peer is authenticated and the peer policy (${policy || 'none given'}) is NOT enforced`);
  if (options.auth) logger.log(`access tokens from ${options.auth.issuer} for ${options.auth.audience} required on every call`);
  else logger.warn('AUTH_MODE=off: callers are not authenticated and the access rules are not enforced');
  if (metrics) await logMetricsEndpoint(metrics, new NestLogger('Metrics'));

  await healthService.start();
  await app.listen();
  logger.log(`gRPC ${options.services.map((service) => service.typeName).join(', ')} listening on ${options.url}${options.tls ? ' (mTLS)' : ''} (health: ${healthService.status})`);
  let healthListener: HealthListener | undefined;
  if (options.healthUrl) {
    healthListener = await startHealthListener(healthService.implementation, options.healthUrl);
    logger.log(`grpc.health.v1 alone, plaintext, on ${options.healthUrl} (for probes that cannot present a certificate)`);
  }

  const shutdown = gracefulShutdown({
    logger,
    announce: 'reporting NOT_SERVING, draining calls',
    markNotReady: () => healthService.markShuttingDown(),
    drainDelayMs: options.drainDelayMs,
    stop: async () => {
      // Streams never finish on their own: end them now with UNAVAILABLE, so their clients reconnect elsewhere within the grace period.
      const streams = transport.liveStreams.size;
      transport.liveStreams.endAll(SHUTDOWN_STREAM_STATUS);
      if (streams > 0) logger.log(`ended ${streams} live stream(s) with UNAVAILABLE`);
      if (parts.grpcServer) await stopServer(parts.grpcServer, options.shutdownGraceMs, logger);
      await healthListener?.stop();
      await app.close();
      await metrics?.shutdown();
    },
    exitOnSignal: options.exitOnShutdown !== false,
  });

  return { app, shutdown, liveStreams: transport.liveStreams };
}

/** The peer policies, one per service served; with TLS on every service must have one (a server that admits every workload to every method is not what mTLS is for). */
function checkedPeerPolicies(options: GrpcServiceOptions): readonly PeerPolicy[] {
  const peers = options.peers ?? [];
  const unknown = peers.filter((policy) => !options.services.includes(policy.service)).map((policy) => policy.service.typeName);
  if (unknown.length > 0) throw new Error(`peer policies for services this server does not serve: ${unknown.join(', ')}`);
  const missing = options.services.filter((service) => !peers.some((policy) => policy.service === service)).map((service) => service.typeName);
  if (options.tls && missing.length > 0) throw new Error(`GRPC_TLS=on needs a peer policy for ${missing.join(', ')} (peerPolicy(): who may call each RPC)`);
  return peers;
}

/** Where the metrics are scraped, or loudly why they are not (the process serves calls either way). */
export async function logMetricsEndpoint(metrics: MetricsEndpoint, logger: NestLogger): Promise<void> {
  const listening = await metrics.listening;
  if ('url' in listening) logger.log(`metrics on ${listening.url}`);
  else logger.warn(listening.error);
}

/** `server` as health and reflection see it: their services get strict request decoding (they only call addService). */
function strictServices(server: GrpcServer): GrpcServer {
  const strict: Pick<GrpcServer, 'addService'> = {
    addService: (service, implementation) => server.addService(withStrictDecoding(service), implementation),
  };
  return strict as GrpcServer;
}

/** Refuse new calls, let in-flight ones finish, and cut whatever still runs after `graceMs`. */
async function stopServer(server: GrpcServer, graceMs: number, logger: NestLogger): Promise<void> {
  // Taken now: once its last session has gone, grpc-js forgets a closed server.
  const http2Servers = http2ServersOf(server);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn(`in-flight calls still running after ${graceMs} ms: cancelling them`);
      cancelHttp2Sessions(http2Servers);
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

type ProcessedCall = Partial<ServerUnaryCall<unknown, unknown>> & {
  // grpc-js keeps the underlying call (which knows the deadline) on the surface call object,
  // and GrpcTransport hands the hook that surface call.
  call?: { getDeadline?: () => Date | number };
  path?: string;
};

function withCallContext(rawCall: unknown, done: () => Promise<unknown>): Promise<unknown> {
  const call = rawCall as ProcessedCall;
  const context: CallContext = {
    requestId: requestIdFromMetadata(call.metadata),
    deadline: normaliseDeadline(call.call?.getDeadline?.()),
    method: call.path ?? 'unknown',
    caller: callerOf(call.metadata),
  };
  return runWithCallContext(context, done);
}

