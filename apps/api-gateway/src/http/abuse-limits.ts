import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PROBES } from './logging';
import { edgeCallerOf } from '../auth/edge-auth';

export interface AbuseLimits {
  /** Requests one client may make per window; 0: no rate limit. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** Where the counts live, shared by every gateway replica; undefined: in this process only. */
  readonly rateLimitRedisUrl?: string;
  /** Load shedding: above this event-loop delay new requests get 503 (0: off). */
  readonly maxEventLoopDelayMs: number;
}

/** How long an overloaded gateway asks clients to wait. */
const OVERLOAD_RETRY_AFTER_S = 10;

/** Load shed (or every stream slot taken): the ProblemFilter answers it 503 with Retry-After. */
export class GatewayOverloaded extends Error {
  readonly statusCode = 503;
  readonly retryAfterSeconds = OVERLOAD_RETRY_AFTER_S;
  constructor(message = 'the gateway is overloaded; retry after the Retry-After delay') {
    super(message);
  }
}

/** A client's requests are counted under this key: its verified identity (edge-auth.ts runs first), else its address. */
const clientKey = (request: FastifyRequest): string => {
  const caller = edgeCallerOf(request);
  return caller ? `sub:${caller.subject}` : `ip:${request.ip}`;
};

/**
 * Abuse limits at the edge, answered as problem+json by the ProblemFilter
 * like every other refusal:
 * - per-client rate limit (@fastify/rate-limit): 429 with Retry-After and the
 *   IETF RateLimit-* headers on every answer. Counted in Redis when
 *   RATE_LIMIT_REDIS_URL is set, so all replicas share one budget per client;
 *   if Redis is down or slow (100 ms), requests are let through and a warning
 *   logged: losing the limit for a while is better than losing the API.
 *   Probes are never limited.
 * - load shedding (@fastify/under-pressure): once the event loop lags more
 *   than maxEventLoopDelayMs, new requests are answered 503 at once, with
 *   Retry-After, instead of queueing behind the backlog until every client
 *   times out; probes too, so /readyz takes the replica out of rotation.
 */
export async function installAbuseLimits(app: NestFastifyApplication, limits: AbuseLimits, logger: () => Logger): Promise<{ close(): Promise<void> }> {
  // Required only with a shared store: ioredis is ~40 modules a gateway counting in its own memory never uses.
  const redis = limits.rateLimitRedisUrl
    ? new (require('ioredis') as typeof import('ioredis')).default(limits.rateLimitRedisUrl, {
        // Fail fast while Redis is away (skipOnError below lets the request through) rather than queue commands.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1_000,
        commandTimeout: 100,
      })
    : undefined;
  let redisDown = false;
  redis?.on('error', (error: Error) => {
    if (!redisDown) logger().warn({ err: error }, 'rate-limit store unreachable: requests are not limited until it is back');
    redisDown = true;
  });
  redis?.on('ready', () => {
    if (redisDown) logger().info('rate-limit store reachable again');
    redisDown = false;
  });
  // Counting starts with the first request, so wait (bounded) for the connection; unreachable at boot is not fatal.
  if (redis) await Promise.race([once(redis, 'ready'), once(redis, 'error'), delay(2_000)]).catch(() => undefined);

  if (limits.maxEventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: limits.maxEventLoopDelayMs,
      retryAfter: OVERLOAD_RETRY_AFTER_S,
      // The default would answer a bare 503; this one goes through the ProblemFilter like the rest.
      customError: GatewayOverloaded,
    });
  }
  if (limits.rateLimitMax > 0) {
    await app.register(rateLimit, {
      global: true,
      max: limits.rateLimitMax,
      timeWindow: limits.rateLimitWindowMs,
      keyGenerator: clientKey,
      allowList: (request) => PROBES.has(request.url.split('?')[0] ?? ''),
      enableDraftSpec: true,
      redis,
      nameSpace: 'acme-gateway-rate-limit:',
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`rate limit exceeded: at most ${context.max} requests per ${limits.rateLimitWindowMs / 1000} s from one client; retry in ${context.after}`), {
          statusCode: context.statusCode,
        }),
    });
  }
  return {
    // quit() waits for a connection that may never come; disconnect() does not.
    close: async () => {
      if (redis?.status === 'ready') await redis.quit().catch(() => undefined);
      else redis?.disconnect();
    },
  };
}
